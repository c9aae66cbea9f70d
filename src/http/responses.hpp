#pragma once
// Building responses: JSON bodies, error bodies with stable codes, and the security headers
// every response carries.

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "http/message.hpp"

namespace paddock::http {

// A response with a JSON body (already serialized) and Cache-Control: no-store.
Response json_response(int status, std::string body);

// {"error": {"code": code, "message": message}} with the given status.
Response error_response(int status, std::string_view code, std::string_view message);

// 429 rate_limited with Retry-After: retry_after_s (at least 1).
Response rate_limited_response(int retry_after_s);

// Content-Security-Policy, X-Content-Type-Options, Referrer-Policy, X-Frame-Options and
// Cross-Origin-Opener-Policy (docs/http-api.md, "Security headers"). The server writes them
// on every response it sends, whoever made it.
std::span<const std::pair<std::string_view, std::string_view>> security_headers();

// `text` as a JSON string literal, quotes included. Bytes that are not well-formed UTF-8
// become U+FFFD, so the literal is valid JSON whatever the text.
std::string json_quote(std::string_view text);

}  // namespace paddock::http
