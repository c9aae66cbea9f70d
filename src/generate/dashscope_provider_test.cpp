// DashScopeProvider against the fake vendor server (tests/generate/fake_vendors), which
// speaks the protocol as DashScope documents it: the requests are checked field by field
// from the fake's request log, and every reply shape the vendor has is answered.
#include "generate/dashscope_provider.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>

#include "generate/testing/fake_vendors.hpp"
#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::generate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using paddock::testing::TempDir;
using testing::FakeVendors;

constexpr const char* kKeyVariable = "PADDOCK_DASHSCOPE_TEST_KEY";
constexpr const char* kKey = "sk-dashscope-distinctive-4f1c9e";

class DashScope : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    fs::create_directories(dir_->path() / "media");
    fs::copy_file(paddock::testing::shared_clip({.duration_s = 2}),
                  dir_->path() / "media" / "a.mp4");
    paddock::testing::make_image(dir_->path() / "source.png", 320, 180);
    fake_ = new FakeVendors({.media = dir_->path() / "media", .keys = {{"dashscope", kKey}}});
  }
  static void TearDownTestSuite() {
    delete fake_;
    delete dir_;
  }
  void SetUp() override {
    ::setenv(kKeyVariable, kKey, 1);
    fake_->post("/_control/reset", json::object());
  }

  static ProviderConfig config() {
    ProviderConfig c;
    c.name = "dashscope-test";
    c.protocol = "dashscope";
    c.base_url = fake_->base("dashscope");
    c.key_env = kKeyVariable;
    c.allow_addresses = {"127.0.0.1"};
    c.prices = PriceTable::from_toml(toml::parse(R"(
["happyhorse-1.0-t2v"]
per_second = { "720P" = 0.14, "1080P" = 0.24 }
["wan2.6-t2v"]
currency = "CNY"
per_second = 0.6
)"),
                                     "test prices")
                   .value();
    return c;
  }
  static std::unique_ptr<DashScopeProvider> provider() {
    auto p = DashScopeProvider::create(config());
    if (!p) throw std::runtime_error(p.error().message);
    return std::move(*p);
  }
  static GenerationRequest request(std::string model, store::Task task = store::Task::TextToVideo) {
    GenerationRequest r;
    r.task = task;
    r.provider_model = std::move(model);
    r.prompt_text = "A horse gallops along a beach at dawn";
    r.duration_s = 5;
    r.width = 1280;
    r.height = 720;
    r.aspect = "16:9";
    r.seed = 1234;
    r.track_id = "t";
    r.prompt_id = "p1";
    r.model_id = "m";
    if (task == store::Task::ImageToVideo) {
      r.source = dir_->path() / "source.png";
      r.source_mime = "image/png";
    }
    return r;
  }
  // The one submission the fake received since the reset.
  static json submitted_request() {
    json log = fake_->requests("dashscope");
    json out;
    for (const json& r : log) {
      if (r.value("method", "") == "POST") out = r;
    }
    return out;
  }
  // Polls until the task is final.
  static TaskStatus finish(Provider& p, const SubmittedTask& task) {
    for (int i = 0; i < 20; ++i) {
      auto s = p.poll(task);
      if (!s) throw std::runtime_error(s.error().message);
      if (s->state != TaskState::Queued && s->state != TaskState::Running) return *s;
    }
    throw std::runtime_error("the task never finished");
  }

  static TempDir* dir_;
  static FakeVendors* fake_;
};
TempDir* DashScope::dir_ = nullptr;
FakeVendors* DashScope::fake_ = nullptr;

TEST_F(DashScope, HappyHorseTextToVideoRequestIsTheDocumentedOneFieldByField) {
  auto p = provider();
  auto req = request("happyhorse-1.0-t2v");
  auto planned = p->plan(req);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_TRUE(planned->deviations.empty());
  ASSERT_TRUE(planned->estimated_cost);
  EXPECT_DOUBLE_EQ(planned->estimated_cost->amount, 0.14 * 5);
  auto task = p->submit(req, *planned);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_FALSE(task->task_id.empty());

  const json sent = submitted_request();
  EXPECT_EQ(sent["path"], "/dashscope/api/v1/services/aigc/video-generation/video-synthesis");
  const json& h = sent["headers"];
  EXPECT_EQ(h["x-dashscope-async"], "enable");
  EXPECT_EQ(h["content-type"], "application/json");
  // The fake masks the key in its log; the submission was accepted, so the key was right.
  EXPECT_EQ(h["authorization"], fmt::format("Bearer <redacted {} chars>", std::strlen(kKey)));
  const json expected = {{"model", "happyhorse-1.0-t2v"},
                         {"input", {{"prompt", "A horse gallops along a beach at dawn"}}},
                         {"parameters",
                          {{"resolution", "720P"},
                           {"ratio", "16:9"},
                           {"duration", 5},
                           {"watermark", false},
                           {"seed", 1234}}}};
  EXPECT_EQ(sent["body"], expected) << sent["body"].dump(2);
  // The recorded request is what was sent.
  EXPECT_EQ(planned->parameters, expected);
}

TEST_F(DashScope, HappyHorseImageToVideoSendsTheImageAsFirstFrameWithoutRatio) {
  auto p = provider();
  auto req = request("happyhorse-1.0-i2v", store::Task::ImageToVideo);
  req.height = 1080;
  req.width = 1920;
  auto planned = p->plan(req);
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_TRUE(p->submit(req, *planned));
  const json body = submitted_request()["body"];
  ASSERT_EQ(body["input"]["media"].size(), 1u);
  EXPECT_EQ(body["input"]["media"][0]["type"], "first_frame");
  EXPECT_TRUE(
      body["input"]["media"][0]["url"].get<std::string>().starts_with("data:image/png;base64,"));
  EXPECT_EQ(body["parameters"],
            json({{"resolution", "1080P"}, {"duration", 5}, {"watermark", false}, {"seed", 1234}}));
  EXPECT_FALSE(body["input"].contains("img_url"));
  // the recorded request holds no image
  EXPECT_EQ(planned->parameters.dump().find("base64"), std::string::npos);
}

TEST_F(DashScope, WanTakesSizeWithAnAsteriskForTextAndImgUrlForImages) {
  auto p = provider();
  auto req = request("wan2.6-t2v");
  auto planned = p->plan(req);
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_TRUE(planned->estimated_cost);
  EXPECT_EQ(planned->estimated_cost->currency, "CNY");
  ASSERT_TRUE(p->submit(req, *planned));
  json body = submitted_request()["body"];
  EXPECT_EQ(body["parameters"], json({{"size", "1280*720"},
                                      {"duration", 5},
                                      {"watermark", false},
                                      {"audio", false},
                                      {"seed", 1234}}));
  EXPECT_EQ(body["input"], json({{"prompt", "A horse gallops along a beach at dawn"}}));

  fake_->post("/_control/reset", json::object());
  auto i2v = request("wan2.5-i2v-preview", store::Task::ImageToVideo);
  auto planned_i2v = p->plan(i2v);
  ASSERT_TRUE(planned_i2v) << planned_i2v.error().message;
  auto task = p->submit(i2v, *planned_i2v);
  ASSERT_TRUE(task) << task.error().message;
  body = submitted_request()["body"];
  EXPECT_TRUE(body["input"]["img_url"].get<std::string>().starts_with("data:image/png;base64,"));
  EXPECT_EQ(body["parameters"]["resolution"], "720P");
  EXPECT_FALSE(body["parameters"].contains("size"));
}

TEST_F(DashScope, PlansSayWhatTheApiCannotHonourBeforeAnythingIsPaid) {
  auto p = provider();
  auto odd = request("happyhorse-1.0-t2v");
  odd.duration_s = 5.4;
  odd.width = 640;
  odd.height = 360;
  auto planned = p->plan(odd);
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_EQ(planned->deviations.size(), 2u);
  EXPECT_NE(planned->deviations[0].find("720P"), std::string::npos) << planned->deviations[0];
  EXPECT_NE(planned->deviations[1].find("sent as 5 s"), std::string::npos)
      << planned->deviations[1];

  auto wan = request("wan2.2-t2v-plus");
  wan.duration_s = 4.6;
  planned = p->plan(wan);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->parameters["parameters"]["size"], "1920*1080");  // 2.2 plus: 480P or 1080P

  for (auto [model, change] :
       std::vector<std::pair<std::string, std::function<void(GenerationRequest&)>>>{
           {"happyhorse-1.0-t2v", [](GenerationRequest& r) { r.duration_s = 2; }},
           {"happyhorse-1.0-t2v", [](GenerationRequest& r) { r.width = 2100, r.height = 900; }},
           {"happyhorse-1.0-i2v", [](GenerationRequest&) {}},  // a text-to-video track
           {"happyhorse-1.0-video-edit", [](GenerationRequest&) {}},
           {"wan9.9-t2v", [](GenerationRequest&) {}},
           {"wan2.2-t2v-plus", [](GenerationRequest& r) { r.audio = true; }},
           {"wan2.6-t2v", [](GenerationRequest& r) { r.duration_s = 8; }},
           {"qwen-image", [](GenerationRequest&) {}}}) {
    auto r = request(model);
    change(r);
    auto refused = p->plan(r);
    ASSERT_FALSE(refused) << model;
    EXPECT_EQ(refused.error().code, "unsupported") << refused.error().message;
  }
}

TEST_F(DashScope, ATaskIsPolledToSuccessItsClipFetchedAndPricedFromUsage) {
  auto p = provider();
  auto req = request("happyhorse-1.0-t2v");
  req.width = 1920;
  req.height = 1080;
  auto planned = p->plan(req);
  ASSERT_TRUE(planned);
  auto task = p->submit(req, *planned);
  ASSERT_TRUE(task) << task.error().message;
  auto first = p->poll(*task);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->state, TaskState::Queued);
  EXPECT_EQ(first->provider_status, "PENDING");
  auto second = p->poll(*task);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->state, TaskState::Running);
  const TaskStatus done = finish(*p, *task);
  ASSERT_EQ(done.state, TaskState::Succeeded);
  EXPECT_FALSE(done.result_url.empty());
  ASSERT_TRUE(done.cost);
  EXPECT_DOUBLE_EQ(done.cost->amount, 0.24 * 5);  // usage: 5 s at SR 1080
  TempDir staging;
  auto download = p->fetch_result(*task, done, staging.path(), 64 << 20);
  ASSERT_TRUE(download) << download.error().message;
  auto facts = media::probe(download->file.path());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_FALSE(facts->is_image);
  // The poll went to the documented route with the key.
  bool polled = false;
  for (const json& r : fake_->requests("dashscope")) {
    if (r["method"] == "GET" && r["path"] == "/dashscope/api/v1/tasks/" + task->task_id) {
      polled = r["headers"]["authorization"] ==
               fmt::format("Bearer <redacted {} chars>", std::strlen(kKey));
    }
  }
  EXPECT_TRUE(polled);
}

TEST_F(DashScope, FailuresInsideHttp200AreFailedTasksAndModerationIsARefusal) {
  auto p = provider();
  fake_->behaviour({{"vendor", "dashscope"}, {"outcome", "fail"}, {"fail_kind", "moderation"}});
  auto req = request("happyhorse-1.0-t2v");
  auto task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  TaskStatus s = finish(*p, *task);
  EXPECT_EQ(s.state, TaskState::Failed);
  EXPECT_TRUE(s.refusal);
  EXPECT_EQ(s.error_code, "DataInspectionFailed");
  EXPECT_FALSE(s.error_message.empty());

  fake_->behaviour({{"vendor", "dashscope"}, {"outcome", "fail"}, {"fail_kind", "internal"}});
  task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  s = finish(*p, *task);
  EXPECT_EQ(s.state, TaskState::Failed);
  EXPECT_FALSE(s.refusal);
  EXPECT_EQ(s.error_code, "InternalError");
}

TEST_F(DashScope, ExpiredCancelledAndUnknownStatusesAreNeverSuccess) {
  auto p = provider();
  auto req = request("happyhorse-1.0-t2v");
  fake_->behaviour({{"vendor", "dashscope"}, {"outcome", "expire"}});
  auto task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  EXPECT_EQ(finish(*p, *task).state, TaskState::Expired);

  fake_->behaviour({{"vendor", "dashscope"}, {"outcome", "cancel"}});
  task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  EXPECT_EQ(finish(*p, *task).state, TaskState::Canceled);

  fake_->behaviour({{"vendor", "dashscope"},
                    {"outcome", "unknown_status"},
                    {"status_value", "HALF_DONE"},
                    {"polls_before_done", 0}});
  task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  auto s = p->poll(*task);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "bad_reply");
  EXPECT_NE(s.error().message.find("HALF_DONE"), std::string::npos);
}

TEST_F(DashScope, ThrottlingAndServerErrorsAreRetryableAndRefusalsAreNot) {
  auto p = provider();
  auto req = request("happyhorse-1.0-t2v");
  fake_->behaviour({{"vendor", "dashscope"}, {"submit_429", 1}, {"retry_after", 3}});
  auto throttled = p->submit(req, *p->plan(req));
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, "http_error");
  const AttemptOutcome a = outcome_of(throttled.error());
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.retry_after, "3");

  fake_->post("/_control/reset", json::object());  // the 429 rule waits for its task
  fake_->behaviour({{"vendor", "dashscope"}, {"submit_5xx", 1}});
  auto broken = p->submit(req, *p->plan(req));
  ASSERT_FALSE(broken);
  EXPECT_EQ(outcome_of(broken.error()).status, 503);

  auto bad = req;
  bad.provider_model = "happyhorse-1.0-t2v";
  PlannedRequest wrong = *p->plan(bad);
  wrong.parameters["parameters"]["size"] = "1280*720";  // HappyHorse takes no size
  auto refused = p->submit(bad, wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "refused");
  EXPECT_NE(refused.error().message.find("InvalidParameter"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find(kKey), std::string::npos);
}

TEST_F(DashScope, AnExpiredResultUrlIsFetchedAgainFromAFreshPoll) {
  auto p = provider();
  EXPECT_TRUE(p->refetch_allowed());
  fake_->behaviour({{"vendor", "dashscope"}, {"expired_url_first", true}});
  auto req = request("happyhorse-1.0-t2v");
  auto task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  TaskStatus done = finish(*p, *task);
  TempDir staging;
  auto first = p->fetch_result(*task, done, staging.path(), 64 << 20);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, "expired_result");
  EXPECT_NE(first.error().message.find("Signature=[redacted]"), std::string::npos)
      << "URLs are redacted: " << first.error().message;
  auto again = p->poll(*task);
  ASSERT_TRUE(again);
  auto second = p->fetch_result(*task, *again, staging.path(), 64 << 20);
  ASSERT_TRUE(second) << second.error().message;
}

TEST_F(DashScope, AResultAtAPrivateAddressIsRefused) {
  auto p = provider();
  fake_->behaviour({{"vendor", "dashscope"}, {"result_url", "private"}});
  auto req = request("happyhorse-1.0-t2v");
  auto task = p->submit(req, *p->plan(req));
  ASSERT_TRUE(task);
  TaskStatus done = finish(*p, *task);
  TempDir staging;
  auto d = p->fetch_result(*task, done, staging.path(), 64 << 20);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, "blocked_address");
  EXPECT_TRUE(fs::is_empty(staging.path()));
}

TEST_F(DashScope, AMissingKeyIsNamedByItsVariableNeverByAValue) {
  ::unsetenv(kKeyVariable);
  auto p = DashScopeProvider::create(config());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "missing_secret");
  EXPECT_NE(p.error().message.find(kKeyVariable), std::string::npos);
  ::setenv(kKeyVariable, "sk-wrong-key-0000", 1);
  auto wrong = provider();
  auto req = request("happyhorse-1.0-t2v");
  auto refused = wrong->submit(req, *wrong->plan(req));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "refused");
  EXPECT_NE(refused.error().message.find("InvalidApiKey"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("sk-wrong-key-0000"), std::string::npos);
}

TEST(DashScopeRegions, BaseUrlsByRegion) {
  EXPECT_EQ(dashscope_region_url("singapore"), "https://dashscope-intl.aliyuncs.com");
  EXPECT_EQ(dashscope_region_url("virginia"), "https://dashscope-us.aliyuncs.com");
  EXPECT_EQ(dashscope_region_url("beijing"), "https://dashscope.aliyuncs.com");
  EXPECT_FALSE(dashscope_region_url("mars"));
}

}  // namespace
}  // namespace paddock::generate
