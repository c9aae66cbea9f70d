#pragma once
// Test support for ProtocolProvider against the fake vendors: one FakeVendorServer per test
// process, providers made from a configuration entry written in the test, and a task driven
// from plan to a final state the way the job runner drives it (without its waits).
//
//   auto provider = make_provider(R"(protocol = "seedance")", "ark");
//   auto run = run_task(*provider, request("seedance-1-5-pro-251215", "a fox"));
//   ASSERT_EQ(run.status.state, TaskState::Succeeded);
//   auto clip = fetch(*provider, run);

#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generate/protocol_provider.hpp"
#include "generate/testing/fake_vendor_server.hpp"
#include "support/temp_dir.hpp"

namespace paddock::generate::testing {

// The fake, started on first use and stopped when the test process ends.
inline FakeVendorServer& fake() {
  static FakeVendorServer server;
  return server;
}

// The fake's test keys in the environment variables the presets name by default.
inline void set_test_keys() {
  ::setenv("ARK_API_KEY", "ark-test-key", 1);
  ::setenv("KLING_ACCESS_KEY", "kling-test-ak", 1);
  ::setenv("KLING_SECRET_KEY", "kling-test-sk", 1);
  ::setenv("GEMINI_API_KEY", "gemini-test-key", 1);
  ::setenv("VERTEX_ACCESS_TOKEN", "ya29.vertex-test-token", 1);
  ::setenv("RUNWAYML_API_SECRET", "key_test_runway", 1);
  ::setenv("MINIMAX_API_KEY", "minimax-test-key", 1);
  ::setenv("XAI_API_KEY", "xai-test-key", 1);
  ::setenv("FAL_KEY", "fal-test-id:fal-test-secret", 1);
  ::setenv("REPLICATE_API_TOKEN", "r8_test_replicate", 1);
}

// A provider from the body of a [providers.NAME] table, pointed at the fake's `prefix` (a
// vendor's path prefix, and the path the vendor's base URL has: "ark/api/v3") and allowed to
// reach exactly the fake's address. Its name is the prefix's first segment.
inline std::unique_ptr<ProtocolProvider> make_provider(std::string_view entry,
                                                       std::string_view prefix) {
  set_test_keys();
  // Top-level keys first: in TOML, keys after a [table] header belong to that table.
  const std::string text = "base_url = \"" + fake().base(prefix) +
                           "\"\nallow_addresses = [\"127.0.0.1\"]\n" + std::string(entry);
  toml::table table;
  try {
    table = toml::parse(text);
  } catch (const toml::parse_error& e) {
    ADD_FAILURE() << "bad test configuration: " << e.description();
    return nullptr;
  }
  auto provider = make_protocol_provider(prefix.substr(0, prefix.find('/')), table);
  if (!provider) {
    ADD_FAILURE() << provider.error().code << ": " << provider.error().message;
    return nullptr;
  }
  return std::move(*provider);
}

inline GenerationRequest t2v_request(std::string model, std::string prompt) {
  GenerationRequest request;
  request.task = store::Task::TextToVideo;
  request.provider_model = std::move(model);
  request.prompt_text = std::move(prompt);
  request.duration_s = 5;
  request.width = 1280;
  request.height = 720;
  request.aspect = "16:9";
  request.audio = false;
  request.seed = 42;
  return request;
}

inline GenerationRequest i2v_request(std::string model, std::string prompt) {
  GenerationRequest request = t2v_request(std::move(model), std::move(prompt));
  request.task = store::Task::ImageToVideo;
  request.source = fake().source_png();
  request.source_mime = "image/png";
  return request;
}

struct TaskRun {
  PlannedRequest planned;
  SubmittedTask task;
  TaskStatus status;
  int polls = 0;
};

// plan -> submit -> poll until a final state (at most `max_polls`). Failures of the calls
// are test failures; the final status, whatever it is, is returned.
inline TaskRun run_task(ProtocolProvider& provider, const GenerationRequest& request,
                        int max_polls = 8) {
  TaskRun run;
  auto planned = provider.plan(request);
  EXPECT_TRUE(planned) << planned.error().code << ": " << planned.error().message;
  if (!planned) return run;
  run.planned = *planned;
  auto task = provider.submit(request, run.planned);
  EXPECT_TRUE(task) << task.error().code << ": " << task.error().message;
  if (!task) return run;
  run.task = *task;
  for (run.polls = 1; run.polls <= max_polls; ++run.polls) {
    auto status = provider.poll(run.task);
    EXPECT_TRUE(status) << status.error().code << ": " << status.error().message;
    if (!status) return run;
    run.status = *status;
    if (status->state != TaskState::Queued && status->state != TaskState::Running) break;
  }
  return run;
}

// Polls `task` until its state is final; the poll's error when one fails.
inline Result<TaskStatus> poll_to_end(ProtocolProvider& provider, const SubmittedTask& task,
                                      int max_polls = 8) {
  Result<TaskStatus> status = fail("test", "never polled");
  for (int i = 0; i < max_polls; ++i) {
    status = provider.poll(task);
    if (!status || (status->state != TaskState::Queued && status->state != TaskState::Running)) {
      break;
    }
  }
  return status;
}

// The request log entries of `vendor` whose path under the vendor's prefix starts with `path`.
inline std::vector<nlohmann::json> logged(std::string_view vendor, std::string_view path) {
  std::vector<nlohmann::json> out;
  const std::string full = "/" + std::string(vendor) + std::string(path);
  for (const auto& entry : fake().requests(vendor)) {
    if (entry.value("path", "").starts_with(full)) out.push_back(entry);
  }
  return out;
}

// The body the fake received for the submission whose prompt is `prompt`.
inline nlohmann::json submitted_body(std::string_view vendor, std::string_view prompt) {
  for (const auto& entry : fake().requests(vendor)) {
    if (entry.value("method", "") != "POST" || !entry.contains("body")) continue;
    if (entry["body"].dump().find(std::string(prompt)) != std::string::npos) return entry["body"];
  }
  ADD_FAILURE() << "no " << vendor << " submission with the prompt " << prompt;
  return nullptr;
}

// The name of the running test, for prompts that keep tests apart on the shared fake.
inline std::string test_name() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// One outcome the fake can be told to produce, and what the provider must make of it.
struct OutcomeCase {
  std::string name;
  nlohmann::json behaviour;        // the fake's behaviour fields (vendor and prompt are added)
  std::optional<TaskState> state;  // nullopt: polling fails with "bad_reply"
  bool refusal = false;
  std::string error_code = {};  // when not empty, the status's error_code
};

// Runs one task per case on the fake's `vendor` and checks where each ends.
inline void expect_outcomes(ProtocolProvider& provider, std::string_view vendor,
                            const GenerationRequest& base, const std::vector<OutcomeCase>& cases) {
  for (const OutcomeCase& c : cases) {
    SCOPED_TRACE(c.name);
    GenerationRequest request = base;
    const std::string token = test_name() + "-" + c.name;
    request.prompt_text = base.prompt_text + " " + token;
    nlohmann::json rule = c.behaviour;
    rule["vendor"] = vendor;
    rule["prompt_contains"] = token;
    fake().behaviour(rule);
    auto planned = provider.plan(request);
    ASSERT_TRUE(planned) << planned.error().message;
    auto task = provider.submit(request, *planned);
    ASSERT_TRUE(task) << task.error().message;
    auto status = poll_to_end(provider, *task);
    if (!c.state) {
      ASSERT_FALSE(status) << "state " << static_cast<int>(status->state);
      EXPECT_EQ(status.error().code, "bad_reply") << status.error().message;
      continue;
    }
    ASSERT_TRUE(status) << status.error().code << ": " << status.error().message;
    EXPECT_EQ(status->state, *c.state) << status->provider_status << " " << status->error_message;
    EXPECT_EQ(status->refusal, c.refusal) << status->error_code << " " << status->error_message;
    if (!c.error_code.empty()) {
      EXPECT_EQ(status->error_code, c.error_code);
    }
    if (status->state == TaskState::Failed) {
      EXPECT_FALSE(status->error_message.empty());
    }
  }
}

// The outcomes every vendor's fake can produce, with the provider's reading of each that is
// common to most protocols; a preset's test adds or adjusts its own.
inline std::vector<OutcomeCase> common_outcomes() {
  return {
      {"succeed", {{"outcome", "succeed"}}, TaskState::Succeeded},
      {"moderation", {{"outcome", "fail"}, {"fail_kind", "moderation"}}, TaskState::Failed, true},
      {"internal", {{"outcome", "fail"}, {"fail_kind", "internal"}}, TaskState::Failed, false},
      {"unknown", {{"outcome", "unknown_status"}, {"status_value", "MYSTERY_STATE"}}, std::nullopt},
  };
}

// 429 with Retry-After and 5xx on submit and on poll come back as "http_error" with the
// status and Retry-After for the retry policy; the retry then works.
inline void expect_retryable_faults(ProtocolProvider& provider, std::string_view vendor,
                                    const GenerationRequest& base) {
  GenerationRequest request = base;
  const std::string token = test_name() + "-faults";
  request.prompt_text = base.prompt_text + " " + token;
  fake().behaviour({{"vendor", vendor},
                    {"prompt_contains", token},
                    {"submit_429", 1},
                    {"retry_after", 3},
                    {"submit_5xx", 1},
                    {"poll_5xx", 1},
                    {"status_5xx", 503}});
  auto planned = provider.plan(request);
  ASSERT_TRUE(planned) << planned.error().message;
  auto limited = provider.submit(request, *planned);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, "http_error") << limited.error().message;
  EXPECT_EQ(outcome_of(limited.error()).status, 429) << limited.error().message;
  EXPECT_EQ(outcome_of(limited.error()).retry_after, "3") << limited.error().message;
  auto unavailable = provider.submit(request, *planned);
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(outcome_of(unavailable.error()).status, 503) << unavailable.error().message;
  EXPECT_TRUE(is_retryable(outcome_of(unavailable.error())));
  auto task = provider.submit(request, *planned);
  ASSERT_TRUE(task) << task.error().message;
  auto poll_failed = provider.poll(*task);
  ASSERT_FALSE(poll_failed);
  EXPECT_EQ(outcome_of(poll_failed.error()).status, 503) << poll_failed.error().message;
  auto status = poll_to_end(provider, *task);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->state, TaskState::Succeeded);
}

// Plans, submits, polls and downloads one task; checks the fake received exactly the plan
// (`image_at`: a JSON pointer to where the source image goes, which the plan shows as a
// placeholder) and that the clip arrived whole.
inline TaskRun expect_full_run(ProtocolProvider& provider, std::string_view vendor,
                               const GenerationRequest& request, const std::string& image_at = "") {
  TaskRun run = run_task(provider, request);
  EXPECT_EQ(run.status.state, TaskState::Succeeded) << run.status.error_message;
  if (run.status.state != TaskState::Succeeded) return run;
  nlohmann::json sent = submitted_body(vendor, request.prompt_text);
  nlohmann::json planned = run.planned.parameters;
  if (!image_at.empty()) {
    const nlohmann::json::json_pointer at(image_at);
    EXPECT_TRUE(planned.contains(at) && planned[at].get<std::string>().starts_with("<source image"))
        << planned.dump();
    EXPECT_TRUE(sent.contains(at)) << sent.dump();
    planned[at] = "(image)";
    if (sent.contains(at)) sent[at] = "(image)";
  }
  EXPECT_EQ(sent, planned);
  paddock::testing::TempDir dir("paddock-preset");
  auto clip = provider.fetch_result(run.task, run.status, dir.path(), 50'000'000);
  EXPECT_TRUE(clip) << clip.error().code << ": " << clip.error().message;
  if (clip) {
    EXPECT_EQ(clip->bytes, fake().clip_bytes());
  }
  return run;
}

// A result URL that is dead from its first download: fetch_result says "expired_result", and
// the provider's refetch_allowed() matches what the vendor does — with `refetches`, the next
// poll signs a fresh URL and the clip downloads; without, the vendor keeps the dead URL, so
// polling again cannot help and the runner must not pretend it does.
inline void expect_expired_result(ProtocolProvider& provider, std::string_view vendor,
                                  const GenerationRequest& base, bool refetches) {
  GenerationRequest request = base;
  const std::string token = test_name() + "-expired";
  request.prompt_text = base.prompt_text + " " + token;
  fake().behaviour({{"vendor", vendor}, {"prompt_contains", token}, {"expired_url_first", true}});
  const TaskRun run = run_task(provider, request);
  ASSERT_EQ(run.status.state, TaskState::Succeeded) << run.status.error_message;
  paddock::testing::TempDir dir("paddock-expired");
  auto first = provider.fetch_result(run.task, run.status, dir.path(), 50'000'000);
  ASSERT_FALSE(first) << "a dead result URL downloaded";
  EXPECT_EQ(first.error().code, "expired_result") << first.error().message;
  EXPECT_EQ(provider.refetch_allowed(), refetches);
  auto again = provider.poll(run.task);
  ASSERT_TRUE(again) << again.error().code << ": " << again.error().message;
  ASSERT_EQ(again->state, TaskState::Succeeded);
  auto second = provider.fetch_result(run.task, *again, dir.path(), 50'000'000);
  if (refetches) {
    ASSERT_TRUE(second) << second.error().code << ": " << second.error().message;
    EXPECT_EQ(second->bytes, fake().clip_bytes());
  } else {
    ASSERT_FALSE(second) << "the vendor keeps the dead URL, yet it downloaded";
    EXPECT_EQ(second.error().code, "expired_result") << second.error().message;
  }
}

// One poll as the vendor spells it and the state it must map to.
struct PollStep {
  std::string provider_status;
  TaskState state;
};

// Runs a task whose fake `behaviour` (vendor and prompt added) answers with `steps`, one per
// poll, and checks each poll's vendor word and mapped state: a non-final spelling mapped to
// the wrong state (or to success) fails here, not just an unknown one.
inline void expect_poll_steps(ProtocolProvider& provider, std::string_view vendor,
                              const GenerationRequest& base, nlohmann::json behaviour,
                              const std::vector<PollStep>& steps) {
  GenerationRequest request = base;
  static int runs = 0;  // each call its own prompt, so each its own behaviour rule
  const std::string token = test_name() + "-steps-" + std::to_string(++runs);
  request.prompt_text = base.prompt_text + " " + token;
  behaviour["vendor"] = vendor;
  behaviour["prompt_contains"] = token;
  fake().behaviour(behaviour);
  auto planned = provider.plan(request);
  ASSERT_TRUE(planned) << planned.error().message;
  auto task = provider.submit(request, *planned);
  ASSERT_TRUE(task) << task.error().message;
  for (const PollStep& step : steps) {
    SCOPED_TRACE("poll expecting " + step.provider_status);
    auto status = provider.poll(*task);
    ASSERT_TRUE(status) << status.error().code << ": " << status.error().message;
    EXPECT_EQ(status->provider_status, step.provider_status);
    EXPECT_EQ(status->state, step.state);
  }
}

inline bool says(const PlannedRequest& planned, std::string_view words) {
  for (const std::string& deviation : planned.deviations) {
    if (deviation.find(words) != std::string::npos) return true;
  }
  return false;
}

inline std::string deviations_of(const PlannedRequest& planned) {
  std::string out;
  for (const std::string& deviation : planned.deviations) out += "\n  " + deviation;
  return out;
}

}  // namespace paddock::generate::testing
