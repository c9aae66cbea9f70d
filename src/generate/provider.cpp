#include "generate/provider.hpp"

#include <charconv>

namespace paddock::generate {
namespace {

constexpr std::string_view kRetryAfterMark = " [Retry-After: ";

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

AttemptOutcome attempt_of(const Error& error) {
  if (error.code != "http_error") return outcome_of(error);
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
