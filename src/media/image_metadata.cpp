#include "media/image_metadata.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>

namespace paddock::media {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t le32(const uint8_t* p) {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}
void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// PNG chunks that affect how the image looks; every other chunk (tEXt, zTXt, iTXt, tIME,
// eXIf, private chunks) is dropped.
constexpr std::array<std::string_view, 13> kPngKeep = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS",
                                                       "cHRM", "gAMA", "iCCP", "sBIT", "sRGB",
                                                       "cICP", "bKGD", "pHYs"};

Result<std::vector<uint8_t>> strip_png(const std::vector<uint8_t>& in) {
  static constexpr uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (in.size() < 8 || std::memcmp(in.data(), kSig, 8) != 0) {
    return fail("corrupt", "not a PNG signature");
  }
  std::vector<uint8_t> out(in.begin(), in.begin() + 8);
  size_t pos = 8;
  bool ended = false;
  while (!ended) {
    if (in.size() - pos < 12)
      return fail("corrupt", "PNG chunk cut short at byte " + std::to_string(pos));
    const uint32_t len = be32(&in[pos]);
    if (len > in.size() - pos - 12) {
      return fail("corrupt", "PNG chunk at byte " + std::to_string(pos) + " runs past the end");
    }
    std::string_view type(reinterpret_cast<const char*>(&in[pos + 4]), 4);
    const size_t total = 12 + size_t{len};
    if (std::find(kPngKeep.begin(), kPngKeep.end(), type) != kPngKeep.end()) {
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(pos),
                 in.begin() + static_cast<std::ptrdiff_t>(pos + total));
    }
    ended = type == "IEND";
    pos += total;
  }
  return out;
}

// JPEG: drop APP1 (EXIF, XMP), APP3..APP13 (IPTC and vendors' records), APP15 and COM;
// keep APP0 (JFIF), APP2 holding an ICC profile, APP14 (Adobe colour transform) and every
// non-APP segment. Entropy-coded data is copied as it is.
bool keep_jpeg_segment(uint8_t marker, const uint8_t* payload, size_t len) {
  if (marker == 0xFE) return false;  // COM
  if (marker < 0xE0 || marker > 0xEF) return true;
  if (marker == 0xE0 || marker == 0xEE) return true;
  static constexpr char kIcc[] = "ICC_PROFILE";
  return marker == 0xE2 && len >= sizeof kIcc && std::memcmp(payload, kIcc, sizeof kIcc) == 0;
}

Result<std::vector<uint8_t>> strip_jpeg(const std::vector<uint8_t>& in) {
  if (in.size() < 4 || in[0] != 0xFF || in[1] != 0xD8) return fail("corrupt", "no JPEG SOI marker");
  std::vector<uint8_t> out = {0xFF, 0xD8};
  size_t pos = 2;
  while (pos < in.size()) {
    if (in[pos] != 0xFF)
      return fail("corrupt", "JPEG marker expected at byte " + std::to_string(pos));
    while (pos < in.size() && in[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= in.size()) return fail("corrupt", "JPEG cut short");
    const uint8_t marker = in[pos++];
    // FF 00 is a stuffed byte of scan data, never a marker: taken for a segment here, it would
    // be kept, and after a dropped segment a second pass (or a decoder) reads it as scan data.
    if (marker == 0x00) {
      return fail("corrupt", "JPEG marker expected at byte " + std::to_string(pos - 2));
    }
    if (marker == 0xD9) {  // EOI
      out.insert(out.end(), {0xFF, 0xD9});
      return out;
    }
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {  // no length field
      out.insert(out.end(), {0xFF, marker});
      continue;
    }
    if (in.size() - pos < 2) return fail("corrupt", "JPEG segment cut short");
    const size_t len = (size_t{in[pos]} << 8) | in[pos + 1];
    if (len < 2 || len > in.size() - pos) {
      return fail("corrupt", "JPEG segment at byte " + std::to_string(pos) + " runs past the end");
    }
    if (keep_jpeg_segment(marker, &in[pos + 2], len - 2)) {
      out.insert(out.end(), {0xFF, marker});
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(pos),
                 in.begin() + static_cast<std::ptrdiff_t>(pos + len));
    }
    pos += len;
    if (marker == 0xDA) {  // SOS: copy entropy-coded data up to the next real marker
      // FF 00 is a stuffed data byte and FF D0..D7 a restart, both part of the scan; an FF
      // followed by FF is a fill byte whose run may still end in 00, so it is data too (as
      // libjpeg reads it; stopping there made FF FF 00 look like a marker and the bytes after
      // it like a segment, which a decoder reads as scan data, metadata and all).
      const size_t start = pos;
      while (pos + 1 < in.size() &&
             !(in[pos] == 0xFF && in[pos + 1] != 0x00 && in[pos + 1] != 0xFF &&
               !(in[pos + 1] >= 0xD0 && in[pos + 1] <= 0xD7))) {
        ++pos;
      }
      if (pos + 1 >= in.size()) return fail("corrupt", "JPEG scan data runs past the end");
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(start),
                 in.begin() + static_cast<std::ptrdiff_t>(pos));
    }
  }
  return fail("corrupt", "JPEG has no EOI marker");
}

// WebP: drop the EXIF and "XMP " chunks and clear their flags in VP8X.
Result<std::vector<uint8_t>> strip_webp(const std::vector<uint8_t>& in) {
  if (in.size() < 12 || std::memcmp(in.data(), "RIFF", 4) != 0 ||
      std::memcmp(in.data() + 8, "WEBP", 4) != 0) {
    return fail("corrupt", "not a RIFF WEBP file");
  }
  const size_t end = std::min(in.size(), size_t{le32(&in[4])} + 8);
  std::vector<uint8_t> out(in.begin(), in.begin() + 12);
  size_t pos = 12;
  while (pos < end) {
    if (end - pos < 8)
      return fail("corrupt", "WebP chunk cut short at byte " + std::to_string(pos));
    std::string_view fourcc(reinterpret_cast<const char*>(&in[pos]), 4);
    const size_t len = le32(&in[pos + 4]);
    const size_t padded = len + (len & 1);
    if (padded > end - pos - 8) {
      return fail("corrupt", "WebP chunk at byte " + std::to_string(pos) + " runs past the end");
    }
    if (fourcc != "EXIF" && fourcc != "XMP ") {
      const size_t at = out.size();
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(pos),
                 in.begin() + static_cast<std::ptrdiff_t>(pos + 8 + padded));
      if (fourcc == "VP8X" && len >= 1) out[at + 8] &= static_cast<uint8_t>(~0x0C);
    }
    pos += 8 + padded;
  }
  put_le32(&out[4], static_cast<uint32_t>(out.size() - 8));
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> strip_image_metadata(std::string_view format,
                                                  const std::vector<uint8_t>& bytes) {
  if (format == "png") return strip_png(bytes);
  if (format == "jpeg") return strip_jpeg(bytes);
  if (format == "webp") return strip_webp(bytes);
  return fail("unsupported", "no metadata stripping for " + std::string(format) + " images");
}

}  // namespace paddock::media
