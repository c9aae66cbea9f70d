#pragma once
// JSON Web Tokens signed with HMAC-SHA256 (RFC 7519, alg HS256), the bearer tokens of
// providers that hand out an access key and a secret key instead of an API key (Kling).

#include <chrono>
#include <string_view>

#include "generate/secret.hpp"

namespace paddock::generate {

// base64url(header) "." base64url(payload_json) "." base64url(HMAC-SHA256(key, the two)),
// with the header {"alg":"HS256","typ":"JWT"} and `payload_json` used byte for byte (the
// caller writes it; its key order is what gets signed). The token is itself a credential,
// so it comes back as a Secret.
Secret hs256_jwt(std::string_view payload_json, const Secret& key);

// Kling's bearer token: hs256_jwt of {"iss":<access key>,"exp":<now + lifetime>,"nbf":<now -
// 5 s>} (seconds since the Unix epoch, in this order), signed with the secret key, as
// Kling's documentation builds it. Send it as "Authorization: Bearer <token>" and make a new
// one before `lifetime` runs out.
inline constexpr std::chrono::seconds kKlingTokenLifetime{1800};
Secret kling_jwt(const Secret& access_key, const Secret& secret_key,
                 std::chrono::system_clock::time_point now,
                 std::chrono::seconds lifetime = kKlingTokenLifetime);

}  // namespace paddock::generate
