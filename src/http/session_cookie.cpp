#include "http/session_cookie.hpp"

#include <sodium.h>

#include <cstring>

#include "sys/random_bytes.hpp"

namespace paddock::http {
namespace {

constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kTagBytes = 16;
// libsodium 1.0.18 decodes any byte above 0x7f as the digit '_' (where char is signed), so a
// cookie with '_' replaced by such bytes would verify: only the alphabet may reach it.
constexpr std::string_view kBase64UrlDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string to_hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

}  // namespace

SessionCodec::SessionCodec(const Key& key) : key_(key) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work without a random source
}

Session SessionCodec::mint() const {
  unsigned char raw[kIdBytes + kTagBytes];
  sys::random_bytes(raw, kIdBytes);
  crypto_generichash(raw + kIdBytes, kTagBytes, raw, kIdBytes, key_.data(), key_.size());
  Session s;
  s.id = to_hex(raw, kIdBytes);
  char encoded[sodium_base64_ENCODED_LEN(kIdBytes + kTagBytes,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  s.cookie_value = encoded;
  return s;
}

std::optional<Session> SessionCodec::verify(std::string_view cookie_value) const {
  unsigned char raw[kIdBytes + kTagBytes];
  std::size_t len = 0;
  if (cookie_value.size() > 64 ||
      cookie_value.find_first_not_of(kBase64UrlDigits) != std::string_view::npos) {
    return std::nullopt;
  }
  if (sodium_base642bin(raw, sizeof raw, cookie_value.data(), cookie_value.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len != sizeof raw) {
    return std::nullopt;
  }
  unsigned char expected[kTagBytes];
  crypto_generichash(expected, kTagBytes, raw, kIdBytes, key_.data(), key_.size());
  if (sodium_memcmp(expected, raw + kIdBytes, kTagBytes) != 0) return std::nullopt;
  return Session{to_hex(raw, kIdBytes), std::string(cookie_value)};
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) {
      auto value = part.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return std::nullopt;
}

std::string session_set_cookie(const Session& session, bool secure) {
  std::string v(kSessionCookie);
  v += '=';
  v += session.cookie_value;
  v += "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict";
  if (secure) v += "; Secure";
  return v;
}

}  // namespace paddock::http
