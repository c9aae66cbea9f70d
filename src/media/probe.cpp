// probe() and check_against(): what a file is, and whether it fits a track.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "media/input_file.hpp"
#include "media/media.hpp"

namespace paddock::media {

Result<MediaFacts> probe(const std::filesystem::path& file) {
  auto in = open_input(file);
  if (!in) return std::unexpected(in.error());
  if (auto st = check_integrity(*in, file); !st) return std::unexpected(st.error());
  return in->facts;
}

Status check_against(const MediaFacts& f, const TrackSpec& spec) {
  if (f.is_image) return fail("off_spec", "is a still image (" + f.container + "), not a clip");
  if (spec.audio && !f.has_audio) {
    return fail("no_audio", "has no audio stream, but its track requires sound");
  }
  if (spec.duration_s > 0) {
    const double tolerance =
        std::max(kDurationToleranceSeconds, kDurationToleranceFraction * spec.duration_s);
    if (std::abs(f.duration_s - spec.duration_s) > tolerance) {
      return fail("off_spec", fmt::format("lasts {:.2f} s, outside the track's {:.2f} s ± {:.2f} s",
                                          f.duration_s, spec.duration_s, tolerance));
    }
  }
  if (spec.width > 0 && spec.height > 0 && (f.width != spec.width || f.height != spec.height)) {
    const double want = static_cast<double>(spec.width) / spec.height;
    const double have = f.height > 0 ? static_cast<double>(f.width) / f.height : 0;
    if (std::abs(have - want) > kAspectTolerance * want) {
      return fail("off_spec",
                  fmt::format("is {}x{} (aspect {:.3f}), not the track's {}x{} (aspect {:.3f})",
                              f.width, f.height, have, spec.width, spec.height, want));
    }
  }
  return ok();
}

}  // namespace paddock::media
