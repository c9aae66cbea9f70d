// The "fal" preset against the fake fal queue (status and result URLs from the submit reply,
// without the endpoint's subpath; failures as COMPLETED with an error).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kT2v = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video";
constexpr const char* kI2v = "fal-ai/kling-video/v2.5-turbo/pro/image-to-video";

std::unique_ptr<ProtocolProvider> fal() {
  return make_provider(R"(protocol = "fal")", "fal");
}

TEST(Fal, TextToVideoFollowsTheUrlsOfTheSubmitReply) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kT2v, "a fox in snow " + test_name());
  request.fixed_parameters = {{"duration", "5"}, {"aspect_ratio", "16:9"}};
  const TaskRun run = expect_full_run(*provider, "fal", request);
  EXPECT_EQ(run.planned.parameters,
            json({{"prompt", request.prompt_text}, {"duration", "5"}, {"aspect_ratio", "16:9"}}));
  const std::string status_url = run.task.handle["status_url"];
  EXPECT_TRUE(
      status_url.ends_with("/fal/fal-ai/kling-video/requests/" + run.task.task_id + "/status"))
      << status_url;
  const auto submits = logged("fal", "/fal-ai/kling-video/v2.5-turbo/pro/text-to-video");
  ASSERT_FALSE(submits.empty());
  EXPECT_TRUE(submits.back()["headers"]["authorization"].get<std::string>().starts_with("Key "));
}

TEST(Fal, ImageToVideoSendsImageUrlAsADataUri) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  expect_full_run(*provider, "fal", i2v_request(kI2v, "the fox runs " + test_name()), "/image_url");
}

TEST(Fal, StatusesMapExplicitly) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases[1].error_code = "content_policy_violation";
  cases[2].error_code = "runner_disconnected";
  cases.push_back({"invalid",
                   {{"outcome", "fail"}, {"fail_kind", "invalid_parameter"}},
                   TaskState::Failed,
                   true,
                   "value_error"});
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Expired});
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  expect_outcomes(*provider, "fal", t2v_request(kT2v, "statuses"), cases);
}

TEST(Fal, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "fal", t2v_request(kT2v, "faults"));
}

TEST(Fal, AnInvalidInputIsRefusedWithFalsDetail) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = i2v_request(kI2v, "no image " + test_name());
  request.task = store::Task::TextToVideo;  // the image-to-video endpoint without image_url
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("image_url"), std::string::npos) << task.error().message;
}

TEST(Fal, ThePlanSaysEverySettingIsTheModelsToMap) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  auto planned = provider->plan(t2v_request(kT2v, "plan"));
  ASSERT_TRUE(planned);
  EXPECT_TRUE(says(*planned,
                   "duration 5 s not sent: fal takes no duration (fal endpoints name it "
                   "differently"))
      << deviations_of(*planned);
}

TEST(Fal, AnExpiredResultUrlStaysExpired) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  // fal keeps the request's media URL; it is not signed again.
  expect_expired_result(*provider, "fal", t2v_request(kT2v, "expired"), false);
}

TEST(Fal, EachPollSpellingMapsToItsState) {
  auto provider = fal();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "fal", t2v_request(kT2v, "steps"), json::object(),
                    {{"IN_QUEUE", TaskState::Queued},
                     {"IN_PROGRESS", TaskState::Running},
                     {"COMPLETED", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
