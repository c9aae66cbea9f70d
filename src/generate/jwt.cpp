#include "generate/jwt.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <string>

#include "generate/encoding.hpp"

namespace paddock::generate {
namespace {

// Kling accepts tokens whose nbf lies a little in the past, against clock skew.
constexpr std::chrono::seconds kNotBeforeSlack{5};

}  // namespace

Secret hs256_jwt(std::string_view payload_json, const Secret& key) {
  std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64url_encode(payload_json);

  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.reveal().data()),
                              key.reveal().size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(token.data()),
                                token.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);

  token += '.';
  token += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
  return Secret(std::move(token));
}

Secret kling_jwt(const Secret& access_key, const Secret& secret_key,
                 std::chrono::system_clock::time_point now, std::chrono::seconds lifetime) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  // dump() escapes the key as a JSON string (bytes that are not UTF-8 become U+FFFD rather
  // than an exception); the numbers are plain integers.
  const std::string issuer = nlohmann::json(std::string(access_key.reveal()))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string payload = R"({"iss":)" + issuer + R"(,"exp":)" +
                        std::to_string((seconds + lifetime).count()) + R"(,"nbf":)" +
                        std::to_string((seconds - kNotBeforeSlack).count()) + "}";
  Secret token = hs256_jwt(payload, secret_key);
  sodium_memzero(payload.data(), payload.size());
  return token;
}

}  // namespace paddock::generate
