#include "http/responses.hpp"

namespace paddock::http {

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.header("Content-Type", "application/json");
  r.header("Cache-Control", "no-store");
  return r;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  std::string body = "{\"error\":{\"code\":";
  body += json_quote(code);
  body += ",\"message\":";
  body += json_quote(message);
  body += "}}";
  return json_response(status, std::move(body));
}

Response rate_limited_response(int retry_after_s) {
  if (retry_after_s < 1) retry_after_s = 1;
  Response r =
      error_response(429, "rate_limited",
                     "too many requests; retry after " + std::to_string(retry_after_s) + " s");
  r.header("Retry-After", std::to_string(retry_after_s));
  return r;
}

std::span<const std::pair<std::string_view, std::string_view>> security_headers() {
  static constexpr std::pair<std::string_view, std::string_view> kHeaders[] = {
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
       "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return kHeaders;
}

}  // namespace paddock::http
