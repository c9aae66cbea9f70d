// paddock rate: read vote logs, compute the board(s), print them.

#include "cli/rate_command.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/time_argument.hpp"
#include "cli/whole_number.hpp"
#include "fmt/core.h"
#include "rating/rating.hpp"
#include "votelog/board_output.hpp"
#include "votelog/votelog.hpp"

namespace paddock::cli {

namespace {

struct RateArguments {
  std::vector<std::string> files;
  std::string format = "table";
  std::string input_format = "auto";
  int bootstrap = 1000;
  double ci = 0.95;
  uint64_t seed = 1;
  std::string anchor;
  std::vector<std::string> categories;
  std::vector<std::string> languages;
  std::vector<std::string> control;
  std::string ties = "half";
  std::string intervals = "bootstrap";
  std::string track;
  std::string since, until;
  std::string by;
  std::string weights;
  int64_t min_votes = 0;
  bool hide_preliminary = false;
  bool skip_invalid = false;
  bool timings = false;
  bool pairs = false;
  bool robustness = false;
  int robustness_top = 10;
  int threads = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Turns the arguments into options; a bad value is a usage error (exit 2).
rating::BoardOptions board_options(const RateArguments& a) {
  rating::BoardOptions o;
  o.bootstrap_rounds = a.bootstrap;
  o.ci_level = a.ci;
  o.seed = a.seed;
  o.min_votes = a.min_votes;
  o.hide_preliminary = a.hide_preliminary;
  o.robustness_top = a.robustness ? a.robustness_top : 0;
  o.threads = a.threads;
  o.filter.categories = a.categories;
  o.filter.languages = a.languages;
  o.control = a.control;
  const auto ties = rating::parse_tie_model(a.ties);
  if (!ties) throw CLI::ValidationError("--ties", "expected half or davidson, got " + a.ties);
  o.ties = *ties;
  const auto intervals = rating::parse_interval_method(a.intervals);
  if (!intervals) {
    throw CLI::ValidationError("--intervals", "expected bootstrap or sandwich, got " + a.intervals);
  }
  o.intervals = *intervals;
  if (!a.since.empty()) {
    auto t = parse_time_argument(a.since);
    if (!t) throw CLI::ValidationError("--since", "not a time: " + a.since);
    o.filter.since = *t;
  }
  if (!a.until.empty()) {
    auto t = parse_time_argument(a.until);
    if (!t) throw CLI::ValidationError("--until", "not a time: " + a.until);
    o.filter.until = *t;
  }
  if (!a.anchor.empty()) {
    const auto eq = a.anchor.rfind('=');
    double value = 0;
    if (eq == std::string::npos || eq == 0 ||
        !CLI::detail::lexical_cast(a.anchor.substr(eq + 1), value) || !std::isfinite(value)) {
      throw CLI::ValidationError("--anchor", "expected MODEL=VALUE, got " + a.anchor);
    }
    o.anchor_model = a.anchor.substr(0, eq);
    o.anchor_value = value;
  }
  // "as_voted" as the server takes it (and shows it in a board's filter), so a board's own
  // settings reproduce it.
  auto w = rating::parse_weights_option(a.weights);
  if (!w) throw CLI::ValidationError("--weights", w.error().message);
  o.weights = std::move(*w);
  return o;
}

// A weight for a category that none of the board's votes has is an error, alone or not.
Status weights_have_votes(const rating::BoardOptions& options, const rating::VoteTable& votes) {
  if (!options.weights) return ok();
  return rating::check_weights_have_votes(*options.weights, votes, options.filter);
}

int run_rate(const RateArguments& a) {
  const auto format = votelog::parse_board_format(a.format);
  const auto input_format = votelog::parse_input_format(a.input_format);
  if (!format) throw CLI::ValidationError("--format", "expected table, json, csv or markdown");
  if (!input_format)
    throw CLI::ValidationError("--input-format", "expected auto, jsonl, json or csv");
  if (!a.by.empty() && a.by != "category")
    throw CLI::ValidationError("--by", "only \"category\" is supported");
  const rating::BoardOptions options = board_options(a);

  const auto start = std::chrono::steady_clock::now();
  votelog::ReadOptions read;
  read.format = *input_format;
  read.skip_invalid = a.skip_invalid;
  read.threads = a.threads;
  if (!a.track.empty()) read.track = a.track;
  rating::VoteTable votes;
  const std::vector<std::string> files = a.files.empty() ? std::vector<std::string>{"-"} : a.files;
  for (const auto& file : files) {
    auto report = votelog::read_vote_log(file, read, votes);
    if (!report) {
      fmt::print(stderr, "paddock rate: {}\n", report.error().message);
      return 1;
    }
    if (report->skipped > 0) {
      fmt::print(stderr, "paddock rate: {}: {}\n", file == "-" ? "<stdin>" : file,
                 report->skipped_summary());
      for (const auto& e : report->examples) fmt::print(stderr, "  {}\n", e);
    }
  }
  const double parse_seconds = seconds_since(start);

  std::vector<std::pair<std::optional<std::string>, rating::Board>> boards;
  if (a.by == "category") {
    std::vector<std::string> categories(votes.category_names().begin(),
                                        votes.category_names().end());
    bool uncategorized = false;
    for (auto s : votes.category_set())
      uncategorized = uncategorized || s == rating::VoteTable::kNoCategories;
    if (uncategorized) categories.emplace_back(rating::kUncategorized);
    std::sort(categories.begin(), categories.end());
    for (const auto& c : categories) {
      if (!a.categories.empty() &&
          std::find(a.categories.begin(), a.categories.end(), c) == a.categories.end()) {
        continue;
      }
      rating::BoardOptions per = options;
      per.filter.categories = {c};
      if (auto checked = weights_have_votes(per, votes); !checked) {
        fmt::print(stderr, "paddock rate: {}: {}\n", c, checked.error().message);
        return 1;
      }
      auto board = rating::compute_board(votes, per);
      if (!board && board.error().code == "bad_option") {
        throw CLI::ValidationError(board.error().message);
      }
      if (!board) {
        fmt::print(stderr, "paddock rate: {}: {}\n", c, board.error().message);
        return 1;
      }
      boards.emplace_back(c, std::move(*board));
    }
  } else {
    if (auto checked = weights_have_votes(options, votes); !checked) {
      fmt::print(stderr, "paddock rate: {}\n", checked.error().message);
      return 1;
    }
    auto board = rating::compute_board(votes, options);
    if (!board && board.error().code == "bad_option") {
      throw CLI::ValidationError(board.error().message);
    }
    if (!board) {
      fmt::print(stderr, "paddock rate: {}\n", board.error().message);
      return 1;
    }
    boards.emplace_back(std::nullopt, std::move(*board));
  }

  const auto output_start = std::chrono::steady_clock::now();
  std::string out;
  if (*format == votelog::BoardFormat::Json && a.by == "category") {
    nlohmann::json j;
    j["by"] = "category";
    j["boards"] = nlohmann::json::array();
    for (const auto& [category, board] : boards) {
      nlohmann::json b = votelog::board_to_json(board);
      b["category"] = *category;
      j["boards"].push_back(std::move(b));
    }
    out = j.dump(2) + "\n";
  } else {
    for (std::size_t k = 0; k < boards.size(); ++k) {
      votelog::RenderOptions r;
      r.pairs = a.pairs;
      r.category = boards[k].first;
      r.csv_header = k == 0;
      if (k > 0 && *format != votelog::BoardFormat::Csv) out += "\n";
      out += votelog::render_board(boards[k].second, *format, r);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);

  if (a.timings) {
    rating::BoardTimings sum;
    for (const auto& [c, b] : boards) {
      sum.aggregate += b.timings.aggregate;
      sum.fit += b.timings.fit;
      sum.bootstrap += b.timings.bootstrap;
      sum.elo += b.timings.elo;
      sum.assemble += b.timings.assemble;
      sum.robustness += b.timings.robustness;
    }
    fmt::print(stderr,
               "timings: parse {:.3f} s ({} votes), aggregate {:.3f} s, fit {:.3f} s, bootstrap "
               "{:.3f} s, elo {:.3f} s, ranks {:.3f} s, robustness {:.3f} s, output {:.3f} s, "
               "total {:.3f} s\n",
               parse_seconds, votes.size(), sum.aggregate, sum.fit, sum.bootstrap, sum.elo,
               sum.assemble, sum.robustness, seconds_since(output_start), seconds_since(start));
  }
  return 0;
}

}  // namespace

void add_rate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RateArguments>();
  auto* cmd = app.add_subcommand(
      "rate",
      "Compute a leaderboard (Bradley-Terry scores, bootstrap intervals, rank ranges) "
      "from vote logs. See docs/rate.md.");
  cmd->add_option("files", args->files,
                  "Vote logs: JSON Lines, a JSON array or CSV, maybe gzip-compressed; "
                  "- or nothing reads standard input");
  cmd->add_option("--format", args->format, "Output: table, json, csv or markdown")
      ->capture_default_str();
  cmd->add_option("--input-format", args->input_format, "Input: auto, jsonl, json or csv")
      ->capture_default_str();
  cmd->add_option("--bootstrap", args->bootstrap, "Bootstrap rounds (0: no intervals)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1'000'000));
  cmd->add_option("--ci", args->ci, "Confidence level of the intervals, between 0 and 1")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", args->seed, "Seed of the bootstrap draws (0 or more)")
      ->capture_default_str()
      ->check(whole_number());  // checks the text: "-1" would wrap to 2^64-1
  cmd->add_option("--anchor", args->anchor,
                  "MODEL=VALUE: pin one model's score (default: the mean is 1000)");
  cmd->add_option("--category", args->categories,
                  "Keep votes with any of these categories (repeat or comma-separate; "
                  "\"uncategorized\" keeps votes without one)")
      ->delimiter(',');
  cmd->add_option("--language", args->languages,
                  "Keep votes whose prompt has any of these languages (repeat or "
                  "comma-separate; votes without a language are then left out)")
      ->delimiter(',');
  cmd->add_option("--ties", args->ties,
                  "Ties and both-bad: half (half a win to each side) or davidson (their own "
                  "outcome, with a fitted tie parameter)")
      ->capture_default_str();
  cmd->add_option("--intervals", args->intervals,
                  "Intervals: bootstrap (percentiles of --bootstrap refits) or sandwich "
                  "(closed form, from the robust covariance)")
      ->capture_default_str();
  cmd->add_option("--control", args->control,
                  "Presentation control: per-clip features to hold equal (names as in the "
                  "votes' features_a / features_b, e.g. duration,motion); the board then shows "
                  "controlled scores, the raw ones beside them, and each feature's effect")
      ->delimiter(',');
  cmd->add_option("--track", args->track, "Keep votes of this track");
  cmd->add_option("--since", args->since, "Keep votes at or after this time (seconds or ISO date)");
  cmd->add_option("--until", args->until, "Keep votes before this time (seconds or ISO date)");
  cmd->add_option("--by", args->by, "\"category\": one board per category");
  cmd->add_option(
      "--weights", args->weights,
      "Category weights: \"as_voted\" (the default), \"balanced\" or C1=SHARE,C2=SHARE,... "
      "(docs/rating-method.md)");
  cmd->add_option("--min-votes", args->min_votes, "Models with fewer votes are preliminary")
      ->capture_default_str()
      ->check(whole_number());
  cmd->add_flag("--hide-preliminary", args->hide_preliminary, "Leave preliminary models out");
  cmd->add_flag("--skip-invalid", args->skip_invalid,
                "Skip invalid records (and say how many and why) instead of stopping");
  cmd->add_flag("--pairs", args->pairs,
                "Also print the head-to-head table (csv: print it instead of the models)");
  cmd->add_flag("--robustness", args->robustness,
                "Add how many votes hold each adjacent order of the top in place "
                "(docs/rating-method.md, Robustness)");
  cmd->add_option("--robustness-top", args->robustness_top,
                  "With --robustness: the adjacent orders among this many models at the top")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cmd->add_flag("--timings", args->timings, "Print the time of each phase to standard error");
  cmd->add_option("--threads", args->threads, "Threads (0: all cores); never changes the result")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  cmd->callback([args, &exit_code] { exit_code = run_rate(*args); });
}

}  // namespace paddock::cli
