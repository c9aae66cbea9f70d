// The "replicate" preset against the fake Replicate API (201 on create, "aborted", data
// removed an hour after the prediction finished).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kModel = "kwaivgi/kling-v2.1";

std::unique_ptr<ProtocolProvider> replicate() {
  return make_provider(R"(protocol = "replicate")", "replicate");
}

TEST(Replicate, TextToVideoFromPlanToClip) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kModel, "a ferris wheel " + test_name());
  request.fixed_parameters = {{"duration", 5}};
  const TaskRun run = expect_full_run(*provider, "replicate", request);
  EXPECT_EQ(run.planned.parameters,
            json({{"input", {{"prompt", request.prompt_text}, {"duration", 5}}}}));
  EXPECT_TRUE(run.status.usage.contains("predict_time"));
}

TEST(Replicate, ImageToVideoPutsTheImageInTheInput) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  expect_full_run(*provider, "replicate", i2v_request(kModel, "the wheel turns " + test_name()),
                  "/input/image");
}

TEST(Replicate, StatusesMapExplicitly) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  cases.push_back({"aborted", {{"outcome", "abort"}}, TaskState::Expired});
  expect_outcomes(*provider, "replicate", t2v_request(kModel, "statuses"), cases);
}

TEST(Replicate, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "replicate", t2v_request(kModel, "faults"));
}

TEST(Replicate, InvalidInputIsRefused) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kModel, "");
  request.prompt_text.clear();  // Replicate requires input.prompt
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("HTTP 422"), std::string::npos) << task.error().message;
}

TEST(Replicate, ARemovedResultHasExpired) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  const TaskRun run = run_task(*provider, t2v_request(kModel, "removed " + test_name()));
  ASSERT_EQ(run.status.state, TaskState::Succeeded);
  fake().advance_clock(std::chrono::hours(2));
  auto later = provider->poll(run.task);
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_EQ(later->state, TaskState::Expired);
  EXPECT_EQ(later->error_code, "result_removed");
  EXPECT_FALSE(provider->refetch_allowed());
}

TEST(Replicate, AnExpiredResultUrlStaysExpired) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  // the output URL of a prediction is not signed again.
  expect_expired_result(*provider, "replicate", t2v_request(kModel, "expired"), false);
}

TEST(Replicate, EachPollSpellingMapsToItsState) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "replicate", t2v_request(kModel, "steps"), json::object(),
                    {{"starting", TaskState::Queued},
                     {"processing", TaskState::Running},
                     {"succeeded", TaskState::Succeeded}});
}

TEST(Replicate, ThePlanSaysEverySettingIsTheModelsToMap) {
  auto provider = replicate();
  ASSERT_NE(provider, nullptr);
  auto planned = provider->plan(t2v_request(kModel, "plan"));
  ASSERT_TRUE(planned);
  for (const char* setting :
       {"duration 5 s not sent", "no seed: Replicate takes none", "audio off not sent"}) {
    EXPECT_TRUE(says(*planned, setting)) << setting << deviations_of(*planned);
  }
  // Settings given as the model's fixed parameters go into the input and are not deviations
  // the operator must chase.
  GenerationRequest mapped = t2v_request(kModel, "plan");
  mapped.fixed_parameters = {{"duration", 5}, {"aspect_ratio", "16:9"}};
  auto with_fixed = provider->plan(mapped);
  ASSERT_TRUE(with_fixed);
  EXPECT_EQ(with_fixed->parameters["input"]["duration"], 5);
}

}  // namespace
}  // namespace paddock::generate
