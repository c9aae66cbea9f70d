#include "generate/encoding.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace paddock::generate {
namespace {

std::string sodium_base64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));  // the length counted the terminating NUL
  return out;
}

bool is_type_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
}

// "type/subtype" with RFC 6838 name characters on both sides.
bool is_media_type(std::string_view type) {
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return false;
  const std::string_view sides[] = {type.substr(0, slash), type.substr(slash + 1)};
  return std::all_of(std::begin(sides), std::end(sides), [](std::string_view side) {
    return std::all_of(side.begin(), side.end(), is_type_token_char);
  });
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return sodium_base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string base64url_encode(std::string_view bytes) {
  return sodium_base64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  if (text.size() % 4 != 0 ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return fail("bad_base64", "not valid Base64 (" + std::to_string(text.size()) + " characters)");
  }
  out.resize(written);
  return out;
}

std::string_view sniff_image_type(std::string_view b) {
  using namespace std::string_view_literals;
  if (b.starts_with("\x89PNG\r\n\x1a\n"sv)) return "image/png";
  if (b.starts_with("\xff\xd8\xff"sv)) return "image/jpeg";
  if (b.size() >= 12 && b.starts_with("RIFF"sv) && b.substr(8, 4) == "WEBP"sv) {
    return "image/webp";
  }
  if (b.starts_with("GIF87a"sv) || b.starts_with("GIF89a"sv)) return "image/gif";
  return {};
}

Result<std::string> data_uri_from_file(const std::filesystem::path& file,
                                       std::string_view media_type, std::int64_t max_file_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) return fail("not_found", file.string() + ": no such file");
  if (!std::filesystem::is_regular_file(status)) {
    return fail("io_error", file.string() + ": not a regular file");
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail("io_error", file.string() + ": " + ec.message());
  if (static_cast<std::int64_t>(size) > max_file_bytes) {
    return fail("too_large", file.string() + ": " + std::to_string(size) +
                                 " bytes, more than the " + std::to_string(max_file_bytes) +
                                 " that may be sent inline");
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return fail("io_error", file.string() + ": cannot read it: " + std::strerror(errno));
  }
  if (in.peek() != std::ifstream::traits_type::eof()) {
    return fail("io_error", file.string() + ": changed while it was read");
  }
  std::string type(media_type);
  if (type.empty()) {
    type = sniff_image_type(bytes);
    if (type.empty()) {
      return fail("unsupported", file.string() +
                                     ": not a PNG, JPEG, WebP or GIF image, and no media type "
                                     "was given");
    }
  } else if (!is_media_type(type)) {
    return fail("unsupported", file.string() + ": \"" + type + "\" is not a media type");
  }
  return "data:" + type + ";base64," + base64_encode(bytes);
}

}  // namespace paddock::generate
