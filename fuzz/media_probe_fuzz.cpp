// The media layer's format gate (media::probe): any bytes, written to a scratch file, are
// detected by content, refused unless they are one of the accepted containers, and read
// (every packet, the first frames decoded). FFmpeg itself is not instrumented: this target
// is about paddock's own handling of what FFmpeg reports, and about the EBML header reader.
// Checks: errors carry the documented codes and name the file; facts accepted are sane; a
// clip probe accepts is measured (media::measure_presentation) to values in 0-1, or refused
// with a documented code.

#include <cmath>

#include "media/media.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_scratch("clip", fuzz::as_text(data, size));
  auto facts = media::probe(file);
  if (!facts) {
    const auto& code = facts.error().code;
    FUZZ_CHECK(code == "not_media" || code == "corrupt", "probe error code %s", code.c_str());
    FUZZ_CHECK(facts.error().message.starts_with(file.string()),
               "an error that does not name the file: %s", facts.error().message.c_str());
    return 0;
  }
  FUZZ_CHECK(!facts->container.empty() && !facts->mime.empty(), "facts without a container");
  FUZZ_CHECK(facts->bytes == static_cast<int64_t>(size), "bytes %lld of %zu",
             static_cast<long long>(facts->bytes), size);
  FUZZ_CHECK(std::isfinite(facts->duration_s) && facts->duration_s >= 0, "duration %g",
             facts->duration_s);
  FUZZ_CHECK(std::isfinite(facts->fps) && facts->fps >= 0, "fps %g", facts->fps);
  (void)media::check_against(*facts, media::TrackSpec{5, 1280, 720, true});
  auto looks = media::measure_presentation(file);
  if (!looks) {
    const auto& code = looks.error().code;
    FUZZ_CHECK(code == "not_video" || code == "corrupt" || code == "not_media",
               "measure error code %s", code.c_str());
    return 0;
  }
  for (double v : {looks->motion, looks->luma, looks->saturation}) {
    FUZZ_CHECK(v >= 0 && v <= 1, "a presentation measurement %g outside 0-1", v);
  }
  return 0;
}
