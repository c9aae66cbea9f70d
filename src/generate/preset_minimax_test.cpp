// The "minimax" preset against the fake MiniMax API (answers in HTTP 200 with base_resp,
// results through files/retrieve).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kHailuo = "MiniMax-Hailuo-2.3";

std::unique_ptr<ProtocolProvider> minimax() {
  return make_provider(R"(protocol = "minimax")", "minimax");
}

GenerationRequest six_seconds(GenerationRequest request) {
  request.duration_s = 6;
  return request;
}

TEST(MiniMax, TextToVideoFromPlanToClipThroughFilesRetrieve) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request =
      six_seconds(t2v_request(kHailuo, "a paper boat " + test_name()));
  const TaskRun run = expect_full_run(*provider, "minimax", request);
  EXPECT_EQ(run.planned.parameters, json({{"model", kHailuo},
                                          {"prompt", request.prompt_text},
                                          {"duration", 6},
                                          {"resolution", "768P"}}));
  EXPECT_TRUE(says(run.planned, "resolution 720p sent as 768P"));
  EXPECT_FALSE(logged("minimax", "/v1/files/retrieve?file_id=").empty());
}

TEST(MiniMax, ImageToVideoSendsAFirstFrame) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request =
      six_seconds(i2v_request("MiniMax-Hailuo-2.3-Fast", "the boat sails " + test_name()));
  expect_full_run(*provider, "minimax", request, "/first_frame_image");
}

TEST(MiniMax, StatusesMapExplicitly) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases[1].error_code = "1027";
  cases.push_back({"invalid",
                   {{"outcome", "fail"}, {"fail_kind", "invalid_parameter"}},
                   TaskState::Failed,
                   true,
                   "2013"});
  cases.push_back({"preparing", {{"throttled", true}}, TaskState::Succeeded});
  expect_outcomes(*provider, "minimax", six_seconds(t2v_request(kHailuo, "statuses")), cases);
}

TEST(MiniMax, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "minimax", six_seconds(t2v_request(kHailuo, "faults")));
}

TEST(MiniMax, ARefusalInsideHttp200IsRefused) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = six_seconds(t2v_request(kHailuo, "refused " + test_name()));
  request.fixed_parameters = {{"prompt_optimizer", "yes"}};  // a boolean, says MiniMax
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("code 2013"), std::string::npos) << task.error().message;
}

TEST(MiniMax, AnUnknownTaskIsAnError) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  auto status = provider->poll({"999999999999999", json{{"model", kHailuo}}});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "refused");
  EXPECT_NE(status.error().message.find("2013"), std::string::npos) << status.error().message;
}

TEST(MiniMax, ThePlanSaysWhatHailuoCannotHonour) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kHailuo, "plan");
  request.width = 1920;
  request.height = 1080;
  request.duration_s = 10;
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["duration"], 6);
  EXPECT_TRUE(says(*planned, "duration 10 s sent as 6 s (MiniMax Hailuo takes 6 s at 1080P)"))
      << deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "no seed")) << deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "aspect ratio 16:9 not sent")) << deviations_of(*planned);
  EXPECT_FALSE(provider->plan(t2v_request("I2V-01", "image only")));
}

TEST(MiniMax, AnExpiredResultUrlIsFreshAfterAnotherPoll) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  // each files/retrieve signs a fresh download_url.
  expect_expired_result(*provider, "minimax", six_seconds(t2v_request(kHailuo, "expired")), true);
}

TEST(MiniMax, EachPollSpellingMapsToItsState) {
  auto provider = minimax();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "minimax", six_seconds(t2v_request(kHailuo, "steps")),
                    json::object(),
                    {{"Queueing", TaskState::Queued},
                     {"Processing", TaskState::Running},
                     {"Success", TaskState::Succeeded}});
  expect_poll_steps(*provider, "minimax", six_seconds(t2v_request(kHailuo, "steps")),
                    {{"throttled", true}},
                    {{"Preparing", TaskState::Queued},
                     {"Processing", TaskState::Running},
                     {"Success", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
