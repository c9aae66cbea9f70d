#pragma once
// Keeping credentials out of what people see: URLs and texts are redacted before they go
// into an error message, a log line or the database. Provider URLs carry keys (`?key=`),
// tokens and signatures (pre-signed download links of S3, TOS, OSS, GCS); headers carry
// Authorization and API keys.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::generate {

// What stands where a credential was.
inline constexpr std::string_view kRedacted = "[redacted]";

// `url` as it may be shown: user information ("user:password@") replaced by [redacted],
// the value of every query parameter that may be a credential replaced by [redacted], and
// the fragment dropped. A parameter counts as a credential when its name (ASCII case
// ignored) contains "key", "token", "secret", "signature", "password", "auth", "credential"
// or "session", is "sig" or "policy", or starts with "x-amz-", "x-goog-", "x-tos-", "x-oss-"
// or "x-bce-" (the signed-URL schemes of S3, GCS, Volcengine TOS, Alibaba OSS, Baidu BOS).
// Works on any text, not only valid URLs; never fails.
std::string redact_url(std::string_view url);

// The credentials `url` carries, as redact_url() would hide them: its user information
// and the values of its credential query parameters (raw, as written in the URL). For
// scrubbing texts that may quote the URL in other ways.
std::vector<std::string> url_credentials(std::string_view url);

// True if a request or response header named `name` carries a credential: Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, and any name containing "key", "token",
// "secret", "signature", "password", "auth" or "credential" (X-Goog-Api-Key, X-Api-Key,
// X-Amz-Security-Token, ...). ASCII case is ignored.
bool is_sensitive_header(std::string_view name);

// `text` with every occurrence of each of `secrets` replaced by [redacted]. Values shorter
// than kShortestScrubbed bytes are passed over: no real key is that short, and replacing
// them would mangle the text.
inline constexpr std::size_t kShortestScrubbed = 4;
std::string scrub(std::string_view text, std::span<const std::string_view> secrets);

}  // namespace paddock::generate
