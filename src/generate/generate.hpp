#pragma once
// paddock generate: fill a track with clips made by the models' own APIs
// (docs/generate.md). One job per (track, prompt, model) without a clip, kept in the
// database; each job is submitted to its model's provider, polled, its result downloaded
// into the media folder's staging area and stored through the same path as
// `paddock import` (arena::import_clip).
//
//   ProviderSet providers(config);
//   auto plan = plan_generation(store, providers, options);   // no network; the dry run
//   auto report = run_generation(store, providers, *plan, options, stop, progress);
//
// Exactly once: a job's state "submitting" is committed before its submit request is
// sent, and the provider's task id before the first poll. A job found "submitting" whose
// owner is gone is IN DOUBT (the provider may or may not have made the task): resolved by
// Provider::find_by_reference where the provider supports it, otherwise reported and
// never submitted again unless options.resubmit_in_doubt. Claims are conditional updates
// with an owner and a lease, so two runs never work on one job; a run takes over the
// jobs of a dead owner (its process gone on this host, or its lease expired).

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "generate/generate_config.hpp"
#include "generate/provider.hpp"
#include "generate/provider_factory.hpp"
#include "store/store.hpp"

namespace paddock::generate {

struct GenerateOptions {
  std::string track_id;
  std::vector<std::string> model_ids;   // empty: every model with a generation config
  std::vector<std::string> prompt_ids;  // empty: every prompt of the track
  std::optional<double> budget;         // in the price tables' currency; none: no limit
  int concurrency = 0;                  // tasks in flight in total; 0: the providers' own
  bool resubmit_in_doubt = false;       // submit jobs in doubt again (a second task may cost)
  bool retry_failed = false;            // put failed and refused jobs back to planned
  std::filesystem::path media_dir = "media";
  std::chrono::milliseconds lease{120'000};   // how long a claim holds without renewal
  std::chrono::milliseconds idle_check{250};  // how often idle workers look for work
};

// The providers of a configuration, made when first needed (a provider whose key is not
// set only fails the jobs that need it). Thread-safe.
class ProviderSet {
 public:
  explicit ProviderSet(GenerateConfig config, ProviderOptions options = {});
  const GenerateConfig& config() const { return config_; }
  // Errors: "unknown_provider" (no such table), or make_provider()'s.
  Result<Provider*> get(std::string_view name);

 private:
  GenerateConfig config_;
  ProviderOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Provider>, std::less<>> made_;
};

// One clip to make, as planned.
struct PlannedJob {
  std::string prompt_id;
  std::string model_id;
  std::string provider;
  std::string provider_model;
  std::optional<int64_t> seed;
  GenerationRequest request;
  PlannedRequest planned;
};

// A (prompt, model) that cannot be made, and why.
struct PlanProblem {
  std::string prompt_id;  // empty: every prompt (a problem of the model)
  std::string model_id;
  std::string code;  // "no_generation", "unknown_provider", "unsupported", "missing_secret", ...
  std::string message;
};

struct GenerationPlan {
  store::Track track;
  std::vector<std::string> model_ids;   // the models taking part
  std::vector<std::string> prompt_ids;  // the prompts taking part
  std::vector<PlannedJob> jobs;         // (prompt, model) pairs without a clip
  std::vector<PlanProblem> problems;
  int64_t clips_already = 0;                      // pairs that have a clip
  std::vector<store::GenerationJob> stored_jobs;  // the track's jobs in the store now
};

// Which track, prompts and models take part, and each job's request as its provider would
// send it (Provider::plan: no network). Errors: "not_found" (no such track, or a model or
// prompt named in options that does not exist), or the store's.
Result<GenerationPlan> plan_generation(store::Store& store, ProviderSet& providers,
                                       const GenerateOptions& options);

// The seed a track's policy gives a prompt: "per-prompt" a stable number from the prompt id
// (the same for every model), "fixed:N" N, "none" nullopt.
std::optional<int64_t> seed_for(std::string_view policy, std::string_view prompt_id);

struct RunProgress {
  int64_t total = 0;  // jobs of the plan
  int64_t done = 0;   // stored
  int64_t running = 0;
  int64_t failed = 0;  // failed, refused or in doubt
  int64_t remaining = 0;
  double spent = 0;  // this run's, in `currency`
  std::string currency;
  std::string event;  // what just happened, e.g. "p01/wan26: stored"
};
// Called from worker threads, one call at a time.
using RunProgressFn = std::function<void(const RunProgress&)>;

struct RunReport {
  int64_t stored = 0;  // by this run
  double spent = 0;    // by this run, in `currency` (actual costs, estimates while unknown)
  std::string currency;
  bool budget_reached = false;  // jobs were left planned because of the budget
  bool interrupted = false;     // stopped by the stop token; what was left is resumable
  // The plan's jobs as the store has them at the end (failures, refusals, in doubt...).
  std::vector<store::GenerationJob> jobs;
};

// Runs the plan's jobs (and those stored before for the same prompts and models) until
// each is stored, refused, failed or in doubt, or the budget or the stop token says stop.
// Errors: the store's (the run stops; what was committed stays and a new run resumes).
Result<RunReport> run_generation(store::Store& store, ProviderSet& providers,
                                 const GenerationPlan& plan, const GenerateOptions& options,
                                 std::stop_token stop = {}, const RunProgressFn& progress = {});

}  // namespace paddock::generate
