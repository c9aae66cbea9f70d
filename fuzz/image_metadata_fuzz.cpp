// Metadata stripping of still images (media/image_metadata.hpp: PNG chunks, JPEG segments,
// WebP RIFF chunks), which walks the structure of an uploaded prompt source by hand.
// The first byte picks the format. Checks: the errors are the documented ones; stripping
// what was already stripped changes nothing (anything a second pass removes is metadata the
// first pass let through); the output is never longer than the input plus a rewritten header.

#include "media/image_metadata.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  static constexpr std::string_view kFormats[] = {"png", "jpeg", "webp"};
  const std::string_view format = kFormats[fuzz::take_byte(input) % 3];
  const std::vector<uint8_t> bytes(input.begin(), input.end());
  auto once = media::strip_image_metadata(format, bytes);
  if (!once) {
    FUZZ_CHECK(once.error().code == "corrupt", "error code %s", once.error().code.c_str());
    return 0;
  }
  FUZZ_CHECK(once->size() <= bytes.size() + 2, "%s grew from %zu to %zu bytes",
             std::string(format).c_str(), bytes.size(), once->size());
  auto twice = media::strip_image_metadata(format, *once);
  FUZZ_CHECK(twice.has_value(), "stripped %s output does not strip again: %s",
             std::string(format).c_str(), twice.error().message.c_str());
  FUZZ_CHECK(*twice == *once, "a second pass over stripped %s removed more",
             std::string(format).c_str());
  return 0;
}
