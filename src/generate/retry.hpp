#pragma once
// When to try a provider call again. Pure functions of the attempt's outcome, the number of
// attempts made, the time and a seed, so the job runner can store the next attempt's time
// in the database and a test can predict every delay.
//
// Retried: HTTP 408, 429 and 5xx; the transport errors "network_error", "timeout" and
// "truncated". Not retried: any other 4xx (the request itself is wrong: a refusal, a bad
// parameter, a missing key), "tls_error", "bad_url", "blocked_address", "too_large",
// "too_many_redirects", "io_error" and every other code.
//
// Delays: exponential backoff with full jitter — a uniform draw from [0, min(max_delay,
// base_delay * 2^(attempts_made - 1))] — unless the reply carried Retry-After (seconds or an
// HTTP-date), which is honoured, capped at max_retry_after.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "generate/http_client.hpp"

namespace paddock::generate {

struct RetryPolicy {
  int max_attempts = 5;                                // including the first
  std::chrono::milliseconds base_delay{1'000};         // the first backoff's upper bound
  std::chrono::milliseconds max_delay{60'000};         // no backoff is longer
  std::chrono::milliseconds max_retry_after{600'000};  // a server's Retry-After is cut to this
};

// What one attempt came to, as far as retrying is concerned.
struct AttemptOutcome {
  int status = 0;                            // the HTTP status when a reply arrived, else 0
  std::string error_code;                    // the Error's code when no reply arrived, else ""
  std::optional<std::string> retry_after{};  // the reply's Retry-After header, if any
};

AttemptOutcome outcome_of(const Result<Response>& result);
AttemptOutcome outcome_of(const Result<Download>& result);
// An error's retry facts: for "http_error" the status and Retry-After that http_error()
// put in its message; for any other code (transport errors, "refused", ...) the code.
AttemptOutcome outcome_of(const Error& error);

// "http_error", the one shape of every error that stands for an HTTP status (check_status()
// for a reply's, a provider for a rate limit or provider error inside an HTTP 200):
// "HTTP <status>[ (Retry-After <value>)]: <what>". The status and Retry-After open the
// message so outcome_of(error) reads them back for the retry decision; a Retry-After that is
// not a plausible value (delta-seconds or an HTTP-date, short, printable) is left out.
Error http_error(int status, const std::optional<std::string>& retry_after, std::string_view what);

// True if the outcome is a failure that may go away by itself (see the list above).
bool is_retryable(const AttemptOutcome& outcome);

// The wait a Retry-After value asks for: delta-seconds ("120") or an HTTP-date in any of
// the three forms of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT", the RFC 850 and the
// asctime forms), counted from `now`; a date in the past gives zero. nullopt if `value` is
// neither (a negative number, a fraction, garbage).
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The full-jitter backoff after `attempts_made` (>= 1) failed attempts, drawn from `seed`
// and `attempts_made` only: the same arguments give the same delay.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempts_made,
                                        std::uint64_t seed);

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};  // when retrying: wait this long from `now`
  // Why, for logs and the job's record: "HTTP 503", "timeout", "HTTP 429, Retry-After 30 s";
  // when giving up: "HTTP 400 is not retried", "gave up after 5 attempts (HTTP 503)".
  std::string reason;
};

// Whether to make attempt number attempts_made + 1 after `outcome`, and when. A success
// (2xx) is never retried.
RetryDecision decide_retry(const RetryPolicy& policy, int attempts_made,
                           const AttemptOutcome& outcome, std::chrono::system_clock::time_point now,
                           std::uint64_t seed);

}  // namespace paddock::generate
