// The "kling" preset against the fake Kling V1 API (which checks the JWT's signature, iss,
// nbf and exp, the string duration and the raw Base64 image).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

std::unique_ptr<ProtocolProvider> kling() {
  return make_provider(R"(protocol = "kling")", "kling");
}

GenerationRequest with_reference(GenerationRequest request) {
  request.client_reference = "paddock-" + test_name();
  return request;
}

TEST(Kling, TextToVideoFromPlanToClip) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request =
      with_reference(t2v_request("kling-v2-1-master", "a kite rises " + test_name()));
  const TaskRun run = expect_full_run(*provider, "kling", request);
  EXPECT_EQ(run.planned.parameters, json({{"model_name", "kling-v2-1-master"},
                                          {"prompt", request.prompt_text},
                                          {"duration", "5"},
                                          {"aspect_ratio", "16:9"},
                                          {"external_task_id", request.client_reference}}));
  EXPECT_EQ(run.task.handle["endpoint"], "text2video");
  // The fake verified the token: HS256, signed with the secret key, iss = the access key.
  const auto submits = logged("kling", "/v1/videos/text2video");
  ASSERT_FALSE(submits.empty());
  const json& jwt = submits.back()["jwt"];
  EXPECT_EQ(jwt["header"]["alg"], "HS256");
  EXPECT_EQ(jwt["payload"]["iss"], "kling-test-ak");
  EXPECT_EQ(submits.back()["auth"], "ok");
  EXPECT_EQ(run.status.usage, "1");  // final_unit_deduction, as Kling sends it
}

TEST(Kling, ImageToVideoSendsRawBase64WithoutADataPrefix) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request =
      with_reference(i2v_request("kling-v2-1-master", "the kite turns " + test_name()));
  const TaskRun run = expect_full_run(*provider, "kling", request, "/image");
  EXPECT_FALSE(run.planned.parameters.contains("aspect_ratio"));
  EXPECT_TRUE(says(run.planned, "aspect ratio follows the source image"));
  const json sent = submitted_body("kling", request.prompt_text);
  EXPECT_TRUE(sent["image"].get<std::string>().starts_with("iVBORw0KGgo"));  // a PNG
  EXPECT_EQ(run.task.handle["endpoint"], "image2video");
  // Polled on the image2video route, where the task lives.
  EXPECT_FALSE(logged("kling", "/v1/videos/image2video/" + run.task.task_id).empty());
}

TEST(Kling, StatusesMapExplicitly) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"invalid",
                   {{"outcome", "fail"}, {"fail_kind", "invalid_parameter"}},
                   TaskState::Failed,
                   true});
  // Kling has no expired or cancelled state: both read "failed", not a refusal.
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Failed, false});
  expect_outcomes(*provider, "kling", t2v_request("kling-v2-1-master", "statuses"), cases);
}

TEST(Kling, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "kling", t2v_request("kling-v2-1-master", "faults"));
}

TEST(Kling, AnInvalidRequestIsRefusedWithKlingsCode) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request("kling-v2-1-master", "refused " + test_name());
  request.fixed_parameters = {{"cfg_scale", 0.5}};  // not taken by the v2 models
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["cfg_scale"], 0.5);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("1201"), std::string::npos) << task.error().message;
  EXPECT_NE(task.error().message.find("cfg_scale"), std::string::npos) << task.error().message;
}

TEST(Kling, ATaskIsFoundAgainByItsClientReference) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request =
      with_reference(i2v_request("kling-v2-1-master", "lost reply " + test_name()));
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_TRUE(task) << task.error().message;
  // The runner lost the reply: it looks the task up by the reference it sent.
  auto found = provider->find_by_reference(request);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(*found) << found->error().message;
  ASSERT_TRUE(found->value().has_value());
  EXPECT_EQ((*found)->value().task_id, task->task_id);
  EXPECT_EQ((*found)->value().handle["endpoint"], "image2video");
  auto status = poll_to_end(*provider, (*found)->value());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, TaskState::Succeeded);

  GenerationRequest never_sent = request;
  never_sent.client_reference = "paddock-never-sent-" + test_name();
  auto missing = provider->find_by_reference(never_sent);
  ASSERT_TRUE(missing.has_value());
  ASSERT_TRUE(*missing) << missing->error().message;
  EXPECT_FALSE(missing->value().has_value());
}

TEST(Kling, ThePlanSaysWhatKlingCannotHonour) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request("kling-v2-5-turbo", "plan");
  request.duration_s = 8;
  request.audio = true;
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["duration"], "10");
  EXPECT_FALSE(planned->parameters.contains("sound"));
  const std::string all = deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "duration 8 s sent as 10 s (Kling takes 5, 10 s)")) << all;
  EXPECT_TRUE(says(*planned,
                   "no seed: Kling takes none, so seed 42 is not sent (Kling's API has "
                   "no seed)"))
      << all;
  EXPECT_TRUE(says(*planned, "no audio: Kling makes silent clips")) << all;
  EXPECT_TRUE(says(*planned, "resolution 720p not sent")) << all;

  GenerationRequest v3 = t2v_request("kling-v3", "v3");
  v3.duration_s = 7;
  v3.audio = true;
  planned = provider->plan(v3);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["duration"], "7");
  EXPECT_EQ(planned->parameters["sound"], "on");

  GenerationRequest square = t2v_request("kling-v2-1-master", "square");
  square.aspect = "4:3";
  EXPECT_FALSE(provider->plan(square));
}

TEST(Kling, SoundOnKlingV26WithModeProGoesThrough) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request("kling-v2-6", "with sound " + test_name());
  request.audio = true;
  request.fixed_parameters = {{"mode", "pro"}};
  const TaskRun run = expect_full_run(*provider, "kling", request);
  EXPECT_EQ(run.planned.parameters["sound"], "on");
  EXPECT_EQ(run.planned.parameters["mode"], "pro");
}

TEST(Kling, AnExpiredResultUrlStaysExpired) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  // Kling answers every query with the same URL.
  expect_expired_result(*provider, "kling", t2v_request("kling-v2-1-master", "expired"), false);
}

TEST(Kling, EachPollSpellingMapsToItsState) {
  auto provider = kling();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(*provider, "kling", t2v_request("kling-v2-1-master", "steps"), json::object(),
                    {{"submitted", TaskState::Queued},
                     {"processing", TaskState::Running},
                     {"succeed", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
