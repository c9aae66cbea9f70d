#pragma once
// Private to the media layer: removing metadata from still images without re-encoding them.
// The pixels are untouched; only the container's side records go (text, EXIF, XMP, IPTC,
// timestamps, comments). Records needed to show the image right (palette, transparency,
// colour profile, gamma, JFIF/Adobe markers) are kept.

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace paddock::media {

// `format` is "png", "jpeg" or "webp". Returns the stripped bytes, or Error "corrupt" when
// the structure cannot be walked (the message says where), or "unsupported" for another format.
Result<std::vector<uint8_t>> strip_image_metadata(std::string_view format,
                                                  const std::vector<uint8_t>& bytes);

}  // namespace paddock::media
