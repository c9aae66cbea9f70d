// The "runway" preset against the fake Runway API (which checks X-Runway-Version, the fields
// each model takes, pixel ratios, and that promptImage is HTTPS on a domain or a data URI).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

std::unique_ptr<ProtocolProvider> runway() {
  return make_provider(R"(protocol = "runway")", "runway");
}

TEST(Runway, TextToVideoFromPlanToClip) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request("gen4.5", "a tram at dusk " + test_name());
  const TaskRun run = expect_full_run(*provider, "runway", request);
  EXPECT_EQ(run.planned.parameters, json({{"model", "gen4.5"},
                                          {"promptText", request.prompt_text},
                                          {"ratio", "1280:720"},
                                          {"duration", 5},
                                          {"seed", 42}}));
  const auto submits = logged("runway", "/v1/text_to_video");
  ASSERT_FALSE(submits.empty());
  EXPECT_EQ(submits.back()["headers"]["x-runway-version"], "2024-11-06");
}

TEST(Runway, ImageToVideoSendsADataUri) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = i2v_request("gen4_turbo", "the tram leaves " + test_name());
  expect_full_run(*provider, "runway", request, "/promptImage");
  const json sent = submitted_body("runway", request.prompt_text);
  EXPECT_TRUE(sent["promptImage"].get<std::string>().starts_with("data:image/png;base64,"));
}

TEST(Runway, StatusesMapExplicitly) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"throttled", {{"throttled", true}}, TaskState::Succeeded});
  cases.push_back({"invalid",
                   {{"outcome", "fail"}, {"fail_kind", "invalid_parameter"}},
                   TaskState::Failed,
                   true});
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  expect_outcomes(*provider, "runway", t2v_request("gen4.5", "statuses"), cases);
}

TEST(Runway, ThrottledReadsAsQueued) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  const std::string token = test_name();
  fake().behaviour({{"vendor", "runway"}, {"prompt_contains", token}, {"throttled", true}});
  const GenerationRequest request = t2v_request("gen4.5", token);
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_TRUE(task);
  auto first = provider->poll(*task);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->provider_status, "THROTTLED");
  EXPECT_EQ(first->state, TaskState::Queued);
}

TEST(Runway, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "runway", t2v_request("gen4.5", "faults"));
}

TEST(Runway, AnExpiredOutputUrlIsFreshAfterAnotherPoll) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  const std::string token = test_name();
  fake().behaviour({{"vendor", "runway"}, {"prompt_contains", token}, {"expired_url_first", true}});
  const TaskRun run = run_task(*provider, t2v_request("gen4.5", token));
  paddock::testing::TempDir dir("paddock-runway");
  auto first = provider->fetch_result(run.task, run.status, dir.path(), 10'000'000);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, "expired_result");
  ASSERT_TRUE(provider->refetch_allowed());
  auto again = provider->poll(run.task);
  ASSERT_TRUE(again);
  auto clip = provider->fetch_result(run.task, *again, dir.path(), 10'000'000);
  ASSERT_TRUE(clip) << clip.error().message;
}

TEST(Runway, ThePlanMapsSizesAndModels) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  GenerationRequest full_hd = t2v_request("gen4.5", "plan");
  full_hd.width = 1920;
  full_hd.height = 1080;
  auto planned = provider->plan(full_hd);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["ratio"], "1280:720");
  EXPECT_TRUE(says(*planned, "size 1920:1080 sent as 1280:720")) << deviations_of(*planned);

  GenerationRequest veo = t2v_request("veo3.1", "veo");
  veo.audio = true;
  planned = provider->plan(veo);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["audio"], true);
  EXPECT_EQ(planned->parameters["duration"], 6);
  EXPECT_FALSE(planned->parameters.contains("seed"));
  EXPECT_TRUE(says(*planned, "no seed")) << deviations_of(*planned);

  EXPECT_FALSE(provider->plan(t2v_request("gen4_turbo", "image only")));
  GenerationRequest square = t2v_request("gen4.5", "square");
  square.width = 960;
  square.height = 960;
  square.aspect = "1:1";
  EXPECT_FALSE(provider->plan(square));
}

TEST(Runway, EachPollSpellingMapsToItsState) {
  auto provider = runway();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "runway", t2v_request("gen4.5", "steps"), json::object(),
                    {{"PENDING", TaskState::Queued},
                     {"RUNNING", TaskState::Running},
                     {"SUCCEEDED", TaskState::Succeeded}});
  expect_poll_steps(*provider, "runway", t2v_request("gen4.5", "steps"), {{"throttled", true}},
                    {{"THROTTLED", TaskState::Queued},
                     {"RUNNING", TaskState::Running},
                     {"SUCCEEDED", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
