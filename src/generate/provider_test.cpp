#include "generate/provider.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace paddock::generate
