#include "generate/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>

namespace paddock::generate {
namespace {

using std::chrono::milliseconds;

// SplitMix64's output function: a well-mixed 64-bit value from any input.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string describe_outcome(const AttemptOutcome& outcome) {
  if (outcome.status != 0) return "HTTP " + std::to_string(outcome.status);
  return outcome.error_code.empty() ? "no outcome" : outcome.error_code;
}

std::string seconds_text(milliseconds delay) {
  const auto tenths = (delay.count() + 50) / 100;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
         " s";
}

template <typename Reply>
AttemptOutcome outcome_of_reply(const Reply& reply) {
  AttemptOutcome outcome;
  outcome.status = reply.status;
  if (auto value = reply.headers.get("retry-after")) outcome.retry_after = std::string(*value);
  return outcome;
}

}  // namespace

namespace {

constexpr std::string_view kHttpPrefix = "HTTP ";
constexpr std::string_view kRetryAfterOpen = " (Retry-After ";

// A Retry-After value fit to be quoted: delta-seconds or an HTTP-date, short, printable
// (no ')', so the value cannot end its bracket early).
bool plausible_retry_after(std::string_view v) {
  if (v.empty() || v.size() > 40) return false;
  for (char c : v) {
    const bool fits = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == ' ' || c == ',' || c == ':' || c == '-';
    if (!fits) return false;
  }
  return true;
}

// "HTTP <status>[ (Retry-After V)]: ..." as http_error() writes it.
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

Error http_error(int status, const std::optional<std::string>& retry_after, std::string_view what) {
  std::string message = std::string(kHttpPrefix) + std::to_string(status);
  if (retry_after && plausible_retry_after(*retry_after)) {
    message += std::string(kRetryAfterOpen) + *retry_after + ")";
  }
  message += ": ";
  message += what;
  return Error{"http_error", std::move(message)};
}

AttemptOutcome outcome_of(const Error& error) {
  if (error.code == "http_error") {
    if (auto leading = leading_status(error.message)) return *leading;
  }
  return AttemptOutcome{0, error.code, {}};
}

AttemptOutcome outcome_of(const Result<Response>& result) {
  return result ? outcome_of_reply(*result) : outcome_of(result.error());
}

AttemptOutcome outcome_of(const Result<Download>& result) {
  return result ? outcome_of_reply(*result) : outcome_of(result.error());
}

bool is_retryable(const AttemptOutcome& outcome) {
  if (outcome.status != 0) {
    return outcome.status == 408 || outcome.status == 429 ||
           (outcome.status >= 500 && outcome.status <= 599);
  }
  return outcome.error_code == "network_error" || outcome.error_code == "timeout" ||
         outcome.error_code == "truncated";
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Absurdly long waits saturate (the policy's cap cuts them anyway).
    constexpr std::uint64_t kMaxSeconds = 100ULL * 365 * 24 * 3600;
    if (ec == std::errc::result_out_of_range || seconds > kMaxSeconds) seconds = kMaxSeconds;
    (void)end;
    return milliseconds(static_cast<std::int64_t>(seconds) * 1000);
  }
  // An HTTP-date must start with a day name: refuses what curl_getdate() would also read
  // ("tomorrow", "+5", "1.5").
  if (!((value[0] >= 'A' && value[0] <= 'Z') || (value[0] >= 'a' && value[0] <= 'z'))) {
    return std::nullopt;
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(at - now);
}

milliseconds backoff_delay(const RetryPolicy& policy, int attempts_made, std::uint64_t seed) {
  const int doublings = std::clamp(attempts_made - 1, 0, 40);
  const std::int64_t base = std::max<std::int64_t>(0, policy.base_delay.count());
  const std::int64_t ceiling = std::max<std::int64_t>(0, policy.max_delay.count());
  // base * 2^doublings without overflow: stop doubling once past the ceiling.
  std::int64_t bound = base;
  for (int i = 0; i < doublings && bound < ceiling; ++i) bound *= 2;
  bound = std::min(bound, ceiling);
  const std::uint64_t draw = mix(seed ^ mix(static_cast<std::uint64_t>(attempts_made)));
  return milliseconds(static_cast<std::int64_t>(draw % (static_cast<std::uint64_t>(bound) + 1)));
}

RetryDecision decide_retry(const RetryPolicy& policy, int attempts_made,
                           const AttemptOutcome& outcome, std::chrono::system_clock::time_point now,
                           std::uint64_t seed) {
  const std::string what = describe_outcome(outcome);
  if (outcome.status >= 200 && outcome.status < 300) return {false, {}, what + " is a success"};
  if (!is_retryable(outcome)) return {false, {}, what + " is not retried"};
  if (attempts_made >= policy.max_attempts) {
    return {
        false, {}, "gave up after " + std::to_string(attempts_made) + " attempts (" + what + ")"};
  }
  if (outcome.retry_after) {
    if (auto asked = parse_retry_after(*outcome.retry_after, now)) {
      const milliseconds delay = std::min(*asked, policy.max_retry_after);
      std::string reason = what + ", Retry-After " + seconds_text(*asked);
      if (delay < *asked) reason += " (cut to " + seconds_text(delay) + ")";
      return {true, delay, reason};
    }
  }
  return {true, backoff_delay(policy, attempts_made, seed), what};
}

}  // namespace paddock::generate
