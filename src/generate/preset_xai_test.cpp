// The "xai" preset against the fake xAI API (failures inside HTTP 200, "expired").

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kGrok = "grok-imagine-video";

std::unique_ptr<ProtocolProvider> xai() {
  return make_provider(R"(protocol = "xai")", "xai");
}

TEST(XAI, TextToVideoFromPlanToClip) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request(kGrok, "a lantern festival " + test_name());
  const TaskRun run = expect_full_run(*provider, "xai", request);
  EXPECT_EQ(run.planned.parameters, json({{"model", kGrok},
                                          {"prompt", request.prompt_text},
                                          {"duration", 5},
                                          {"aspect_ratio", "16:9"},
                                          {"resolution", "720p"}}));
}

TEST(XAI, ImageToVideoSendsAnImageUrlObject) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = i2v_request(kGrok, "lanterns rise " + test_name());
  expect_full_run(*provider, "xai", request, "/image/url");
}

TEST(XAI, StatusesMapExplicitly) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases[1].error_code = "content_moderation";
  cases[2].error_code = "internal_error";
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Expired});
  expect_outcomes(*provider, "xai", t2v_request(kGrok, "statuses"), cases);
}

TEST(XAI, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "xai", t2v_request(kGrok, "faults"));
}

TEST(XAI, ThePlanSaysWhatGrokCannotHonour) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  GenerationRequest full_hd = t2v_request(kGrok, "plan");
  full_hd.width = 1920;
  full_hd.height = 1080;
  EXPECT_FALSE(provider->plan(full_hd));
  GenerationRequest newer = full_hd;
  newer.provider_model = "grok-imagine-video-1.5";
  auto planned = provider->plan(newer);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["resolution"], "1080p");
  EXPECT_TRUE(says(*planned, "audio always on")) << deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "no seed")) << deviations_of(*planned);
}

TEST(XAI, AnExpiredResultUrlStaysExpired) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  // xAI returns the same temporary URL.
  expect_expired_result(*provider, "xai", t2v_request(kGrok, "expired"), false);
}

TEST(XAI, EachPollSpellingMapsToItsState) {
  auto provider = xai();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "xai", t2v_request(kGrok, "steps"), json::object(),
                    {{"pending", TaskState::Running},
                     {"pending", TaskState::Running},
                     {"done", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
