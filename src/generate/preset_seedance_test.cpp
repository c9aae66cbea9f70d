// The "seedance" preset (BytePlus ModelArk / Volcengine Ark) against the fake Ark API.

#include <gtest/gtest.h>

#include "generate/presets.hpp"
#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kPro15 = "seedance-1-5-pro-251215";

std::unique_ptr<ProtocolProvider> seedance() {
  return make_provider(R"(protocol = "seedance")", "ark/api/v3");
}

TEST(Seedance, TextToVideoFromPlanToClip) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request(kPro15, "a heron lands " + test_name());
  const TaskRun run = expect_full_run(*provider, "ark", request);
  EXPECT_EQ(run.planned.parameters,
            json({{"model", kPro15},
                  {"resolution", "720p"},
                  {"ratio", "16:9"},
                  {"duration", 5},
                  {"seed", 42},
                  {"watermark", false},
                  {"generate_audio", false},
                  {"content", {{{"type", "text"}, {"text", request.prompt_text}}}}}));
  EXPECT_TRUE(run.planned.deviations.empty()) << deviations_of(run.planned);
  EXPECT_TRUE(run.status.usage.contains("completion_tokens"));
  EXPECT_TRUE(provider->refetch_allowed());
}

TEST(Seedance, ImageToVideoSendsTheImageAsAFirstFrameDataUri) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = i2v_request(kPro15, "the lighthouse blinks " + test_name());
  request.source = fake().source_jpg();
  request.source_mime = "image/jpeg";
  const TaskRun run = expect_full_run(*provider, "ark", request, "/content/1/image_url/url");
  EXPECT_EQ(run.planned.parameters["content"][1]["role"], "first_frame");
  const json sent = submitted_body("ark", request.prompt_text);
  EXPECT_TRUE(sent["content"][1]["image_url"]["url"].get<std::string>().starts_with(
      "data:image/jpeg;base64,/9j/"));
}

TEST(Seedance, StatusesMapExplicitly) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"invalid",
                   {{"outcome", "fail"}, {"fail_kind", "invalid_parameter"}},
                   TaskState::Failed,
                   true,
                   "InvalidParameter"});
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Expired});
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  cases.push_back({"aborted", {{"outcome", "abort"}}, TaskState::Failed, false});
  expect_outcomes(*provider, "ark", t2v_request(kPro15, "statuses"), cases);
}

TEST(Seedance, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "ark", t2v_request(kPro15, "faults"));
}

TEST(Seedance, AnInvalidRequestIsRefusedWithArksWords) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request("seedance-0-0-nonesuch", "refused " + test_name());
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("InvalidParameter"), std::string::npos)
      << task.error().message;
}

TEST(Seedance, ThePlanSaysWhatEachModelCannotHonour) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  GenerationRequest short_clip = t2v_request(kPro15, "short");
  short_clip.duration_s = 3;
  auto planned = provider->plan(short_clip);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["duration"], 4);
  EXPECT_TRUE(says(*planned, "duration 3 s sent as 4 s (Seedance (ModelArk) takes 4 to 12 s)"))
      << deviations_of(*planned);

  GenerationRequest with_audio = t2v_request("seedance-1-0-pro-250528", "sound");
  with_audio.audio = true;
  planned = provider->plan(with_audio);
  ASSERT_TRUE(planned);
  EXPECT_FALSE(planned->parameters.contains("generate_audio"));  // 1.0 refuses the field
  EXPECT_TRUE(says(*planned, "no audio: Seedance (ModelArk) makes silent clips"))
      << deviations_of(*planned);

  GenerationRequest full_hd = t2v_request("dreamina-seedance-2-0-fast-260128", "fast");
  full_hd.width = 1920;
  full_hd.height = 1080;
  auto refused = provider->plan(full_hd);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "unsupported");
  EXPECT_NE(refused.error().message.find("resolution 1080p"), std::string::npos);

  GenerationRequest text_only = i2v_request("seedance-1-0-lite-t2v-250428", "no image");
  EXPECT_FALSE(provider->plan(text_only));
}

TEST(Seedance, ThePresetWrittenAsACustomProtocolWorksTheSame) {
  const auto preset = find_protocol_preset("seedance");
  ASSERT_TRUE(preset);
  toml::table entry;
  entry.insert("protocol", "custom");
  entry.insert("custom", toml::parse(preset->text));
  entry.insert("base_url", fake().base("ark/api/v3"));
  entry.insert("allow_addresses", toml::array{"127.0.0.1"});
  set_test_keys();
  auto custom = make_protocol_provider("my-ark", entry);
  ASSERT_TRUE(custom) << custom.error().message;
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request(kPro15, "same " + test_name());
  auto from_custom = (*custom)->plan(request);
  auto from_preset = provider->plan(request);
  ASSERT_TRUE(from_custom && from_preset);
  EXPECT_EQ(from_custom->parameters, from_preset->parameters);
  EXPECT_EQ(from_custom->deviations, from_preset->deviations);
  expect_full_run(**custom, "ark", request);
}

TEST(Seedance, RegionsPickTheBaseUrl) {
  set_test_keys();
  auto wrong = make_protocol_provider("s", toml::parse(R"(protocol = "seedance"
region = "mars")"));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("\"mars\" is not one of byteplus byteplus-eu volcengine"),
            std::string::npos)
      << wrong.error().message;
  auto china = make_protocol_provider("s", toml::parse(R"(protocol = "seedance"
region = "volcengine")"));
  ASSERT_TRUE(china) << china.error().message;
  EXPECT_EQ((*china)->protocol().base_urls.at("volcengine"),
            "https://ark.cn-beijing.volces.com/api/v3");
}

TEST(Seedance, AnExpiredResultUrlIsFreshAfterAnotherPoll) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  // each GET of a finished task signs a fresh video_url.
  expect_expired_result(*provider, "ark", t2v_request(kPro15, "expired"), true);
}

TEST(Seedance, EachPollSpellingMapsToItsState) {
  auto provider = seedance();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "ark", t2v_request(kPro15, "steps"), json::object(),
                    {{"queued", TaskState::Queued},
                     {"running", TaskState::Running},
                     {"succeeded", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
