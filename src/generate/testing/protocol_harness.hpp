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
#include <string>
#include <string_view>

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

// A provider from the body of a [providers.NAME] table, pointed at the fake's `prefix` and
// allowed to reach exactly the fake's address.
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
  auto provider = make_protocol_provider(prefix, table);
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

// The request log entries of `vendor` whose path starts with `path`.
inline std::vector<nlohmann::json> logged(std::string_view vendor, std::string_view path) {
  std::vector<nlohmann::json> out;
  for (const auto& entry : fake().requests(vendor)) {
    if (entry.value("path", "").starts_with(path)) out.push_back(entry);
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

}  // namespace paddock::generate::testing
