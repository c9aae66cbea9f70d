#pragma once
// Alibaba Cloud Model Studio (DashScope) asynchronous video tasks: HappyHorse-1.0
// (happyhorse-1.0-t2v, -i2v) and Wan 2.x (wan2.6-t2v, wan2.5-i2v-preview, ...). Written from
// the vendor's documentation (docs/generate.md has the mapping table and the sources):
//   submit  POST {base}/api/v1/services/aigc/video-generation/video-synthesis
//           Authorization: Bearer KEY, X-DashScope-Async: enable, a JSON body
//           {"model", "input", "parameters"} -> output.task_id
//   poll    GET {base}/api/v1/tasks/{task_id} -> output.task_status PENDING / RUNNING /
//           SUCCEEDED (output.video_url, usage) / FAILED (output.code, output.message, inside
//           an HTTP 200) / CANCELED / UNKNOWN (the task expired after 24 h)
// The two families differ: HappyHorse takes parameters.resolution ("720P"/"1080P"), ratio
// (text-to-video only), an integer duration 3-15, seed and watermark (on by default, so
// paddock sends false), and the source image as input.media [{"type": "first_frame",
// "url": data URI}]; Wan takes input.img_url, and for text-to-video parameters.size "W*H".
// A result URL is signed anew on every poll, so an expired one is fetched again.

#include <memory>

#include "generate/generate_config.hpp"
#include "generate/http_client.hpp"
#include "generate/provider.hpp"
#include "generate/secret.hpp"

namespace paddock::generate {

// The base URL of a DashScope region: "singapore" (the default), "virginia", "beijing".
std::optional<std::string> dashscope_region_url(std::string_view region);

class DashScopeProvider final : public Provider {
 public:
  // Reads the key from config.key_env (default DASHSCOPE_API_KEY). The base URL is
  // config.base_url, else the region's (raw "region"), else Singapore's.
  // Errors: "missing_secret", "bad_config".
  static Result<std::unique_ptr<DashScopeProvider>> create(const ProviderConfig& config);

  std::string_view name() const override { return config_.name; }
  Result<PlannedRequest> plan(const GenerationRequest& request) const override;
  Result<SubmittedTask> submit(const GenerationRequest& request,
                               const PlannedRequest& planned) override;
  Result<TaskStatus> poll(const SubmittedTask& task) override;
  Result<Download> fetch_result(const SubmittedTask& task, const TaskStatus& status,
                                const std::filesystem::path& dir, std::int64_t max_bytes) override;
  bool refetch_allowed() const override { return true; }

 private:
  DashScopeProvider(ProviderConfig config, std::string base_url, Secret key, Client client);
  // The cost of a succeeded task from its usage (seconds, resolution) and the price table.
  std::optional<Cost> cost_of(const SubmittedTask& task, const nlohmann::json& usage) const;

  ProviderConfig config_;
  std::string base_url_;
  Secret key_;
  Client client_;
};

}  // namespace paddock::generate
