// ProtocolProvider over real HTTP against the fake vendors, with a protocol written in the
// test (the Ark task API): a task from plan to a downloaded clip, and every way the
// provider's side can go wrong — failures inside HTTP 200, unknown statuses, 429 and 5xx,
// expired, truncated, oversized and internal result URLs, missing keys.

#include "generate/protocol_provider.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "generate/testing/protocol_harness.hpp"
#include "support/media_files.hpp"

namespace paddock::generate {
namespace {

using namespace testing;
using nlohmann::json;
using paddock::testing::TempDir;

// The Ark task API as an operator would write it in their configuration.
constexpr std::string_view kArkEntry = R"toml(
protocol = "custom"
key_env = "ARK_API_KEY"

[prices."seedance-1-5-pro-251215"]
currency = "USD"
per_million_tokens = 1.2
estimate_tokens = "width * height * 24 * duration / 1024"

[custom]
title = "Ark (test)"
refetch = true

[custom.auth]
scheme = "bearer"

[custom.submit]
path = "/api/v3/contents/generations/tasks"
tasks = ["text-to-video", "image-to-video"]
task_id = "/id"

[custom.submit.body]
model = "{model}"
resolution = "{resolution}"
ratio = "{aspect}"
duration = "{duration}"
seed = "{seed}"
watermark = "{watermark}"
generate_audio = "{audio}"

[[custom.submit.body.content]]
_if = "prompt"
type = "text"
text = "{prompt}"

[[custom.submit.body.content]]
_if = "image_data_uri"
type = "image_url"
image_url = { url = "{image_data_uri}" }
role = "first_frame"

[custom.poll]
path = "/api/v3/contents/generations/tasks/{task_id}"
status = "/status"

[custom.poll.states]
queued = "queued"
running = "running"
succeeded = "succeeded"
failed = "failed"
expired = "expired"
canceled = "cancelled"

[custom.poll.failure]
code = "/error/code"
message = "/error/message"
refusal_codes = ["OutputVideoSensitiveContentDetected", "InvalidParameter"]

[custom.errors]
code = "/error/code"
message = "/error/message"

[custom.result]
url = "/content/video_url"

[custom.usage]
object = "/usage"
tokens = "/usage/completion_tokens"

[custom.settings.duration]
min = 4
max = 12

[custom.settings.resolution]
values = { "720p" = "720p", "1080p" = "1080p" }

[custom.settings.aspect]
values = ["16:9", "9:16", "1:1"]

[custom.settings.watermark]
form = "boolean"

[custom.settings.audio]
form = "boolean"

[custom.settings.seed]
max = 4294967295
)toml";

constexpr const char* kModel = "seedance-1-5-pro-251215";

class ProtocolProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = make_provider(kArkEntry, "ark");
    ASSERT_NE(provider_, nullptr);
  }
  // A request whose prompt is unique to the test, so behaviours and logs do not mix.
  GenerationRequest request(std::string_view words = "") const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return t2v_request(kModel, std::string(info->name()) + " " + std::string(words));
  }
  void behave(json rule) const {
    rule["vendor"] = "ark";
    rule["prompt_contains"] = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fake().behaviour(rule);
  }

  std::unique_ptr<ProtocolProvider> provider_;
  TempDir dir_{"paddock-protocol"};
};

TEST_F(ProtocolProviderTest, ATaskGoesFromPlanToADownloadedClip) {
  const GenerationRequest req = request("a red fox");
  const TaskRun run = run_task(*provider_, req);
  EXPECT_EQ(run.planned.parameters,
            json::parse(R"({"model": "seedance-1-5-pro-251215", "resolution": "720p",
                            "ratio": "16:9", "duration": 5, "seed": 42, "watermark": false,
                            "generate_audio": false,
                            "content": [{"type": "text", "text": ")" +
                        req.prompt_text + R"("}]})"));
  EXPECT_TRUE(run.planned.deviations.empty());
  ASSERT_TRUE(run.planned.estimated_cost);
  EXPECT_NEAR(run.planned.estimated_cost->amount, 1280.0 * 720 * 24 * 5 / 1024 * 1.2e-6, 1e-9);
  // What was sent is what was planned.
  EXPECT_EQ(submitted_body("ark", req.prompt_text), run.planned.parameters);

  EXPECT_FALSE(run.task.task_id.empty());
  EXPECT_EQ(run.status.state, TaskState::Succeeded);
  EXPECT_EQ(run.status.provider_status, "succeeded");
  EXPECT_EQ(run.polls, 3);  // queued, running, succeeded
  EXPECT_TRUE(run.status.result_url.starts_with(fake().url("/files/")));
  ASSERT_TRUE(run.status.usage.is_object());
  ASSERT_TRUE(run.status.cost);
  EXPECT_NEAR(run.status.cost->amount, run.status.usage["completion_tokens"].get<double>() * 1.2e-6,
              1e-9);
  EXPECT_EQ(run.status.cost->currency, "USD");

  auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->bytes, fake().clip_bytes());
  EXPECT_EQ(paddock::testing::read_file(clip->file.path()),
            paddock::testing::read_file(fake().media_dir() / "clip.mp4"));
  EXPECT_EQ(clip->file.path().parent_path(), dir_.path());
}

TEST_F(ProtocolProviderTest, ImageToVideoSendsTheSourceImageTheProtocolWay) {
  GenerationRequest req = request("the image moves");
  req.task = store::Task::ImageToVideo;
  req.source = fake().source_png();
  req.source_mime = "image/png";
  const TaskRun run = run_task(*provider_, req);
  // The plan shows a placeholder, never the image.
  const json& image = run.planned.parameters["content"][1]["image_url"]["url"];
  ASSERT_TRUE(image.is_string());
  EXPECT_TRUE(image.get<std::string>().starts_with("<source image source.png (image/png, "));
  // The fake received the image itself and accepted it (it checks the bytes are a PNG).
  const json sent = submitted_body("ark", req.prompt_text);
  EXPECT_TRUE(sent["content"][1]["image_url"]["url"].get<std::string>().starts_with(
      "data:image/png;base64,iVBOR"));
  EXPECT_EQ(run.status.state, TaskState::Succeeded);
}

TEST_F(ProtocolProviderTest, AStatusTheProtocolDoesNotMapIsABadReplyNeverSuccess) {
  behave({{"outcome", "unknown_status"}, {"status_value", "completed"}});
  const GenerationRequest req = request();
  auto planned = provider_->plan(req);
  ASSERT_TRUE(planned);
  auto task = provider_->submit(req, *planned);
  ASSERT_TRUE(task);
  auto status = poll_to_end(*provider_, *task);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "bad_reply");
  EXPECT_NE(status.error().message.find("\"completed\" is not in the protocol's mapping"),
            std::string::npos)
      << status.error().message;
}

TEST_F(ProtocolProviderTest, AFailureInsideHttp200IsARefusalOrNotByItsCode) {
  behave({{"outcome", "fail"}, {"fail_kind", "moderation"}});
  const TaskRun refused = run_task(*provider_, request("refused"));
  EXPECT_EQ(refused.status.state, TaskState::Failed);
  EXPECT_TRUE(refused.status.refusal);
  EXPECT_EQ(refused.status.error_code, "OutputVideoSensitiveContentDetected");
  EXPECT_FALSE(refused.status.error_message.empty());

  behave({{"outcome", "fail"}, {"fail_kind", "internal"}});
  const TaskRun broken = run_task(*provider_, request("broken"));
  EXPECT_EQ(broken.status.state, TaskState::Failed);
  EXPECT_FALSE(broken.status.refusal);
  EXPECT_EQ(broken.status.error_code, "InternalServiceError");
}

TEST_F(ProtocolProviderTest, ExpiredAndCancelledTasksEndAsSuch) {
  behave({{"outcome", "expire"}});
  EXPECT_EQ(run_task(*provider_, request("expire")).status.state, TaskState::Expired);
  behave({{"outcome", "cancel"}});
  EXPECT_EQ(run_task(*provider_, request("cancel")).status.state, TaskState::Canceled);
}

TEST_F(ProtocolProviderTest, A429WithRetryAfterIsRetryableWithItsDelay) {
  behave({{"submit_429", 1}, {"retry_after", 7}});
  const GenerationRequest req = request();
  auto planned = provider_->plan(req);
  ASSERT_TRUE(planned);
  auto first = provider_->submit(req, *planned);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, "http_error");
  const AttemptOutcome outcome = outcome_of(first.error());
  EXPECT_EQ(outcome.status, 429);
  EXPECT_EQ(outcome.retry_after, "7");
  const RetryDecision decision =
      decide_retry(RetryPolicy{}, 1, outcome, std::chrono::system_clock::now(), 1);
  EXPECT_TRUE(decision.retry);
  EXPECT_EQ(decision.delay, std::chrono::seconds(7));
  EXPECT_NE(first.error().message.find("RateLimitExceeded"), std::string::npos);
  // The next attempt goes through, and only one task was made.
  auto second = provider_->submit(req, *planned);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(fake().submissions()["by_prompt"]["ark"][req.prompt_text], 1);
}

TEST_F(ProtocolProviderTest, A5xxOnPollIsRetryableAndThePollAfterItWorks) {
  behave({{"poll_5xx", 1}, {"status_5xx", 502}});
  const GenerationRequest req = request();
  auto planned = provider_->plan(req);
  ASSERT_TRUE(planned);
  auto task = provider_->submit(req, *planned);
  ASSERT_TRUE(task);
  auto status = provider_->poll(*task);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "http_error");
  EXPECT_EQ(outcome_of(status.error()).status, 502);
  EXPECT_TRUE(is_retryable(outcome_of(status.error())));
  auto after = poll_to_end(*provider_, *task);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->state, TaskState::Succeeded);
}

TEST_F(ProtocolProviderTest, AnExpiredResultUrlIsExpiredResultAndPollingAgainGivesAFreshOne) {
  behave({{"expired_url_first", true}});
  const TaskRun run = run_task(*provider_, request());
  ASSERT_EQ(run.status.state, TaskState::Succeeded);
  auto first = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, "expired_result");
  EXPECT_TRUE(provider_->refetch_allowed());
  auto again = provider_->poll(run.task);
  ASSERT_TRUE(again);
  EXPECT_NE(again->result_url, run.status.result_url);
  auto clip = provider_->fetch_result(run.task, *again, dir_.path(), 10'000'000);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->bytes, fake().clip_bytes());
}

TEST_F(ProtocolProviderTest, ATruncatedDownloadIsTruncatedAndLeavesNoFile) {
  behave({{"truncate", true}});
  const TaskRun run = run_task(*provider_, request());
  auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().code, "truncated");
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(ProtocolProviderTest, ADownloadOverTheCapIsRefused) {
  behave({{"huge_bytes", 3'000'000}, {"huge_chunked", true}});
  const TaskRun run = run_task(*provider_, request());
  auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 1'000'000);
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().code, "too_large");
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(ProtocolProviderTest, BytesThatAreNotAVideoAreStillJustBytesHere) {
  // The runner's import path probes and refuses them; fetching only moves bytes.
  behave({{"not_video", "html"}});
  const TaskRun run = run_task(*provider_, request());
  auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_NE(paddock::testing::read_file(clip->file.path()).find("<html>"), std::string::npos);
}

TEST_F(ProtocolProviderTest, AResultUrlAtAnInternalAddressIsRefused) {
  for (const char* where : {"private", "metadata", "ipv6-loopback"}) {
    behave({{"result_url", where}});
    const TaskRun run = run_task(*provider_, request(where));
    ASSERT_EQ(run.status.state, TaskState::Succeeded) << where;
    auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
    ASSERT_FALSE(clip) << where;
    EXPECT_EQ(clip.error().code, "blocked_address") << where << ": " << clip.error().message;
  }
  behave({{"result_url", "file"}});
  const TaskRun run = run_task(*provider_, request("file"));
  auto clip = provider_->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().code, "bad_url");
}

TEST_F(ProtocolProviderTest, ARefusedSubmissionSaysWhyAndNeverShowsTheKey) {
  GenerationRequest req = request();
  req.provider_model = "seedance-9-9-nonexistent";
  auto planned = provider_->plan(req);
  ASSERT_TRUE(planned);
  auto task = provider_->submit(req, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "refused");
  EXPECT_NE(task.error().message.find("InvalidParameter"), std::string::npos)
      << task.error().message;
  EXPECT_NE(task.error().message.find("HTTP 400"), std::string::npos);
  EXPECT_EQ(task.error().message.find("ark-test-key"), std::string::npos);
}

TEST_F(ProtocolProviderTest, ATaskTheProviderNoLongerKnowsHasExpired) {
  auto status = provider_->poll({"cgt-20260101000000-dead", json{{"model", kModel}}});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->state, TaskState::Expired);
  EXPECT_EQ(status->provider_status, "HTTP 404");
}

TEST_F(ProtocolProviderTest, ATaskIdThatWouldLeaveItsRouteIsRefused) {
  for (const char* id : {"../../_control/keys", "a/../b", "x y", ""}) {
    auto status = provider_->poll({id, json{{"model", kModel}}});
    ASSERT_FALSE(status) << id;
    EXPECT_EQ(status.error().code, "bad_reply") << id;
  }
  for (const json& entry : fake().requests("ark")) {
    EXPECT_EQ(entry.value("path", "").find(".."), std::string::npos);
  }
}

TEST_F(ProtocolProviderTest, WithoutItsKeyAProviderStillPlansButCallsFail) {
  ::unsetenv("ARK_TEST_ABSENT_KEY");
  toml::table entry =
      toml::parse("base_url = \"" + fake().base("ark") + "\"\n" + std::string(kArkEntry));
  entry.insert_or_assign("key_env", "ARK_TEST_ABSENT_KEY");
  auto strict = make_protocol_provider("ark", entry);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, "missing_secret");
  EXPECT_NE(strict.error().message.find("ARK_TEST_ABSENT_KEY"), std::string::npos);

  auto dry = make_protocol_provider("ark", entry, {.need_keys = false});
  ASSERT_TRUE(dry) << dry.error().message;
  const GenerationRequest req = request();
  auto planned = (*dry)->plan(req);
  ASSERT_TRUE(planned);
  auto task = (*dry)->submit(req, *planned);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().code, "missing_secret");
}

TEST_F(ProtocolProviderTest, CredentialsAreNeverSentToAHostTheReplyNames) {
  // The same protocol, but the result download carries the key (like the Gemini API's).
  toml::table entry =
      toml::parse("base_url = \"" + fake().base("ark") + "\"\nallow_addresses = [\"127.0.0.1\"]\n" +
                  std::string(kArkEntry));
  entry["custom"]["result"].as_table()->insert_or_assign("download_auth", true);
  auto provider = make_protocol_provider("ark", entry);
  ASSERT_TRUE(provider) << provider.error().message;
  behave({{"result_url", "http://localhost:" + std::to_string(fake().port()) + "/files/x.mp4"}});
  const TaskRun run = run_task(**provider, request());
  ASSERT_EQ(run.status.state, TaskState::Succeeded);
  auto clip = (*provider)->fetch_result(run.task, run.status, dir_.path(), 10'000'000);
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().code, "bad_reply");
  EXPECT_NE(clip.error().message.find("another host"), std::string::npos) << clip.error().message;
}

TEST(ProtocolProviderConfig, EntriesAreCheckedFieldByField) {
  struct Case {
    std::string text;
    const char* message;
  };
  const std::string custom = "base_url = \"https://ark.example\"\n" + std::string(kArkEntry);
  const std::vector<Case> cases = {
      {"protocol = \"nonesuch\"", "providers.x.protocol: \"nonesuch\" is not a preset"},
      {"protocol = \"custom\"", "providers.x.custom: missing"},
      {"colour = \"red\"\n" + custom, "providers.x.colour: unknown field"},
      {"region = \"eu\"\n" + std::string(kArkEntry), "providers.x.region: \"eu\" is not one of"},
      {std::string(kArkEntry), "providers.x.base_url: missing"},
      {"base_url = \"ftp://x\"\n" + std::string(kArkEntry), "providers.x.base_url"},
      {"allow_addresses = \"127.0.0.1\"\n" + custom, "providers.x.allow_addresses"},
      {custom + "[prices.m]\nper_clip = -1\n", "providers.x.prices.\"m\".per_clip: must be"},
      {custom + "[overrides.poll.states]\nsucceeded = \"queued\"\n", "protocol x: poll.states"},
      {custom + "[custom.envelope]\ncode = \"/code\"\n", "protocol x: envelope.ok: missing"},
  };
  set_test_keys();
  for (const Case& c : cases) {
    toml::table table;
    ASSERT_NO_THROW(table = toml::parse(c.text)) << c.text;
    auto provider = make_protocol_provider("x", table);
    ASSERT_FALSE(provider) << c.text;
    EXPECT_EQ(provider.error().code, "bad_config") << c.text;
    EXPECT_NE(provider.error().message.find(c.message), std::string::npos)
        << c.text << ": " << provider.error().message;
  }
}

TEST(ProviderErrors, HttpErrorsCarryTheirStatusAndRetryAfter) {
  const Error error = http_error(503, "120", "POST https://x/tasks: busy");
  EXPECT_EQ(error.code, "http_error");
  EXPECT_EQ(error.message, "HTTP 503 (Retry-After 120): POST https://x/tasks: busy");
  const AttemptOutcome outcome = outcome_of(error);
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.retry_after, "120");
  // A Retry-After that could run on is left out rather than quoted.
  EXPECT_EQ(outcome_of(http_error(429, "1) (evil", "x")).retry_after, std::nullopt);
  EXPECT_EQ(outcome_of(Error{"timeout", "slow"}).error_code, "timeout");
  EXPECT_EQ(outcome_of(Error{"refused", "HTTP 400: no"}).status, 0);
}

}  // namespace
}  // namespace paddock::generate
