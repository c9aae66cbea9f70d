// The "veo-vertex" preset against the fake Vertex AI (fetchPredictOperation with a body,
// inline Base64 results, and gs:// results through the Cloud Storage JSON API).

#include <gtest/gtest.h>

#include "generate/testing/protocol_harness.hpp"
#include "support/media_files.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;

constexpr const char* kVertexVeo31 = "veo-3.1-generate-001";

// The fake's Vertex routes live under /vertex, its storage route too.
std::string models_path() {
  return "vertex/v1/projects/p-test/locations/us-central1/publishers/google/models";
}

std::unique_ptr<ProtocolProvider> vertex() {
  return make_provider("protocol = \"veo-vertex\"\nkey_env = \"VERTEX_ACCESS_TOKEN\"\n" +
                           std::string("storage_base_url = \"") + fake().base("vertex") + "\"\n",
                       models_path());
}

TEST(VeoVertex, TextToVideoWithInlineBytes) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kVertexVeo31, "a comet " + test_name());
  request.duration_s = 6;
  const TaskRun run = expect_full_run(*provider, "vertex", request);
  EXPECT_EQ(run.planned.parameters["parameters"], json({{"aspectRatio", "16:9"},
                                                        {"resolution", "720p"},
                                                        {"durationSeconds", 6},
                                                        {"generateAudio", false},
                                                        {"seed", 42},
                                                        {"sampleCount", 1}}));
  EXPECT_FALSE(run.status.inline_base64.empty());
  EXPECT_TRUE(run.status.result_url.empty());
  // Polled with a POST naming the operation, on the model's own resource.
  const auto polls = logged("vertex",
                            "/v1/projects/p-test/locations/us-central1/publishers/"
                            "google/models/veo-3.1-generate-001:fetchPredictOperation");
  ASSERT_FALSE(polls.empty());
  EXPECT_EQ(polls.back()["body"], json({{"operationName", run.task.task_id}}));
}

TEST(VeoVertex, AnInlineResultOverTheCapIsRefused) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  const TaskRun run = run_task(*provider, t2v_request(kVertexVeo31, "big " + test_name()));
  ASSERT_EQ(run.status.state, TaskState::Succeeded);
  paddock::testing::TempDir dir("paddock-vertex");
  auto clip = provider->fetch_result(run.task, run.status, dir.path(), 1000);
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().code, "too_large");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(VeoVertex, AStorageUriResultIsFetchedFromCloudStorage) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = i2v_request(kVertexVeo31, "a bucket " + test_name());
  request.fixed_parameters = {{"storageUri", "gs://paddock-test/out/"}};
  const TaskRun run =
      expect_full_run(*provider, "vertex", request, "/instances/0/image/bytesBase64Encoded");
  EXPECT_TRUE(run.status.result_url.starts_with("gs://paddock-test/out/"));
  const auto downloads = logged("vertex", "/storage/v1/b/paddock-test/o/out%2F");
  ASSERT_FALSE(downloads.empty());
  EXPECT_EQ(downloads.back()["auth"], "ok");
}

TEST(VeoVertex, OperationsMapExplicitly) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  auto cases = common_outcomes();
  cases.push_back({"filtered", {{"outcome", "rai_filtered"}}, TaskState::Failed, true, "filtered"});
  cases.push_back({"expire", {{"outcome", "expire"}}, TaskState::Expired});
  cases.push_back({"cancel", {{"outcome", "cancel"}}, TaskState::Canceled});
  expect_outcomes(*provider, "vertex", t2v_request(kVertexVeo31, "operations"), cases);
}

TEST(VeoVertex, RateLimitsAndServerErrorsAreRetryable) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  expect_retryable_faults(*provider, "vertex", t2v_request(kVertexVeo31, "faults"));
}

TEST(VeoVertex, ABadTokenIsRefused) {
  ::setenv("VERTEX_WRONG_TOKEN", "ya29.wrong", 1);
  auto provider =
      make_provider("protocol = \"veo-vertex\"\nkey_env = \"VERTEX_WRONG_TOKEN\"\n", models_path());
  ASSERT_NE(provider, nullptr);
  const GenerationRequest request = t2v_request(kVertexVeo31, "wrong token " + test_name());
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  auto task = provider->submit(request, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("HTTP 401"), std::string::npos) << task.error().message;
  EXPECT_EQ(task.error().message.find("ya29.wrong"), std::string::npos);
}

TEST(VeoVertex, TheBaseUrlMustBeGiven) {
  set_test_keys();
  auto provider = make_protocol_provider("v", toml::parse("protocol = \"veo-vertex\""));
  ASSERT_FALSE(provider);
  EXPECT_NE(provider.error().message.find("providers.v.base_url: missing"), std::string::npos)
      << provider.error().message;
}

TEST(VeoVertex, VertexTakesASeedAndAnAudioSwitch) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  GenerationRequest request = t2v_request(kVertexVeo31, "plan");
  request.audio = true;
  request.seed = 5'000'000'000;
  auto planned = provider->plan(request);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->parameters["parameters"]["generateAudio"], true);
  EXPECT_EQ(planned->parameters["parameters"]["seed"], 5'000'000'000 % 4'294'967'296);
  EXPECT_TRUE(says(*planned, "seed 5000000000 sent as 705032704")) << deviations_of(*planned);
  EXPECT_FALSE(says(*planned, "audio"));
}

TEST(VeoVertex, ADeletedStorageObjectStaysExpired) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  // The operation names the same gs:// object: once it is gone from the bucket, polling again
  // cannot bring it back.
  GenerationRequest request = t2v_request(kVertexVeo31, "expired");
  request.fixed_parameters = {{"storageUri", "gs://paddock-test/out/"}};
  expect_expired_result(*provider, "vertex", request, false);
}

TEST(VeoVertex, EachPollSpellingMapsToItsState) {
  auto provider = vertex();
  ASSERT_NE(provider, nullptr);
  expect_poll_steps(
      *provider, "vertex", t2v_request(kVertexVeo31, "steps"), json::object(),
      {{"", TaskState::Running}, {"", TaskState::Running}, {"true", TaskState::Succeeded}});
}

}  // namespace
}  // namespace paddock::generate
