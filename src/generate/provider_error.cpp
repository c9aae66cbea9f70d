#include <charconv>

#include "generate/provider.hpp"

namespace paddock::generate {
namespace {

constexpr std::string_view kHttpPrefix = "HTTP ";
constexpr std::string_view kRetryAfterOpen = " (Retry-After ";

// A Retry-After value as it may stand in a message: delta-seconds or an HTTP-date, nothing
// that could end the bracket early or run on.
bool plain_retry_after(std::string_view value) {
  if (value.empty() || value.size() > 64) return false;
  for (const char c : value) {
    const bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z') || c == ' ' || c == ',' || c == ':' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

Error http_error(int status, const std::optional<std::string>& retry_after, std::string_view what) {
  std::string message = std::string(kHttpPrefix) + std::to_string(status);
  if (retry_after && plain_retry_after(*retry_after)) {
    message += std::string(kRetryAfterOpen) + *retry_after + ")";
  }
  message += ": ";
  message += what;
  return Error{"http_error", std::move(message)};
}

AttemptOutcome attempt_of(const Error& error) {
  if (error.code != "http_error" || !error.message.starts_with(kHttpPrefix)) {
    return AttemptOutcome{0, error.code, {}};
  }
  std::string_view rest = std::string_view(error.message).substr(kHttpPrefix.size());
  int status = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), status);
  if (ec != std::errc() || status < 100 || status > 599) return AttemptOutcome{0, error.code, {}};
  rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
  AttemptOutcome outcome{status, {}, {}};
  if (rest.starts_with(kRetryAfterOpen)) {
    rest.remove_prefix(kRetryAfterOpen.size());
    if (const auto close = rest.find(')'); close != std::string_view::npos) {
      outcome.retry_after = std::string(rest.substr(0, close));
    }
  }
  return outcome;
}

}  // namespace paddock::generate
