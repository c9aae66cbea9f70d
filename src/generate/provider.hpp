#pragma once
// A provider: one configured way of having a model make a clip (a vendor's API, or the
// local placeholder renderer). The job runner drives every provider through this interface:
// plan (no network, nothing paid) -> submit -> poll until a final state -> fetch the result.
// Implementations: DashScopeProvider (Alibaba Model Studio: HappyHorse, Wan),
// ProtocolProvider (the declarative task protocol and its presets: Seedance, Kling, Veo,
// Runway, MiniMax, xAI, fal, Replicate, or an operator's own), PlaceholderProvider (renders
// locally, for the demo and tests). docs/generate.md describes each.
//
// Errors of submit(), poll() and fetch_result() carry stable codes:
//   the transport codes of http_client.hpp ("network_error", "timeout", "truncated",
//   "too_large", "blocked_address", "bad_url", "tls_error", ...);
//   "http_error"      a non-2xx reply that is not a refusal, or a rate limit or provider
//                     error inside an HTTP 200 (the retry policy decides, from the status
//                     and Retry-After: outcome_of(error) in retry.hpp reads them back);
//   "refused"         the provider refused the request itself (content moderation, invalid
//                     parameter, unknown model, bad key, no balance): recorded, not retried;
//   "bad_reply"       a reply that does not follow the protocol (no task id, a status value
//                     the protocol does not map — an unknown status is never success);
//   "expired_result"  fetch_result(): the result URL no longer works (the runner polls
//                     again for a fresh one when refetch_allowed()).
// An "http_error" is check_status()'s for a reply, or made with http_error() of retry.hpp:
// one shape, "HTTP <status>[ (Retry-After <value>)]: <what>", read back for the runner's
// retry decision by outcome_of(error).
// Messages never contain a key: URLs go through redact_url(), secrets are Secret values.
//
// Thread safety: one Provider object serves every worker thread of a run.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "generate/http_client.hpp"
#include "generate/retry.hpp"
#include "store/records.hpp"

namespace paddock::generate {

// An amount of money or of a provider's units ("USD", "CNY", "credits").
struct Cost {
  double amount = 0;
  std::string currency;

  bool operator==(const Cost&) const = default;
};

// What one job asks for, provider-neutral: the track's settings and the prompt.
struct GenerationRequest {
  store::Task task = store::Task::TextToVideo;
  std::string provider_model;  // the provider's model id for this task (the model's config)
  std::string prompt_text;
  std::filesystem::path source;  // the prompt's source image or video; empty for t2v
  std::string source_mime;
  double duration_s = 0;
  int width = 0;
  int height = 0;
  std::string aspect;  // "16:9"
  bool audio = false;
  std::optional<int64_t> seed;                                 // from the track's seed policy
  nlohmann::json fixed_parameters = nlohmann::json::object();  // the model's, from the catalog
  // A random id the job sends where the provider accepts a client reference (Kling's
  // external_task_id), so a submission whose reply was lost can be found again.
  std::string client_reference;
  // Added by the core (gencore) after the first draft of this interface:
  bool watermark = false;  // the track allows the provider's visible watermark
  // Which job this is, for messages and for the placeholder renderer (providers that call
  // an API do not send them).
  std::string track_id;
  std::string prompt_id;
  std::string model_id;
};

// The provider-specific request, decided before anything is paid. The dry run and the
// submission use the same plan(), so the plan shown is the request sent.
struct PlannedRequest {
  nlohmann::json parameters = nlohmann::json::object();  // what is sent, never a key;
                                                         // recorded with the clip
  // Settings the API cannot honour, in words, e.g. "duration 5 s sent as 6 s (MiniMax
  // takes 6 or 10)", "no seed (Kling has none)", "audio always on (Veo on the Gemini API)".
  std::vector<std::string> deviations;
  std::optional<Cost> estimated_cost;  // from the price table; nullopt when none is known
};

struct SubmittedTask {
  std::string task_id;  // the provider's id; committed before the first poll
  // Whatever else polling needs (fal's status and response URLs, Kling's endpoint kind, a
  // Gemini operation name), persisted with the job as JSON.
  nlohmann::json handle = nlohmann::json::object();
};

enum class TaskState { Queued, Running, Succeeded, Failed, Expired, Canceled };
std::string_view to_string(TaskState);  // "queued", "running", "succeeded", ...

struct TaskStatus {
  TaskState state = TaskState::Queued;
  std::string provider_status;  // the vendor's own word ("PENDING", "succeed", ...)
  std::string result_url;       // Succeeded: where the clip is
  std::string inline_base64;    // Succeeded: the clip itself, for APIs that return bytes
  std::string error_code;       // Failed/Expired/Canceled: the vendor's code and words
  std::string error_message;
  bool refusal = false;      // Failed because of the request itself: recorded, never retried
  std::optional<Cost> cost;  // from the vendor's usage fields and the price table
  nlohmann::json usage;      // the vendor's usage object as sent (null when none)
};

class Provider {
 public:
  virtual ~Provider() = default;

  // The provider's name in the configuration, e.g. "dashscope-intl".
  virtual std::string_view name() const = 0;

  // Maps the request onto the provider's parameters. No network. Errors: "unsupported"
  // (the provider cannot make this at all: a task it has no model for, an aspect it cannot
  // produce), naming what and why.
  virtual Result<PlannedRequest> plan(const GenerationRequest& request) const = 0;

  // Submits one task. REQUIRES: `planned` came from plan(request).
  virtual Result<SubmittedTask> submit(const GenerationRequest& request,
                                       const PlannedRequest& planned) = 0;

  // The task's state now.
  virtual Result<TaskStatus> poll(const SubmittedTask& task) = 0;

  // Downloads a succeeded task's clip into a temporary file in `dir`, at most `max_bytes`.
  virtual Result<Download> fetch_result(const SubmittedTask& task, const TaskStatus& status,
                                        const std::filesystem::path& dir,
                                        std::int64_t max_bytes) = 0;

  // True if polling a succeeded task again gives a fresh result URL (the old one expired).
  virtual bool refetch_allowed() const = 0;

  // For a submission whose reply was lost (the process died between sending it and
  // committing the task id): the task submitted with request.client_reference, if the
  // provider can look tasks up by it. nullopt: the provider cannot; then the job stays "in
  // doubt" and is never resubmitted without the operator's word.
  virtual std::optional<Result<std::optional<SubmittedTask>>> find_by_reference(
      const GenerationRequest& request) {
    (void)request;
    return std::nullopt;
  }
};

}  // namespace paddock::generate
