#include "generate/provider.hpp"

#include <gtest/gtest.h>

#include "generate/price.hpp"

namespace paddock::generate {
namespace {

TEST(Provider, TaskStatesHaveStableNames) {
  EXPECT_EQ(to_string(TaskState::Queued), "queued");
  EXPECT_EQ(to_string(TaskState::Running), "running");
  EXPECT_EQ(to_string(TaskState::Succeeded), "succeeded");
  EXPECT_EQ(to_string(TaskState::Failed), "failed");
  EXPECT_EQ(to_string(TaskState::Expired), "expired");
  EXPECT_EQ(to_string(TaskState::Canceled), "canceled");
}

// check_status() and http_error() write one shape, which outcome_of() reads back.
TEST(Provider, AnHttpErrorKeepsItsStatusAndRetryAfterForTheRetryPolicy) {
  Request request{.method = "POST", .url = "https://vendor.example/v1/tasks?key=sk-secret-1"};
  Response reply;
  reply.status = 429;
  reply.headers.add("Retry-After", "7");
  reply.body = R"({"code":"Throttling"})";
  const Error e = check_status(request, reply).error();
  EXPECT_EQ(e.code, "http_error");
  EXPECT_TRUE(e.message.starts_with("HTTP 429 (Retry-After 7): POST https://vendor.example/v1/"))
      << e.message;
  EXPECT_EQ(e.message.find("sk-secret-1"), std::string::npos) << e.message;
  const AttemptOutcome a = outcome_of(e);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.retry_after, "7");
  EXPECT_TRUE(is_retryable(a));

  reply.status = 503;
  reply.headers = {};
  reply.headers.add("Retry-After", "\r\nX-Evil: 1");  // not a value worth quoting
  const AttemptOutcome b = outcome_of(check_status(request, reply).error());
  EXPECT_EQ(b.status, 503);
  EXPECT_FALSE(b.retry_after);

  const AttemptOutcome c = outcome_of(Error{"timeout", "GET x: no reply"});
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.error_code, "timeout");
}

TEST(Price, PerSecondByTierPerClipAndPerUnit) {
  Price p;
  p.per_second_by_tier = {{"720P", 0.14}, {"1080P", 0.24}};
  EXPECT_EQ(estimate_cost(p, "720P", 5), (Cost{0.14 * 5, "USD"}));
  EXPECT_FALSE(estimate_cost(p, "480P", 5));
  p.per_second = 0.1;
  EXPECT_EQ(estimate_cost(p, "480P", 5), (Cost{0.5, "USD"}));
  Price clip{.currency = "CNY", .per_clip = 2.5};
  EXPECT_EQ(estimate_cost(clip, "", 10), (Cost{2.5, "CNY"}));
  Price tokens{
      .per_unit = 0.000002, .usage_field = "usage.total_tokens", .units_per_second = 50000};
  EXPECT_EQ(estimate_cost(tokens, "", 4), (Cost{0.000002 * 200000, "USD"}));
  auto charged = charged_cost(tokens, "", 4, {{"usage", {{"total_tokens", 100000}}}});
  ASSERT_TRUE(charged);
  EXPECT_DOUBLE_EQ(charged->amount, 0.2);
}

}  // namespace
}  // namespace paddock::generate
