// The "veo-gemini" preset against the fake Gemini API (which refuses Vertex-only fields such
// as seed and generateAudio, and wants the API key on the download too).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kVeo31 = "veo-3.1-generate-preview";

std::unique_ptr<ProtocolProvider> veo() {
  return make_provider(R"(protocol = "veo-gemini")", "gemini/v1beta");
}

TEST(VeoGemini, TextToVideoFromPlanToClip) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kVeo31, "a glacier calves " + test_name());
  request.duration_s = 8;
  const TaskRun run = expect_full_run(*provider, "gemini", request);
  EXPECT_EQ(run.planned.parameters,
            json({{"instances", {{{"prompt", request.prompt_text}}}},
                  {"parameters",
                   {{"aspectRatio", "16:9"}, {"resolution", "720p"}, {"durationSeconds", 8}}}}));
  EXPECT_TRUE(run.task.task_id.starts_with("models/veo-3.1-generate-preview/operations/"));
  // The file was fetched with the key, from the Files API.
  const auto downloads = logged("gemini", "/v1beta/files/");
  ASSERT_FALSE(downloads.empty());
  EXPECT_EQ(downloads.back()["auth"], "ok");
}

TEST(VeoGemini, ImageToVideoSendsPlainBase64AndItsType) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = i2v_request(kVeo31, "the glacier melts " + test_name());
  const TaskRun run =
      expect_full_run(*provider, "gemini", request, "/instances/0/image/bytesBase64Encoded");
  EXPECT_EQ(run.planned.parameters["instances"][0]["image"]["mimeType"], "image/png");
}

TEST(VeoGemini, OperationsMapExplicitly) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"filtered", {{"outcome", "rai_filtered"}}, TaskState::Failed, true, "filtered"});
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Expired});
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  expect_outcomes(*provider, "gemini", t2v_request(kVeo31, "operations"), cases);
}

TEST(VeoGemini, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "gemini", t2v_request(kVeo31, "faults"));
}

TEST(VeoGemini, AnUnknownModelIsRefused) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request("veo-9-nonesuch", "refused " + test_name());
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("NOT_FOUND"), std::string::npos) << task.error().message;
}

TEST(VeoGemini, ThePlanSaysWhatTheGeminiApiCannotHonour) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kVeo31, "plan");
  request.width = 1920;
  request.height = 1080;
  request.duration_s = 5;
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  const std::string all = deviations_of(*planned);
  EXPECT_EQ(planned->parameters["parameters"]["durationSeconds"], 8);
  EXPECT_TRUE(says(*planned, "duration 5 s sent as 8 s (Veo on the Gemini API takes 8 s at 1080p)"))
      << all;
  EXPECT_TRUE(says(*planned, "audio always on")) << all;
  EXPECT_TRUE(says(*planned, "watermark cannot be turned off")) << all;
  EXPECT_TRUE(says(*planned, "no seed")) << all;
  EXPECT_FALSE(planned->parameters["parameters"].contains("seed"));

  GenerationRequest square = t2v_request(kVeo31, "square");
  square.aspect = "1:1";
  EXPECT_FALSE(provider->plan(square));
  GenerationRequest veo2 = t2v_request("veo-2.0-generate-001", "veo2");
  veo2.width = 1920;
  veo2.height = 1080;
  EXPECT_FALSE(provider->plan(veo2));
}

TEST(VeoGemini, AnExpiredResultUrlStaysExpired) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  // the operation names the same file; the Files API keeps it 2 days.
  expect_expired_result(*provider, "gemini", t2v_request(kVeo31, "expired"), false);
}

TEST(VeoGemini, EachPollSpellingMapsToItsState) {
  auto provider = veo();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(
      *provider, "gemini", t2v_request(kVeo31, "steps"), json::object(),
      {{"", TaskState::Running}, {"", TaskState::Running}, {"true", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
