// run_generation(): workers per provider claim jobs and drive each through its provider:
// submit -> poll -> download -> import, committing every step (docs/generate.md).
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>

#include "arena/catalog_import.hpp"
#include "base/clock.hpp"
#include "generate/generate.hpp"
#include "generate/job_owner.hpp"
#include "generate/provider_limits.hpp"
#include "media/media.hpp"

namespace paddock::generate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using store::GenerationJob;
using store::JobState;

constexpr std::string_view kStagingFolder = ".staging";  // inside the media folder
constexpr int kRefetchesPerRun = 3;                      // fresh result URLs per job and run
constexpr milliseconds kOwnerRefresh{1'000};

bool is_unfinished(JobState s) {
  return s == JobState::Planned || s == JobState::Submitting || s == JobState::Submitted ||
         s == JobState::Downloading;
}

bool is_failure(JobState s) {
  return s == JobState::Failed || s == JobState::Refused || s == JobState::InDoubt;
}

// A submit error after which the provider certainly made no task: it answered with a
// status that is retried (429, 5xx, 408), or the connection was never opened.
bool certainly_not_sent(const Error& e) {
  const AttemptOutcome a = outcome_of(e);
  if (a.status != 0) return is_retryable(a);
  if (e.code != "network_error") return false;
  for (std::string_view words : {"Failed to connect", "Couldn't connect", "Could not connect",
                                 "Could not resolve", "Couldn't resolve", "Connection refused"}) {
    if (e.message.find(words) != std::string::npos) return true;
  }
  return false;
}

// A submit error after which the task may exist: the request may have been received.
bool maybe_sent(const Error& e) {
  if (certainly_not_sent(e)) return false;
  return e.code == "timeout" || e.code == "network_error" || e.code == "truncated" ||
         e.code == "bad_reply" || e.code == "too_large";
}

// The staging folder's name for an owner, and back ("host/pid/nonce" <-> "host_pid_nonce").
std::string staging_name(std::string_view owner) {
  std::string out(owner);
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::string owner_of_staging(const std::string& name) {
  const size_t last = name.rfind('_');
  if (last == std::string::npos || last == 0) return "";
  const size_t before = name.rfind('_', last - 1);
  if (before == std::string::npos) return "";
  return name.substr(0, before) + "/" + name.substr(before + 1, last - before - 1) + "/" +
         name.substr(last + 1);
}

// Spending of this run: what its submissions cost, estimates standing in until the
// provider reports the actual cost.
class Budget {
 public:
  explicit Budget(std::optional<double> limit) : limit_(limit) {}

  // Takes `estimate` for one submission. False (and `why`) when, under a limit, it could
  // exceed the budget: spent + in flight + this estimate > limit, or the estimate is
  // unknown or in another currency.
  bool reserve(const std::optional<double>& estimate, const std::string& currency,
               std::string& why) {
    std::lock_guard lock(mutex_);
    if (currency_.empty() && !currency.empty()) currency_ = currency;
    if (!limit_) {
      committed_ += estimate.value_or(0);
      return true;
    }
    if (!estimate) {
      why = "no price is known for it, so it could exceed the budget";
      reached_ = true;
      return false;
    }
    if (!currency.empty() && currency != currency_) {
      why = fmt::format("it is priced in {}, the budget in {}", currency, currency_);
      return false;
    }
    if (committed_ + *estimate > *limit_ + 1e-9) {
      why = fmt::format("{:.4f} spent or in flight + {:.4f} would exceed the budget of {:.4f} {}",
                        committed_, *estimate, *limit_, currency_);
      reached_ = true;
      return false;
    }
    committed_ += *estimate;
    return true;
  }
  // Replaces a reservation by what was actually charged (nullopt: keep the estimate).
  void settle(double reserved, std::optional<double> actual) {
    std::lock_guard lock(mutex_);
    if (actual) committed_ += *actual - reserved;
  }
  double spent() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  std::string currency() const {
    std::lock_guard lock(mutex_);
    return currency_;
  }
  bool reached() const {
    std::lock_guard lock(mutex_);
    return reached_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<double> limit_;
  double committed_ = 0;
  std::string currency_;
  bool reached_ = false;
};

class Runner {
 public:
  Runner(store::Store& store, ProviderSet& providers, const GenerationPlan& plan,
         const GenerateOptions& options, std::stop_token stop, const RunProgressFn& progress)
      : store_(store),
        providers_(providers),
        plan_(plan),
        options_(options),
        owner_(this_process_owner()),
        budget_(options.budget),
        external_stop_(std::move(stop)),
        on_external_stop_(external_stop_, [this] { halt(); }),
        progress_(progress) {
    for (const PlannedJob& j : plan.jobs) planned_[{j.prompt_id, j.model_id}] = &j;
  }

  Result<RunReport> run() {
    if (auto s = prepare_staging(); !s) return std::unexpected(s.error());
    if (auto s = store_jobs(); !s) return std::unexpected(s.error());
    if (auto s = load_states(); !s) return std::unexpected(s.error());
    refresh_dead_owners(true);

    // One pool of workers per provider, as many as it may have tasks in flight.
    std::map<std::string, std::vector<std::string>> models_of;
    for (const std::string& model : plan_.model_ids) {
      for (const PlannedJob& j : plan_.jobs) {
        if (j.model_id == model) {
          models_of[j.provider].push_back(model);
          break;
        }
      }
    }
    for (const auto& job : jobs_in_scope()) {
      if (!models_of_contains(models_of, job.model_id))
        models_of[job.provider].push_back(job.model_id);
    }
    if (options_.concurrency > 0) global_.set_limit("all", options_.concurrency);
    std::vector<std::jthread> workers;
    for (const auto& [provider, models] : models_of) {
      const ProviderConfig* c = providers_.config().find(provider);
      const int n = c ? c->concurrency : 1;
      if (c)
        rates_.set_rate(provider, c->requests_per_second, std::max(1.0, c->requests_per_second));
      for (int i = 0; i < n; ++i) {
        workers.emplace_back([this, provider, models] { worker(provider, models); });
      }
    }
    workers.clear();  // joins

    std::error_code ec;
    fs::remove_all(staging_, ec);
    fs::remove(staging_.parent_path(), ec);  // only if no other run stages there
    if (fatal_) return std::unexpected(*fatal_);
    RunReport report;
    report.stored = stored_by_run_;
    report.spent = budget_.spent();
    report.currency = budget_.currency();
    report.budget_reached = budget_.reached();
    report.interrupted = external_stop_.stop_requested();
    auto jobs = store_.list_jobs(plan_.track.id);
    if (!jobs) return std::unexpected(jobs.error());
    for (auto& j : *jobs) {
      if (in_scope(j)) report.jobs.push_back(std::move(j));
    }
    return report;
  }

 private:
  static bool models_of_contains(const std::map<std::string, std::vector<std::string>>& m,
                                 const std::string& model) {
    for (const auto& [p, models] : m) {
      if (std::find(models.begin(), models.end(), model) != models.end()) return true;
    }
    return false;
  }

  bool in_scope(const GenerationJob& j) const {
    auto has = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    return has(plan_.model_ids, j.model_id) && has(plan_.prompt_ids, j.prompt_id);
  }

  std::vector<GenerationJob> jobs_in_scope() {
    std::vector<GenerationJob> out;
    auto jobs = store_.list_jobs(plan_.track.id);
    if (!jobs) return out;
    for (auto& j : *jobs) {
      if (in_scope(j)) out.push_back(std::move(j));
    }
    return out;
  }

  // ---- setting up ----

  // The staging folder of this process, inside the media folder; the folders of owners
  // that died are removed (their half-downloaded files are worthless).
  Status prepare_staging() {
    const fs::path root = options_.media_dir / kStagingFolder;
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec) return fail("io_error", root.string() + ": " + ec.message());
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const std::string owner = owner_of_staging(name);
      if (!owner.empty() && owner_is_dead(owner)) {
        std::error_code ignored;
        fs::remove_all(it->path(), ignored);
      }
    }
    // And the media folder's temporary files of imports that were killed mid-way.
    if (auto removed = media::remove_stale_temporaries(options_.media_dir); !removed) {
      return std::unexpected(removed.error());
    }
    staging_ = root / staging_name(owner_);
    fs::remove_all(staging_, ec);
    fs::create_directories(staging_, ec);
    if (ec) return fail("io_error", staging_.string() + ": " + ec.message());
    return ok();
  }

  Status store_jobs() {
    std::vector<GenerationJob> rows;
    rows.reserve(plan_.jobs.size());
    for (const PlannedJob& j : plan_.jobs) {
      GenerationJob row;
      row.track_id = plan_.track.id;
      row.prompt_id = j.prompt_id;
      row.model_id = j.model_id;
      row.provider = j.provider;
      row.provider_model = j.provider_model;
      row.request = j.planned.parameters.dump(-1, ' ', false, json::error_handler_t::replace);
      row.seed = j.seed;
      row.client_reference = random_hex(16);
      if (j.planned.estimated_cost) {
        row.estimated_cost = j.planned.estimated_cost->amount;
        row.currency = j.planned.estimated_cost->currency;
      }
      rows.push_back(std::move(row));
    }
    if (auto added = store_.plan_jobs(rows); !added) return std::unexpected(added.error());
    if (options_.retry_failed) {
      for (JobState s : {JobState::Failed, JobState::Refused}) {
        if (auto r = store_.requeue_jobs(plan_.track.id, s); !r) return std::unexpected(r.error());
      }
    }
    if (options_.resubmit_in_doubt) {
      if (auto r = store_.requeue_jobs(plan_.track.id, JobState::InDoubt); !r) {
        return std::unexpected(r.error());
      }
    }
    return ok();
  }

  Status load_states() {
    auto jobs = store_.list_jobs(plan_.track.id);
    if (!jobs) return std::unexpected(jobs.error());
    std::lock_guard lock(progress_mutex_);
    for (const auto& j : *jobs) {
      if (in_scope(j)) states_[j.id] = j.state;
    }
    return ok();
  }

  void refresh_dead_owners(bool force) {
    std::lock_guard lock(owners_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - owners_refreshed_ < kOwnerRefresh) return;
    owners_refreshed_ = now;
    auto owners = store_.list_job_owners();
    if (!owners) return;
    dead_owners_.clear();
    for (const std::string& o : *owners) {
      if (owner_is_dead(o)) dead_owners_.push_back(o);
    }
  }

  std::vector<std::string> dead_owners() {
    refresh_dead_owners(false);
    std::lock_guard lock(owners_mutex_);
    return dead_owners_;
  }

  // ---- stopping ----

  void halt() {
    {
      std::lock_guard lock(sleep_mutex_);
      halted_ = true;
    }
    stop_source_.request_stop();  // wakes waits on limiters
    sleep_cv_.notify_all();
  }
  bool halted() const {
    std::lock_guard lock(sleep_mutex_);
    return halted_;
  }
  // Waits `d` unless the run is stopped first; false if stopped.
  bool sleep_for(milliseconds d) {
    std::unique_lock lock(sleep_mutex_);
    sleep_cv_.wait_for(lock, d, [this] { return halted_; });
    return !halted_;
  }
  void set_fatal(const Error& e) {
    {
      std::lock_guard lock(fatal_mutex_);
      if (!fatal_) fatal_ = e;
    }
    halt();
  }
  bool new_submissions() const { return !halted() && !budget_.reached(); }

  // ---- workers ----

  void worker(const std::string& provider, const std::vector<std::string>& models) {
    while (!halted()) {
      std::optional<ConcurrencyLimiter::Permit> slot;
      if (options_.concurrency > 0) {
        slot = global_.acquire("all", stop_token());
        if (!slot) break;
      }
      const int64_t now = unix_ms();
      auto claimed = store_.claim_job({.track_id = plan_.track.id,
                                       .model_ids = models,
                                       .prompt_ids = plan_.prompt_ids,
                                       .owner = owner_,
                                       .now_ms = now,
                                       .lease_until_ms = now + options_.lease.count(),
                                       .dead_owners = dead_owners(),
                                       .new_submissions = new_submissions()});
      if (!claimed) {
        set_fatal(claimed.error());
        break;
      }
      if (!*claimed) {
        slot.reset();
        if (!wait_for_work(models)) break;
        continue;
      }
      hold(**claimed, true);
      work(std::move(**claimed));
      (void)provider;
    }
  }

  std::stop_token stop_token() { return stop_source_.get_token(); }

  // True while some job of these models is unfinished (due now or later), not counting
  // planned jobs once no more are submitted. Jobs another run holds count too: this run
  // ends when the plan is done, and takes them over if that run dies (its pid gone on this
  // host, or its lease expired). Sleeps a little before saying so.
  bool wait_for_work(const std::vector<std::string>& models) {
    auto jobs = store_.list_jobs(plan_.track.id);
    if (!jobs) {
      set_fatal(jobs.error());
      return false;
    }
    bool pending = false;
    for (const auto& j : *jobs) {
      if (!in_scope(j) || std::find(models.begin(), models.end(), j.model_id) == models.end()) {
        continue;
      }
      if (!is_unfinished(j.state)) continue;
      if (j.state == JobState::Planned && !new_submissions()) continue;
      pending = true;
      break;
    }
    if (!pending) return false;
    return sleep_for(options_.idle_check);
  }

  // ---- one job ----

  void work(GenerationJob job) {
    auto provider = providers_.get(job.provider);
    if (!provider) {
      fail_job(job, JobState::Failed, provider.error().code, provider.error().message);
      return;
    }
    const ProviderConfig* config = providers_.config().find(job.provider);
    Step step{job, **provider, *config, request_for(job)};
    for (;;) {
      if (job.owner != owner_) return;  // released or lost
      switch (job.state) {
        case JobState::Submitting:
          resolve_in_doubt(step, "");
          break;
        case JobState::Planned:
          submit(step);
          break;
        case JobState::Submitted:
        case JobState::Downloading:
          poll_and_store(step);
          break;
        default:
          release(job);
          return;
      }
    }
  }

  struct Step {
    GenerationJob& job;
    Provider& provider;
    const ProviderConfig& config;
    std::optional<std::pair<GenerationRequest, PlannedRequest>> request;
    double reserved = 0;  // this run's budget reservation for the job
    bool reserved_here = false;
  };

  std::optional<std::pair<GenerationRequest, PlannedRequest>> request_for(const GenerationJob& j) {
    auto it = planned_.find({j.prompt_id, j.model_id});
    if (it == planned_.end() || it->second->provider != j.provider) return std::nullopt;
    GenerationRequest r = it->second->request;
    r.client_reference = j.client_reference;
    return std::pair{r, it->second->planned};
  }

  // A job "submitting" whose owner died: its submission may or may not have reached the
  // provider. Never submitted again unless the provider can tell, or the operator says so.
  void resolve_in_doubt(Step& s, const std::string& detail = "") {
    GenerationJob& job = s.job;
    GenerationRequest request;
    if (s.request) request = s.request->first;
    request.provider_model = job.provider_model;
    request.client_reference = job.client_reference;
    request.track_id = job.track_id;
    request.prompt_id = job.prompt_id;
    request.model_id = job.model_id;
    auto found = s.provider.find_by_reference(request);
    if (!found) {
      fail_job(job, JobState::InDoubt, "in_doubt",
               fmt::format("the submission of {}/{} was interrupted before its task id was "
                           "stored; {} cannot look tasks up by reference, so it is not "
                           "submitted again (paddock generate --resubmit-in-doubt does){}",
                           job.prompt_id, job.model_id, job.provider,
                           detail.empty() ? "" : "; the submission ended with: " + detail));
      return;
    }
    if (!*found) {
      retry_or_fail(s, found->error(), "looking up an interrupted submission");
      return;
    }
    if (!**found) {  // the provider has no such task: submitting is safe
      job.state = JobState::Planned;
      save(job);
      return;
    }
    job.task_id = (**found)->task_id;
    job.task_handle = (**found)->handle.dump();
    job.state = JobState::Submitted;
    save(job);
  }

  void submit(Step& s) {
    GenerationJob& job = s.job;
    if (!new_submissions()) {
      release(job);
      return;
    }
    if (!s.request) {
      fail_job(job, JobState::Failed, "no_plan",
               fmt::format("{}/{} can no longer be planned with the current configuration (see "
                           "the dry run)",
                           job.prompt_id, job.model_id));
      return;
    }
    const auto& [request, planned] = *s.request;
    std::string why;
    const std::optional<double> estimate =
        planned.estimated_cost ? std::optional<double>(planned.estimated_cost->amount)
                               : std::nullopt;
    const std::string currency = planned.estimated_cost ? planned.estimated_cost->currency : "";
    if (!budget_.reserve(estimate, currency, why)) {
      note(job, "not submitted: " + why);
      release(job);
      return;
    }
    s.reserved = estimate.value_or(0);
    s.reserved_here = true;
    if (!rates_.wait_turn(job.provider, stop_token())) {
      budget_.settle(s.reserved, 0.0);
      release(job);
      return;
    }
    // Exactly once: "submitting" is durable before the request leaves.
    job.state = JobState::Submitting;
    job.request = planned.parameters.dump(-1, ' ', false, json::error_handler_t::replace);
    job.submitted_at_ms = unix_ms();
    job.error_code.clear();
    job.error_message.clear();
    if (!save(job)) {
      budget_.settle(s.reserved, 0.0);
      return;
    }
    auto task = s.provider.submit(request, planned);
    if (task) {
      job.task_id = task->task_id;
      job.task_handle = task->handle.dump(-1, ' ', false, json::error_handler_t::replace);
      job.state = JobState::Submitted;
      job.attempts = 0;
      save_or_retry_commit(job);
      note(job, "submitted");
      return;
    }
    const Error& e = task.error();
    if (e.code == "refused") {
      budget_.settle(s.reserved, 0.0);
      fail_job(job, JobState::Refused, e.code, e.message);
    } else if (certainly_not_sent(e)) {
      budget_.settle(s.reserved, 0.0);
      job.state = JobState::Planned;
      retry_or_fail(s, e, "submit");
    } else if (maybe_sent(e)) {
      // The provider may have made the task: look it up by reference where it can be,
      // otherwise the job is in doubt (never submitted twice without the operator's word).
      resolve_in_doubt(s, e.message);
    } else {
      budget_.settle(s.reserved, 0.0);
      fail_job(job, JobState::Failed, e.code, "submit: " + e.message);
    }
  }

  // Polls until the task ends, then downloads and stores its clip.
  void poll_and_store(Step& s) {
    GenerationJob& job = s.job;
    SubmittedTask task{job.task_id, json::parse(job.task_handle, nullptr, false)};
    if (!task.handle.is_object()) task.handle = json::object();
    const milliseconds interval{static_cast<int64_t>(s.config.poll_interval_s * 1000)};
    int refetches = 0;
    bool first = true;
    for (;;) {
      if (halted()) {
        release(job);
        return;
      }
      // The first poll of a task just submitted waits one interval; a resumed or expired
      // one asks at once.
      if (!first || (job.state == JobState::Submitted && job.attempts == 0 && refetches == 0)) {
        if (!sleep_for(interval)) {
          release(job);
          return;
        }
      }
      first = false;
      if (!rates_.wait_turn(job.provider, stop_token())) {
        release(job);
        return;
      }
      auto status = s.provider.poll(task);
      if (!status) {
        const Error& e = status.error();
        if (is_retryable(outcome_of(e))) {
          retry_or_fail(s, e, "poll");
        } else {
          settle(s, std::nullopt);
          fail_job(job, JobState::Failed, e.code, "poll: " + e.message);
        }
        return;
      }
      switch (status->state) {
        case TaskState::Queued:
        case TaskState::Running:
          renew_if_due(job);
          if (job.owner != owner_) return;
          continue;
        case TaskState::Failed: {
          settle(s, status->cost ? std::optional<double>(status->cost->amount) : 0.0);
          if (status->cost) job.cost = status->cost->amount;
          fail_job(job, status->refusal ? JobState::Refused : JobState::Failed,
                   status->error_code.empty() ? "failed" : status->error_code,
                   status->error_message.empty()
                       ? "the provider says the task failed (" + status->provider_status + ")"
                       : status->error_message);
          return;
        }
        case TaskState::Expired:
        case TaskState::Canceled:
          settle(s, 0.0);
          fail_job(job, JobState::Failed,
                   status->state == TaskState::Expired ? "expired" : "canceled",
                   status->error_message.empty() ? std::string(to_string(status->state))
                                                 : status->error_message);
          return;
        case TaskState::Succeeded:
          break;
      }
      if (job.state == JobState::Submitted) {
        job.state = JobState::Downloading;
        job.finished_at_ms = unix_ms();  // the result is there: generation time ends
        if (!status->usage.is_null())
          job.usage = status->usage.dump(-1, ' ', false, json::error_handler_t::replace);
        if (status->cost) {
          job.cost = status->cost->amount;
          job.currency = status->cost->currency;
        }
        if (!save(job)) return;
      }
      auto download = s.provider.fetch_result(task, *status, staging_, s.config.max_download_bytes);
      if (!download) {
        const Error& e = download.error();
        if (e.code == "expired_result" && s.provider.refetch_allowed() &&
            ++refetches <= kRefetchesPerRun) {
          note(job, "result URL expired; asking for a fresh one");
          continue;  // poll again at once for a fresh URL
        }
        if (is_retryable(outcome_of(e))) {
          retry_or_fail(s, e, "download");
        } else {
          settle(s, job.cost);
          fail_job(job, JobState::Failed, e.code, "download: " + e.message);
        }
        return;
      }
      store_clip(s, *download);
      return;
    }
  }

  void store_clip(Step& s, Download& download) {
    GenerationJob& job = s.job;
    const arena::ClipTarget target{&plan_.track, job.prompt_id, job.model_id};
    auto stored = arena::import_clip(store_, target, download.file.path(), options_.media_dir);
    if (!stored) {
      const Error& e = stored.error();
      if (arena::is_clip_refusal(e)) {
        settle(s, job.cost);
        // The message names our temporary file: say what it was instead.
        std::string message = e.message;
        const std::string temp = download.file.path().string();
        if (auto at = message.find(temp); at != std::string::npos) {
          message.replace(at, temp.size(), "the result of task " + job.task_id);
        }
        fail_job(job, JobState::Failed, e.code, "import: " + message);
      } else {
        retry_or_fail(s, e, "import");
      }
      return;
    }
    store::ClipGeneration provenance{
        .track_id = job.track_id,
        .prompt_id = job.prompt_id,
        .model_id = job.model_id,
        .provider = job.provider,
        .provider_model = job.provider_model,
        .task_id = job.task_id,
        .request = job.request,
        .seed = job.seed,
        .cost = job.cost,
        .currency = job.currency,
        .generation_ms = std::max<int64_t>(0, job.finished_at_ms - job.submitted_at_ms),
        .generated_at_ms = unix_ms()};
    job.state = JobState::Stored;
    job.clip_hash = stored->row.hash;
    job.error_code.clear();
    job.error_message.clear();
    job.attempts = 0;
    job.owner.clear();
    job.lease_until_ms = 0;
    auto finished = store_.finish_job(job, owner_, provenance);
    if (!finished) {
      job.owner = owner_;
      if (finished.error().code != "conflict") set_fatal(finished.error());
      forget(job);
      return;
    }
    settle(s, job.cost);
    ++stored_by_run_;
    forget(job);
    update(job, "stored");
  }

  // ---- committing ----

  // Writes the job (with a fresh lease). False when it was lost to another owner (it is
  // then no longer worked on here) or the store failed (the run stops).
  bool save(GenerationJob& job) {
    job.lease_until_ms = unix_ms() + options_.lease.count();
    auto s = store_.update_job(job, owner_);
    if (!s) {
      if (s.error().code != "conflict") set_fatal(s.error());
      job.owner.clear();  // not ours (any more)
      forget(job);
      return false;
    }
    update(job, "");
    return true;
  }

  // The task id must be committed before the first poll; a store that failed once gets a
  // few more tries before the run gives up (the job then stays "submitting": in doubt).
  void save_or_retry_commit(GenerationJob& job) {
    for (int i = 0; i < 3; ++i) {
      job.lease_until_ms = unix_ms() + options_.lease.count();
      auto s = store_.update_job(job, owner_);
      if (s) {
        update(job, "");
        return;
      }
      if (s.error().code == "conflict") break;
      if (i == 2) {
        set_fatal(s.error());
        break;
      }
      std::this_thread::sleep_for(milliseconds(200 * (i + 1)));
    }
    job.owner.clear();
    forget(job);
  }

  void renew_if_due(GenerationJob& job) {
    if (job.lease_until_ms - unix_ms() < options_.lease.count() / 2) save(job);
  }

  void release(GenerationJob& job) {
    if (job.owner != owner_) return;
    job.owner.clear();
    job.lease_until_ms = 0;
    auto s = store_.update_job(job, owner_);
    if (!s && s.error().code != "conflict") set_fatal(s.error());
    forget(job);
    update(job, "");
  }

  void fail_job(GenerationJob& job, JobState state, std::string code, std::string message) {
    job.state = state;
    job.error_code = std::move(code);
    job.error_message = std::move(message).substr(0, 2000);
    if (job.finished_at_ms == 0) job.finished_at_ms = unix_ms();
    release(job);
    update(job, std::string(store::to_string(state)) + " [" + job.error_code + "]");
  }

  // After a failed attempt of the current step: the next attempt is scheduled (the job is
  // released, due later, so a restarted run keeps the schedule) or, past the attempts the
  // provider allows, the job fails.
  void retry_or_fail(Step& s, const Error& e, std::string_view what) {
    GenerationJob& job = s.job;
    RetryPolicy policy;
    policy.max_attempts = s.config.max_attempts;
    policy.base_delay = milliseconds(static_cast<int64_t>(s.config.retry_base_delay_s * 1000));
    policy.max_delay = milliseconds(static_cast<int64_t>(s.config.retry_max_delay_s * 1000));
    const auto decision = decide_retry(policy, static_cast<int>(job.attempts) + 1, outcome_of(e),
                                       std::chrono::system_clock::now(),
                                       static_cast<std::uint64_t>(job.id) * 1000003 + job.attempts);
    if (!decision.retry) {
      if (job.state == JobState::Planned) settle(s, 0.0);
      fail_job(job, JobState::Failed, e.code,
               fmt::format("{}: {} ({})", what, e.message, decision.reason));
      return;
    }
    job.attempts += 1;
    job.next_attempt_at_ms = unix_ms() + decision.delay.count();
    job.error_code = e.code;
    job.error_message = fmt::format("{}: {} (retrying: {})", what, e.message, decision.reason);
    note(job, job.error_message);
    release(job);
  }

  void settle(Step& s, std::optional<double> actual) {
    if (!s.reserved_here) return;
    budget_.settle(s.reserved, actual);
    s.reserved_here = false;
  }

  // ---- progress ----

  void hold(const GenerationJob& job, bool held) {
    std::lock_guard lock(progress_mutex_);
    if (held) held_.insert(job.id);
    states_[job.id] = job.state;
  }
  void forget(const GenerationJob& job) {
    std::lock_guard lock(progress_mutex_);
    held_.erase(job.id);
  }
  void note(const GenerationJob& job, const std::string& event) { update(job, event); }

  void update(const GenerationJob& job, const std::string& event) {
    std::lock_guard lock(progress_mutex_);
    states_[job.id] = job.state;
    if (!progress_) return;
    RunProgress p;
    p.total = static_cast<int64_t>(states_.size());
    for (const auto& [id, state] : states_) {
      if (state == JobState::Stored) ++p.done;
      if (is_failure(state)) ++p.failed;
    }
    p.running = static_cast<int64_t>(held_.size());
    p.remaining = p.total - p.done - p.failed;
    p.spent = budget_.spent();
    p.currency = budget_.currency();
    if (!event.empty()) p.event = fmt::format("{}/{}: {}", job.prompt_id, job.model_id, event);
    progress_(p);
  }

  store::Store& store_;
  ProviderSet& providers_;
  const GenerationPlan& plan_;
  const GenerateOptions& options_;
  const std::string owner_;
  Budget budget_;
  std::map<std::pair<std::string, std::string>, const PlannedJob*> planned_;
  fs::path staging_;
  ConcurrencyLimiter global_;
  RequestRateLimiter rates_;
  std::atomic<int64_t> stored_by_run_{0};

  std::mutex owners_mutex_;
  std::vector<std::string> dead_owners_;
  std::chrono::steady_clock::time_point owners_refreshed_{};

  mutable std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  bool halted_ = false;
  std::stop_source stop_source_;

  std::mutex fatal_mutex_;
  std::optional<Error> fatal_;

  std::mutex progress_mutex_;
  std::map<int64_t, JobState> states_;
  std::set<int64_t> held_;

  std::stop_token external_stop_;
  std::stop_callback<std::function<void()>> on_external_stop_;
  const RunProgressFn& progress_;
};

}  // namespace

Result<RunReport> run_generation(store::Store& store, ProviderSet& providers,
                                 const GenerationPlan& plan, const GenerateOptions& options,
                                 std::stop_token stop, const RunProgressFn& progress) {
  Runner runner(store, providers, plan, options, std::move(stop), progress);
  return runner.run();
}

}  // namespace paddock::generate
