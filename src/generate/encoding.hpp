#pragma once
// Byte encodings providers ask for: Base64 (RFC 4648 §4, padded), Base64url (§5, no
// padding, as in JWTs), and data URIs (RFC 2397) for the providers that take a source
// image inline instead of by URL.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::generate {

// Standard Base64 with '=' padding.
std::string base64_encode(std::string_view bytes);

// URL-safe Base64 ('-' and '_') without padding.
std::string base64url_encode(std::string_view bytes);

// The bytes of standard Base64 (RFC 4648 §4) with its padding: a provider's inline result
// (Vertex AI's bytesBase64Encoded). Errors: "bad_base64" for any other character, a wrong
// length or a misplaced '='.
Result<std::string> base64_decode(std::string_view text);

// The media type a file's first bytes announce: "image/png", "image/jpeg", "image/webp",
// "image/gif", or "" when they are none of these.
std::string_view sniff_image_type(std::string_view first_bytes);

// Files larger than this are not inlined by default (providers cap request bodies at about
// 10 MiB, and Base64 adds a third).
inline constexpr std::int64_t kDefaultDataUriFileBytes = 7 * 1024 * 1024;

// "data:<media_type>;base64,<the file's bytes>". An empty `media_type` is sniffed from the
// file's first bytes (PNG, JPEG, WebP, GIF).
// Errors (each message names the file):
//   "not_found"    no such file;
//   "too_large"    the file is larger than `max_file_bytes`;
//   "unsupported"  `media_type` is empty and the bytes are not a known image type, or
//                  `media_type` is not a plain type/subtype token;
//   "io_error"     the file cannot be read.
Result<std::string> data_uri_from_file(const std::filesystem::path& file,
                                       std::string_view media_type = {},
                                       std::int64_t max_file_bytes = kDefaultDataUriFileBytes);

}  // namespace paddock::generate
