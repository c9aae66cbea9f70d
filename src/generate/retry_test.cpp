#include "generate/retry.hpp"

#include <gtest/gtest.h>

#include <set>

#include "generate/testing/loopback_client.hpp"
#include "generate/testing/test_http_server.hpp"

namespace paddock::generate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110.
const system_clock::time_point kRfcDate = system_clock::from_time_t(784111777);

AttemptOutcome status(int code, std::optional<std::string> retry_after = std::nullopt) {
  return AttemptOutcome{code, "", std::move(retry_after)};
}
AttemptOutcome error(std::string code) {
  return AttemptOutcome{0, std::move(code), {}};
}

TEST(IsRetryable, RetriesThrottlingServerFaultsAndTransportTrouble) {
  for (int code : {408, 429, 500, 502, 503, 504, 599})
    EXPECT_TRUE(is_retryable(status(code))) << code;
  for (int code : {200, 204, 301, 400, 401, 403, 404, 409, 413, 422, 451}) {
    EXPECT_FALSE(is_retryable(status(code))) << code;
  }
  for (const char* code : {"network_error", "timeout", "truncated"}) {
    EXPECT_TRUE(is_retryable(error(code))) << code;
  }
  for (const char* code : {"bad_url", "blocked_address", "too_large", "too_many_redirects",
                           "tls_error", "io_error", "http_error", "bad_request"}) {
    EXPECT_FALSE(is_retryable(error(code))) << code;
  }
}

TEST(ParseRetryAfter, ReadsDeltaSecondsAndAllThreeHttpDateForms) {
  EXPECT_EQ(parse_retry_after("120", kRfcDate), milliseconds(120'000));
  EXPECT_EQ(parse_retry_after(" 0 ", kRfcDate), milliseconds(0));
  const auto earlier = kRfcDate - seconds(90);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", earlier), milliseconds(90'000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", earlier), milliseconds(90'000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", earlier), milliseconds(90'000));
  // A date already past means "now".
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate + seconds(5)),
            milliseconds(0));
  // Huge values saturate instead of overflowing.
  EXPECT_GT(*parse_retry_after("99999999999999999999999", kRfcDate), milliseconds(0));
  for (const char* bad : {"", "-5", "1.5", "+3", "soon", "12abc", "Someday, 99 Foo 1994"}) {
    EXPECT_EQ(parse_retry_after(bad, kRfcDate), std::nullopt) << bad;
  }
}

TEST(BackoffDelay, IsFullJitterUnderAGrowingCappedBound) {
  const RetryPolicy policy{
      .max_attempts = 10, .base_delay = milliseconds(100), .max_delay = milliseconds(1'000)};
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    EXPECT_LE(backoff_delay(policy, 1, seed), milliseconds(100));
    EXPECT_LE(backoff_delay(policy, 2, seed), milliseconds(200));
    EXPECT_LE(backoff_delay(policy, 3, seed), milliseconds(400));
    EXPECT_LE(backoff_delay(policy, 30, seed), milliseconds(1'000));
    EXPECT_GE(backoff_delay(policy, 30, seed), milliseconds(0));
  }
  // Deterministic in (seed, attempt), and actually jittered across seeds.
  EXPECT_EQ(backoff_delay(policy, 3, 42), backoff_delay(policy, 3, 42));
  std::set<std::int64_t> seen;
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    seen.insert(backoff_delay(policy, 5, seed).count());
  EXPECT_GT(seen.size(), 30u);
  // Late attempts spread over the whole range up to the cap.
  std::int64_t largest = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    largest = std::max(largest, backoff_delay(policy, 30, seed).count());
  }
  EXPECT_GT(largest, 900);
}

TEST(DecideRetry, BacksOffThenGivesUpAfterMaxAttempts) {
  const RetryPolicy policy{
      .max_attempts = 3, .base_delay = milliseconds(500), .max_delay = milliseconds(10'000)};
  auto first = decide_retry(policy, 1, status(503), kRfcDate, 7);
  EXPECT_TRUE(first.retry);
  EXPECT_EQ(first.delay, backoff_delay(policy, 1, 7));
  EXPECT_EQ(first.reason, "HTTP 503");
  EXPECT_TRUE(decide_retry(policy, 2, error("timeout"), kRfcDate, 7).retry);
  auto last = decide_retry(policy, 3, status(503), kRfcDate, 7);
  EXPECT_FALSE(last.retry);
  EXPECT_EQ(last.reason, "gave up after 3 attempts (HTTP 503)");
}

TEST(DecideRetry, NeverRetriesARefusalOrASuccess) {
  const RetryPolicy policy;
  auto refused = decide_retry(policy, 1, status(400, "5"), kRfcDate, 1);
  EXPECT_FALSE(refused.retry);
  EXPECT_EQ(refused.reason, "HTTP 400 is not retried");
  EXPECT_FALSE(decide_retry(policy, 1, error("blocked_address"), kRfcDate, 1).retry);
  EXPECT_FALSE(decide_retry(policy, 1, status(200), kRfcDate, 1).retry);
}

TEST(DecideRetry, HonoursRetryAfterInBothFormsCappedByPolicy) {
  const RetryPolicy policy{.max_attempts = 5,
                           .base_delay = milliseconds(100),
                           .max_delay = milliseconds(1'000),
                           .max_retry_after = milliseconds(60'000)};
  auto seconds_form = decide_retry(policy, 1, status(429, "30"), kRfcDate, 3);
  EXPECT_TRUE(seconds_form.retry);
  EXPECT_EQ(seconds_form.delay, milliseconds(30'000));  // longer than any backoff: honoured
  EXPECT_EQ(seconds_form.reason, "HTTP 429, Retry-After 30 s");

  auto date_form = decide_retry(policy, 1, status(503, "Sun, 06 Nov 1994 08:49:37 GMT"),
                                kRfcDate - seconds(12), 3);
  EXPECT_EQ(date_form.delay, milliseconds(12'000));

  auto capped = decide_retry(policy, 1, status(429, "3600"), kRfcDate, 3);
  EXPECT_EQ(capped.delay, milliseconds(60'000));
  EXPECT_EQ(capped.reason, "HTTP 429, Retry-After 3600 s (cut to 60 s)");

  // An unreadable Retry-After falls back to the backoff.
  auto garbled = decide_retry(policy, 1, status(429, "later"), kRfcDate, 3);
  EXPECT_EQ(garbled.delay, backoff_delay(policy, 1, 3));
}

TEST(OutcomeOf, TakesStatusAndRetryAfterFromARealReply) {
  testing::TestHttpServer server(
      [](const testing::ReceivedRequest& request, testing::Exchange& exchange) {
        if (request.target == "/date") {
          exchange.respond(503, "busy", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}});
        } else {
          exchange.respond(429, "slow down", {{"retry-after", "7"}});
        }
      });
  const auto client = testing::loopback_client();

  const auto throttled = outcome_of(client.send({.url = server.url("/seconds")}));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.retry_after, "7");
  EXPECT_EQ(decide_retry({}, 1, throttled, kRfcDate, 0).delay, milliseconds(7'000));

  const auto busy = outcome_of(client.send({.url = server.url("/date")}));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(decide_retry({}, 1, busy, kRfcDate - seconds(4), 0).delay, milliseconds(4'000));

  const auto refused = outcome_of(client.send({.url = "http://127.0.0.1:1/"}));
  EXPECT_EQ(refused.status, 0);
  EXPECT_EQ(refused.error_code, "network_error");
  EXPECT_TRUE(is_retryable(refused));
}

}  // namespace
}  // namespace paddock::generate
