#include "generate/provider.hpp"

#include <charconv>

namespace paddock::generate {
namespace {

constexpr std::string_view kRetryAfterMark = " [Retry-After: ";
// The form of http_error(status, retry_after, what): "HTTP 503 (Retry-After 120): what".
constexpr std::string_view kHttpPrefix = "HTTP ";
constexpr std::string_view kRetryAfterOpen = " (Retry-After ";

// A Retry-After value fit to be quoted: delta-seconds or an HTTP-date, short, printable.
bool plausible_retry_after(std::string_view v) {
  if (v.empty() || v.size() > 40) return false;
  for (char c : v) {
    const bool fits = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == ' ' || c == ',' || c == ':' || c == '-';
    if (!fits) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(TaskState state) {
  switch (state) {
    case TaskState::Queued:
      return "queued";
    case TaskState::Running:
      return "running";
    case TaskState::Succeeded:
      return "succeeded";
    case TaskState::Failed:
      return "failed";
    case TaskState::Expired:
      return "expired";
    case TaskState::Canceled:
      return "canceled";
  }
  return "queued";
}

Error http_error(const Request& request, const Response& response) {
  auto status = check_status(request, response);
  Error e =
      status ? Error{"http_error", describe(request) + ": HTTP " + std::to_string(response.status)}
             : status.error();
  e.code = "http_error";
  if (auto after = response.headers.get("retry-after"); after && plausible_retry_after(*after)) {
    e.message += std::string(kRetryAfterMark) + std::string(*after) + "]";
  }
  return e;
}

Error http_error(int status, const std::optional<std::string>& retry_after, std::string_view what) {
  std::string message = std::string(kHttpPrefix) + std::to_string(status);
  // ')' is not a plausible character, so the value cannot end the bracket early.
  if (retry_after && plausible_retry_after(*retry_after)) {
    message += std::string(kRetryAfterOpen) + *retry_after + ")";
  }
  message += ": ";
  message += what;
  return Error{"http_error", std::move(message)};
}

namespace {

// "HTTP <status>[ (Retry-After V)]: ..." as http_error(status, retry_after, what) writes it.
std::optional<AttemptOutcome> leading_status(std::string_view m) {
  if (!m.starts_with(kHttpPrefix)) return std::nullopt;
  std::string_view rest = m.substr(kHttpPrefix.size());
  int status = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), status);
  if (ec != std::errc() || status < 100 || status > 599) return std::nullopt;
  rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
  AttemptOutcome outcome;
  outcome.status = status;
  if (rest.starts_with(kRetryAfterOpen)) {
    rest.remove_prefix(kRetryAfterOpen.size());
    if (const auto close = rest.find(')'); close != std::string_view::npos) {
      outcome.retry_after = std::string(rest.substr(0, close));
    }
  }
  return outcome;
}

}  // namespace

AttemptOutcome attempt_of(const Error& error) {
  if (error.code != "http_error") return outcome_of(error);
  if (auto leading = leading_status(error.message)) return *leading;
  AttemptOutcome outcome;
  const std::string& m = error.message;
  // check_status(): "<METHOD> <URL>: HTTP <status>..."; the URL is redacted and has no
  // ": HTTP " of its own.
  if (auto at = m.find(": HTTP "); at != std::string::npos) {
    const char* first = m.data() + at + 7;
    int status = 0;
    auto [end, ec] = std::from_chars(first, m.data() + m.size(), status);
    if (ec == std::errc() && end == first + 3) outcome.status = status;
  }
  if (auto at = m.rfind(kRetryAfterMark); at != std::string::npos && m.ends_with("]")) {
    const size_t from = at + kRetryAfterMark.size();
    outcome.retry_after = m.substr(from, m.size() - 1 - from);
  }
  if (outcome.status == 0) outcome.error_code = error.code;
  return outcome;
}

}  // namespace paddock::generate
