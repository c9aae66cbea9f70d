// paddock generate: the command-line face of generate::plan_generation and run_generation.
#include "cli/generate_command.hpp"

#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "cli/progress_bar.hpp"
#include "generate/generate.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

using store::JobState;

struct GenerateArgs {
  std::string track;
  std::string models;
  std::string prompts;
  bool all = false;
  std::optional<double> budget;
  int concurrency = 0;
  bool dry_run = false;
  std::string config = "paddock-generate.toml";
  std::string db = "paddock.db";
  std::string media = "media";
  bool resubmit_in_doubt = false;
  bool retry_failed = false;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string money(double amount, const std::string& currency) {
  return fmt::format("{:.2f} {}", amount, currency.empty() ? "USD" : currency);
}

int report_error(const Error& e) {
  fmt::print(stderr, "paddock generate: {}\n", e.message);
  return 1;
}

void print_plan(const GenerateArgs& a, const generate::GenerationPlan& plan) {
  const store::Track& t = plan.track;
  fmt::print("paddock generate{}: track {} ({}, {:g} s, {}x{}, {}, seed {})\n",
             a.dry_run ? " --dry-run" : "", t.id, store::to_string(t.task), t.duration_s, t.width,
             t.height, t.audio ? "with sound" : "silent", t.seed);
  fmt::print("  {} prompts x {} models: {} with a clip already, {} jobs to make\n",
             plan.prompt_ids.size(), plan.model_ids.size(), plan.clips_already, plan.jobs.size());
  std::map<std::string, int64_t> stored_states;
  for (const auto& j : plan.stored_jobs) ++stored_states[std::string(store::to_string(j.state))];
  if (!stored_states.empty()) {
    std::string line;
    for (const auto& [state, n] : stored_states) {
      line += fmt::format("{}{} {}", line.empty() ? "" : ", ", n, state);
    }
    fmt::print("  jobs in the database for this track: {}\n", line);
  }
  struct ProviderTotal {
    int64_t jobs = 0;
    int64_t unpriced = 0;
    std::map<std::string, double> cost;
  };
  std::map<std::string, ProviderTotal> by_provider;
  std::map<std::string, double> total;
  std::map<std::string, std::set<std::string>> deviations;  // "model (provider model)" -> texts
  for (const auto& j : plan.jobs) {
    auto& p = by_provider[j.provider];
    ++p.jobs;
    if (j.planned.estimated_cost) {
      p.cost[j.planned.estimated_cost->currency] += j.planned.estimated_cost->amount;
      total[j.planned.estimated_cost->currency] += j.planned.estimated_cost->amount;
    } else {
      ++p.unpriced;
    }
    for (const auto& d : j.planned.deviations) {
      deviations[fmt::format("{} ({}, {})", j.model_id, j.provider, j.provider_model)].insert(d);
    }
  }
  if (!by_provider.empty()) fmt::print("  by provider:\n");
  for (const auto& [name, p] : by_provider) {
    std::string cost;
    for (const auto& [currency, amount] : p.cost) {
      cost += (cost.empty() ? "" : " + ") + money(amount, currency);
    }
    if (p.unpriced > 0)
      cost += fmt::format("{}{} without a price", cost.empty() ? "" : ", ", p.unpriced);
    fmt::print("    {:<20} {:>5} jobs   estimated {}\n", name, p.jobs, cost.empty() ? "-" : cost);
  }
  if (!deviations.empty()) {
    fmt::print("  settings the APIs cannot honour:\n");
    for (const auto& [who, texts] : deviations) {
      for (const auto& d : texts) fmt::print("    {}: {}\n", who, d);
    }
  }
  if (!plan.problems.empty()) {
    fmt::print("  cannot be made ({}):\n", plan.problems.size());
    for (const auto& p : plan.problems) {
      fmt::print("    {}{}: [{}] {}\n", p.prompt_id.empty() ? "" : p.prompt_id + "/", p.model_id,
                 p.code, p.message);
    }
  }
  std::string sum;
  for (const auto& [currency, amount] : total)
    sum += (sum.empty() ? "" : " + ") + money(amount, currency);
  fmt::print("  estimated total: {}\n", sum.empty() ? money(0, "") : sum);
}

void print_run_summary(const generate::GenerationPlan& plan, const generate::RunReport& r) {
  std::map<JobState, int64_t> states;
  for (const auto& j : r.jobs) ++states[j.state];
  const int64_t left = states[JobState::Planned] + states[JobState::Submitting] +
                       states[JobState::Submitted] + states[JobState::Downloading];
  fmt::print(
      "paddock generate: track {}: {} stored ({} by this run), {} failed, {} refused, {} in "
      "doubt, {} left; spent {}\n",
      plan.track.id, states[JobState::Stored], r.stored, states[JobState::Failed],
      states[JobState::Refused], states[JobState::InDoubt], left, money(r.spent, r.currency));
  if (r.budget_reached) {
    fmt::print(
        "  the budget is reached: {} jobs were not submitted (run again with a larger "
        "--budget)\n",
        states[JobState::Planned]);
  }
  if (r.interrupted) fmt::print("  interrupted: run the same command again to resume\n");
  // Failures by provider and reason.
  std::map<std::pair<std::string, std::string>, std::vector<const store::GenerationJob*>> failures;
  for (const auto& j : r.jobs) {
    if (j.state == JobState::Failed || j.state == JobState::Refused ||
        j.state == JobState::InDoubt) {
      failures[{j.provider, std::string(store::to_string(j.state)) + " " + j.error_code}].push_back(
          &j);
    }
  }
  if (failures.empty()) return;
  fmt::print("failures by provider and reason:\n");
  for (const auto& [key, jobs] : failures) {
    fmt::print("  {} {}: {} job{}\n", key.first, key.second, jobs.size(),
               jobs.size() == 1 ? "" : "s");
    for (size_t i = 0; i < jobs.size() && i < 5; ++i) {
      fmt::print("    {}/{}: {}\n", jobs[i]->prompt_id, jobs[i]->model_id, jobs[i]->error_message);
    }
    if (jobs.size() > 5) fmt::print("    ... and {} more\n", jobs.size() - 5);
  }
  const int64_t in_doubt = states[JobState::InDoubt];
  if (in_doubt > 0) {
    fmt::print(
        "{} job{} in doubt: the provider may have made {} task; check its console, then "
        "run with --resubmit-in-doubt to submit again (docs/generate.md)\n",
        in_doubt, in_doubt == 1 ? " is" : "s are", in_doubt == 1 ? "its" : "their");
  }
}

// Ctrl-C (or SIGTERM) stops submitting and lets the run end resumably; a second one ends
// the process at once (everything committed stays consistent: jobs resume from the store).
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &old_);
    thread_ = std::jthread([this](std::stop_token own) {
      int count = 0;
      while (!own.stop_requested()) {
        timespec wait{0, 200'000'000};
        const int sig = sigtimedwait(&signals_, nullptr, &wait);
        if (sig <= 0) continue;
        if (++count >= 2) std::_Exit(130);
        fmt::print(stderr,
                   "\npaddock generate: stopping (no new submissions); Ctrl-C again to "
                   "quit at once\n");
        source_.request_stop();
      }
    });
  }
  ~SignalStop() {
    thread_.request_stop();
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  std::stop_token token() const { return source_.get_token(); }

 private:
  sigset_t signals_{};
  sigset_t old_{};
  std::stop_source source_;
  std::jthread thread_;
};

int run_generate(const GenerateArgs& a) {
  if (a.all == !a.prompts.empty()) {
    fmt::print(stderr, "paddock generate: say which prompts: --prompts p1,p2 or --all\n");
    return 2;
  }
  auto config = generate::load_generate_config(a.config);
  if (!config) {
    fmt::print(stderr, "paddock generate: {}\n", config.error().message);
    return 2;
  }
  // Before the store opens: threads it starts (SQLite's checkpointer) inherit the blocked
  // signals, so Ctrl-C reaches the signal thread instead of killing the process.
  SignalStop stop;
  store::StoreOptions existing;
  existing.create_if_missing = false;
  auto store = store::open_store(a.db, existing);
  if (!store) return report_error(store.error());

  generate::GenerateOptions options;
  options.track_id = a.track;
  options.model_ids = split_list(a.models);
  options.prompt_ids = split_list(a.prompts);
  options.budget = a.budget;
  options.concurrency = a.concurrency;
  options.resubmit_in_doubt = a.resubmit_in_doubt;
  options.retry_failed = a.retry_failed;
  options.media_dir = a.media;
  generate::ProviderSet providers(std::move(*config));
  auto plan = generate::plan_generation(**store, providers, options);
  if (!plan) return report_error(plan.error());
  print_plan(a, *plan);
  std::fflush(stdout);
  if (a.dry_run) return plan->problems.empty() ? 0 : 1;

  ProgressBar bar(stderr, stderr_is_terminal());
  int64_t events = 0;
  auto report = generate::run_generation(
      **store, providers, *plan, options, stop.token(), [&](const generate::RunProgress& p) {
        if (p.event.empty()) return;
        ++events;
        const std::string label =
            fmt::format("done {} running {} failed {} remaining {} spent {}", p.done, p.running,
                        p.failed, p.remaining, money(p.spent, p.currency));
        bar.step(p.done + p.failed, p.total, stderr_is_terminal() ? label : p.event,
                 stderr_is_terminal() ? "" : label);
      });
  bar.clear();
  if (!report) return report_error(report.error());
  print_run_summary(*plan, *report);
  for (const auto& j : report->jobs) {
    if (j.state != JobState::Stored) return 1;
  }
  return plan->problems.empty() ? 0 : 1;
}

}  // namespace

void add_generate_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Make a track's missing clips with the models' own APIs (docs/generate.md)");
  cmd->add_option("--track", a->track, "the track to fill")->required();
  cmd->add_option("--models", a->models,
                  "models to generate, comma-separated (default: every model with a "
                  "generation config)");
  cmd->add_option("--prompts", a->prompts, "prompts to generate, comma-separated");
  cmd->add_flag("--all", a->all, "every prompt of the track");
  cmd->add_option("--budget", a->budget,
                  "stop submitting once this much (in the price tables' currency) could be "
                  "exceeded")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--concurrency", a->concurrency,
                  "tasks in flight in total (default: each provider's own limit)")
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("--dry-run", a->dry_run,
                "print the plan (jobs, deviations, estimated cost) and submit nothing");
  cmd->add_option("--config", a->config, "the providers' configuration (TOML)")
      ->envname("PADDOCK_GENERATE_CONFIG")
      ->capture_default_str();
  cmd->add_option("--db", a->db, "database: an SQLite file or a postgresql:// URL")
      ->envname("PADDOCK_DB")
      ->capture_default_str();
  cmd->add_option("--media", a->media, "media folder clips are stored in")
      ->envname("PADDOCK_MEDIA")
      ->capture_default_str();
  cmd->add_flag("--resubmit-in-doubt", a->resubmit_in_doubt,
                "submit jobs in doubt again (the provider may bill a second task)");
  cmd->add_flag("--retry-failed", a->retry_failed, "put failed and refused jobs back in the plan");
  cmd->callback([a, &exit_code] { exit_code = run_generate(*a); });
}

}  // namespace paddock::cli
