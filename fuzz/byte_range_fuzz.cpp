// The Range header (media::decide_range, RFC 9110 §14) for resources of any size.
// The first 8 bytes are the resource size, the rest the header value.
// Checks: a partial range lies inside the resource and is not empty; no header means the
// whole resource; an empty resource is never served in part.

#include <cstring>

#include "media/media.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  uint64_t raw = 0;
  const std::size_t n = std::min<std::size_t>(8, input.size());
  std::memcpy(&raw, input.data(), n);
  input.remove_prefix(n);
  // Mostly small sizes (where the edge cases are), sometimes huge ones.
  const int64_t resource =
      (raw & 1) ? static_cast<int64_t>(raw >> 1) : static_cast<int64_t>((raw >> 1) % 4096);

  const auto none = media::decide_range(std::nullopt, resource);
  FUZZ_CHECK(none.kind == media::RangeKind::Whole, "no header but not the whole resource");

  const auto d = media::decide_range(input, resource);
  if (d.kind == media::RangeKind::Partial) {
    FUZZ_CHECK(resource > 0, "a partial range of an empty resource");
    FUZZ_CHECK(d.range.first >= 0 && d.range.first <= d.range.last && d.range.last < resource,
               "range %lld-%lld outside a resource of %lld bytes",
               static_cast<long long>(d.range.first), static_cast<long long>(d.range.last),
               static_cast<long long>(resource));
    FUZZ_CHECK(d.range.length() >= 1 && d.range.length() <= resource, "bad length %lld",
               static_cast<long long>(d.range.length()));
  }
  return 0;
}
