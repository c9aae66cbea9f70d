// paddock simulate: a synthetic vote log and the true ratings behind it.

#include "cli/simulate_command.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/simulate_attack.hpp"
#include "cli/whole_number.hpp"
#include "demo/arena_simulation.hpp"
#include "fmt/core.h"
#include "rating/simulation.hpp"
#include "votelog/votelog.hpp"

namespace paddock::cli {

namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
constexpr int kGzipLevel = 1;  // fast: simulated logs are big and compress well anyway

// `--arena`: whole arenas in time, with the server's matchmaking in the loop.
struct ArenaArguments {
  bool on = false;
  int arenas = 1;
  std::string matchmaking = "adaptive";
  double exploration = arena::MatchmakingOptions{}.exploration;
  int64_t refit_every = demo::ArenaSimulationOptions{}.refit_every;
  int64_t max_votes = demo::ArenaSimulationOptions{}.max_votes;
  int settle_top = demo::ArenaSimulationOptions{}.settle_top;
  double careless = 0;       // share of voters who vote at random
  double control_share = 0;  // share of battles that are attention checks
  int controls = 10;
  int64_t votes_per_session = 10;
  std::string intervals = "sandwich";
  bool keep_going = false;  // do not stop at settlement
  AttackArguments attack;
};

struct SimulateArguments {
  ArenaArguments arena;
  rating::SimulationOptions sim;
  std::string categories;
  std::string output = "-";
  std::string truth;
  std::string format = "jsonl";
  std::string ties = "half";
  std::string languages;
  bool gzip = false;
};

// Writes to a file, standard output, or a gzip file.
class Output {
 public:
  static std::unique_ptr<Output> open(const std::string& path, bool gzip) {
    auto out = std::unique_ptr<Output>(new Output());
    out->name_ = path == "-" ? "<stdout>" : path;
    if (gzip) {
      out->gz_ = path == "-" ? gzdopen(dup(1), "wb1") : gzopen(path.c_str(), "wb1");
      if (out->gz_ == nullptr) return nullptr;
    } else {
      out->file_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
      if (out->file_ == nullptr) return nullptr;
    }
    return out;
  }
  bool write(const std::string& bytes) {
    if (bytes.empty()) return true;
    if (gz_ != nullptr) {
      return gzwrite(gz_, bytes.data(), static_cast<unsigned>(bytes.size())) ==
             static_cast<int>(bytes.size());
    }
    return std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
  }
  bool close() {
    bool ok = true;
    if (gz_ != nullptr) ok = gzclose(gz_) == Z_OK;
    if (file_ != nullptr) ok = (file_ == stdout ? std::fflush(file_) : std::fclose(file_)) == 0;
    gz_ = nullptr;
    file_ = nullptr;
    return ok;
  }
  ~Output() { close(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  const std::string& name() const { return name_; }

 private:
  Output() = default;
  std::string name_;
  std::FILE* file_ = nullptr;
  gzFile gz_ = nullptr;
};

std::vector<rating::SimulatedCategory> parse_categories(const std::string& text) {
  std::vector<rating::SimulatedCategory> out;
  if (text.empty()) return out;
  auto shares = rating::parse_category_weights(text);
  if (!shares || shares->balanced) {
    throw CLI::ValidationError("--categories", "expected NAME=SHARE,NAME=SHARE,...");
  }
  for (const auto& [name, share] : shares->shares) out.push_back({name, share});
  return out;
}

nlohmann::json truth_json(const rating::VoteSimulator& simulator) {
  const auto& o = simulator.options();
  nlohmann::json j;
  j["seed"] = o.seed;
  j["votes"] = o.votes;
  j["mean"] = o.mean;
  j["spread"] = o.spread;
  j["tie_rate"] = o.tie_rate;
  j["bothbad_share"] = o.bothbad_share;
  j["category_offset_spread"] = o.category_offset_spread;
  j["multi_category_rate"] = o.multi_category_rate;
  j["tie_model"] = rating::tie_model_name(o.tie_model);
  if (o.tie_model == rating::TieModel::Davidson) j["davidson_nu"] = o.davidson_nu;
  if (o.clip_features) j["long_clip_win_rate"] = o.long_clip_win_rate;
  if (!o.languages.empty()) j["languages"] = o.languages;
  j["categories"] = nlohmann::json::array();
  for (const auto& c : o.categories)
    j["categories"].push_back({{"category", c.name}, {"share", c.share}});
  j["models"] = nlohmann::json::array();
  for (const auto& m : simulator.models()) {
    nlohmann::json row{{"model", m.name}, {"rating", m.rating}};
    if (o.clip_features) row["long_clip_share"] = m.long_clip_share;
    if (!o.categories.empty()) {
      nlohmann::json per;
      for (std::size_t c = 0; c < o.categories.size(); ++c) {
        per[o.categories[c].name] = m.rating + m.category_offsets[c];
      }
      row["category_ratings"] = per;
    }
    j["models"].push_back(row);
  }
  return j;
}

double percentile(std::vector<int64_t> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return static_cast<double>(values[lo]) +
         (pos - static_cast<double>(lo)) * static_cast<double>(values[hi] - values[lo]);
}

nlohmann::json arena_json(const demo::ArenaSimulationResult& r, uint64_t seed) {
  nlohmann::json j;
  j["seed"] = seed;
  j["votes"] = r.votes;
  j["control_votes"] = r.control_votes;
  j["settled_at"] = r.settled_at ? nlohmann::json(*r.settled_at) : nlohmann::json(nullptr);
  j["refits"] = r.refits;
  j["models"] = nlohmann::json::array();
  for (const auto& m : r.models) {
    j["models"].push_back({{"model", m.id},
                           {"true_rating", m.true_rating},
                           {"true_rank", m.true_rank},
                           {"battles", m.battles},
                           {"share", m.share}});
  }
  j["board"] = nlohmann::json::array();
  for (const auto& row : r.board.models) {
    j["board"].push_back({{"model", row.model},
                          {"rating", row.rating},
                          {"ci_low", row.ci_low},
                          {"ci_high", row.ci_high}});
  }
  return j;
}

int run_arena(const SimulateArguments& a) {
  const auto& x = a.arena;
  demo::ArenaSimulationOptions o;
  const auto mode = arena::parse_matchmaking_mode(x.matchmaking);
  if (!mode) throw CLI::ValidationError("--matchmaking", "expected uniform or adaptive");
  o.matchmaking.mode = *mode;
  o.matchmaking.exploration = x.exploration;
  if (!(x.control_share >= 0 && x.control_share <= 0.5)) {
    throw CLI::ValidationError("--control-share", "expected a share in [0, 0.5]");
  }
  if (x.controls < 1) throw CLI::ValidationError("--controls", "expected at least 1");
  o.matchmaking.control_share = x.control_share;
  o.controls = x.controls;
  if (x.votes_per_session < 1) {
    throw CLI::ValidationError("--votes-per-session", "expected at least 1");
  }
  o.votes_per_session = x.votes_per_session;
  const auto intervals = rating::parse_interval_method(x.intervals);
  if (!intervals) throw CLI::ValidationError("--intervals", "expected bootstrap or sandwich");
  o.intervals = *intervals;
  o.refit_every = x.refit_every;
  o.max_votes = x.max_votes;
  o.settle_top = x.settle_top;
  o.stop_when_settled = !x.keep_going;
  if (!(x.careless >= 0 && x.careless <= 1)) {
    throw CLI::ValidationError("--careless", "expected a share in [0, 1]");
  }
  if (x.arenas < 1) throw CLI::ValidationError("--arenas", "expected at least 1");
  const std::string target = configure_attack(o, x.attack, x.careless, a.sim.tie_rate);
  nlohmann::json out;
  out["matchmaking"] = arena::matchmaking_mode_name(o.matchmaking.mode);
  out["exploration"] = o.matchmaking.exploration;
  out["intervals"] = rating::interval_method_name(o.intervals);
  out["refit_every"] = o.refit_every;
  out["max_votes"] = o.max_votes;
  out["settle_top"] = o.settle_top;
  out["careless"] = x.careless;
  out["control_share"] = x.control_share;
  out["votes_per_session"] = x.votes_per_session;
  if (o.review) {
    out["attack"] = x.attack.attack;
    out["review"] = {{"threshold", o.review->scoring.threshold},
                     {"bias_threshold", o.review->scoring.bias_threshold},
                     {"min_votes", o.review->scoring.min_votes},
                     {"rounds", o.review->rounds},
                     {"honest_miss_rate", o.review->attention.honest_miss_rate},
                     {"false_flag_rate", o.review->attention.false_flag_rate}};
  }
  out["arenas"] = nlohmann::json::array();
  std::vector<nlohmann::json> attacks;
  std::vector<int64_t> settled;
  int unsettled = 0;
  for (int k = 0; k < x.arenas; ++k) {
    o.seed = a.sim.seed + static_cast<uint64_t>(k);
    auto r = demo::simulate_arena(o);
    if (!r) {
      fmt::print(stderr, "paddock simulate: {}\n", r.error().message);
      return 1;
    }
    if (r->settled_at) {
      settled.push_back(*r->settled_at);
    } else {
      ++unsettled;
    }
    auto arena = arena_json(*r, o.seed);
    if (r->reviewed) {
      attacks.push_back(attack_json(*r, target));
      arena["defences"] = attacks.back();
    }
    out["arenas"].push_back(std::move(arena));
  }
  if (!attacks.empty()) out["defences"] = attack_summary(attacks);
  // Arenas that never settled count as max_votes, so the median is a lower bound then.
  std::vector<int64_t> needed = settled;
  needed.insert(needed.end(), static_cast<std::size_t>(unsettled), o.max_votes);
  out["summary"] = {{"arenas", x.arenas},
                    {"settled", settled.size()},
                    {"unsettled", unsettled},
                    {"median", percentile(needed, 0.5)},
                    {"p25", percentile(needed, 0.25)},
                    {"p75", percentile(needed, 0.75)},
                    {"min", percentile(needed, 0)},
                    {"max", percentile(needed, 1)}};
  const std::string text = out.dump(2) + "\n";
  std::FILE* f = a.output == "-" ? stdout : std::fopen(a.output.c_str(), "wb");
  if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
      (f == stdout ? std::fflush(f) : std::fclose(f)) != 0) {
    fmt::print(stderr, "paddock simulate: {}: cannot write: {}\n", a.output, std::strerror(errno));
    return 1;
  }
  return 0;
}

int run_simulate(SimulateArguments a) {
  if (a.arena.on) return run_arena(a);
  a.sim.categories = parse_categories(a.categories);
  const auto ties = rating::parse_tie_model(a.ties);
  if (!ties) throw CLI::ValidationError("--ties", "expected half or davidson");
  a.sim.tie_model = *ties;
  a.sim.languages.clear();
  for (std::size_t start = 0; start < a.languages.size();) {
    const std::size_t comma = std::min(a.languages.find(',', start), a.languages.size());
    if (comma > start) a.sim.languages.push_back(a.languages.substr(start, comma - start));
    start = comma + 1;
  }
  if (auto status = rating::validate(a.sim); !status) {
    throw CLI::ValidationError(status.error().message);
  }
  votelog::OutputFormat format = votelog::OutputFormat::JsonLines;
  if (a.format == "csv") {
    format = votelog::OutputFormat::Csv;
  } else if (a.format != "jsonl") {
    throw CLI::ValidationError("--format", "expected jsonl or csv");
  }
  const bool gzip = a.gzip || (a.output.size() > 3 && a.output.ends_with(".gz"));
  std::string truth_path = a.truth;
  if (truth_path.empty() && a.output != "-") truth_path = a.output + ".truth.json";

  rating::VoteSimulator simulator(a.sim);
  auto out = Output::open(a.output, gzip);
  if (!out) {
    fmt::print(stderr, "paddock simulate: {}: cannot write: {}\n", a.output, std::strerror(errno));
    return 1;
  }
  // The category lists votes can have: {c} and {c, d}.
  const auto& cats = a.sim.categories;
  std::vector<std::vector<std::vector<std::string>>> lists(
      cats.size(), std::vector<std::vector<std::string>>(cats.size()));
  for (std::size_t c = 0; c < cats.size(); ++c) {
    for (std::size_t d = 0; d < cats.size(); ++d) {
      lists[c][d] = c == d ? std::vector<std::string>{cats[c].name}
                           : std::vector<std::string>{cats[c].name, cats[d].name};
    }
  }
  std::vector<std::string> names;
  for (const auto& m : simulator.models()) names.push_back(m.name);

  std::string buffer;
  // CSV carries the clip features and the language as extra columns.
  const bool csv = format == votelog::OutputFormat::Csv;
  std::vector<std::string_view> extra_names;
  if (csv && !a.sim.languages.empty()) extra_names.emplace_back("language");
  if (csv && a.sim.clip_features) {
    for (auto n :
         {"features_a.duration", "features_b.duration", "features_a.motion", "features_b.motion"}) {
      extra_names.emplace_back(n);
    }
  }
  if (csv) buffer = votelog::csv_header(extra_names);
  for (int64_t k = 0; k < a.sim.votes; ++k) {
    const rating::SimulatedVote v = simulator.next();
    votelog::VoteRecord r;
    r.model_a = names[v.model_a];
    r.model_b = names[v.model_b];
    r.outcome = v.outcome;
    if (v.category_count > 0) {
      r.categories = lists[v.categories[0]][v.categories[v.category_count - 1]];
    }
    r.tstamp = v.tstamp;
    r.track = a.sim.track;
    const std::string_view language =
        a.sim.languages.empty() ? std::string_view() : a.sim.languages[v.language];
    const votelog::ClipFeature features[] = {{"duration", v.duration[0], v.duration[1]},
                                             {"motion", v.motion[0], v.motion[1]}};
    std::vector<votelog::ExtraField> extra;
    if (csv) {
      if (!language.empty()) extra.push_back({"language", language});
      if (a.sim.clip_features) {
        extra.push_back({"features_a.duration", v.duration[0]});
        extra.push_back({"features_b.duration", v.duration[1]});
        extra.push_back({"features_a.motion", v.motion[0]});
        extra.push_back({"features_b.motion", v.motion[1]});
      }
      r.extra = extra;
    } else {
      r.language = language;
      if (a.sim.clip_features) r.features = features;
    }
    votelog::append_vote_record(buffer, format, r);
    if (buffer.size() >= kFlushBytes) {
      if (!out->write(buffer)) break;
      buffer.clear();
    }
  }
  if (!out->write(buffer) || !out->close()) {
    fmt::print(stderr, "paddock simulate: {}: write failed: {}\n", out->name(),
               std::strerror(errno));
    return 1;
  }
  if (!truth_path.empty()) {
    std::FILE* f = std::fopen(truth_path.c_str(), "wb");
    const std::string text = truth_json(simulator).dump(2) + "\n";
    if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
        std::fclose(f) != 0) {
      fmt::print(stderr, "paddock simulate: {}: cannot write: {}\n", truth_path,
                 std::strerror(errno));
      return 1;
    }
  }
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArguments>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Write a synthetic vote log with known true ratings (and the ratings beside "
      "it). See docs/rate.md.");
  auto& s = args->sim;
  cmd->add_option("--models", s.models, "Number of models")->capture_default_str();
  cmd->add_option("--votes", s.votes, "Number of votes")->capture_default_str();
  cmd->add_option("--spread", s.spread, "Standard deviation of the true ratings (points)")
      ->capture_default_str();
  cmd->add_option("--tie-rate", s.tie_rate,
                  "Probability of a tie between equal models (less for uneven pairs)")
      ->capture_default_str();
  cmd->add_option("--bothbad-share", s.bothbad_share, "Share of ties recorded as \"tie (bothbad)\"")
      ->capture_default_str();
  cmd->add_option("--categories", args->categories, "NAME=SHARE,... (default: no categories)");
  cmd->add_option("--category-spread", s.category_offset_spread,
                  "Standard deviation of each model's per-category strength offset (points)")
      ->capture_default_str();
  cmd->add_option("--multi-category", s.multi_category_rate,
                  "Probability that a vote has a second category")
      ->capture_default_str();
  cmd->add_option("--ties", args->ties,
                  "How ties arise: half (ties carved out of each pair's win probability, "
                  "--tie-rate) or davidson (Davidson's model, --davidson-nu)")
      ->capture_default_str();
  cmd->add_option("--davidson-nu", s.davidson_nu, "Davidson's tie parameter (with --ties davidson)")
      ->capture_default_str();
  cmd->add_flag("--clip-features", s.clip_features,
                "Give each clip a duration (4 or 8 s; each model makes long clips at its own "
                "rate) and a motion amount, as features_a / features_b");
  cmd->add_option("--long-clip-win-rate", s.long_clip_win_rate,
                  "Presentation effect: how often a long clip beats a short one of an equally "
                  "strong model (0.5: none; needs --clip-features)")
      ->capture_default_str();
  cmd->add_option("--languages", args->languages,
                  "Prompt languages, comma-separated, one drawn uniformly per vote");
  cmd->add_option("--track", s.track, "Track written with every vote");
  cmd->add_option("--start", s.start_tstamp, "tstamp of the first vote (seconds)")
      ->capture_default_str();
  cmd->add_option("--interval", s.interval, "Seconds between votes")->capture_default_str();
  cmd->add_option("--seed", s.seed, "Seed")->capture_default_str()->check(whole_number());
  cmd->add_option("-o,--output", args->output,
                  "Vote log to write (- for standard output; "
                  "a name ending in .gz is compressed)")
      ->capture_default_str();
  cmd->add_option("--truth", args->truth,
                  "True ratings (JSON) to write; default OUTPUT.truth.json when OUTPUT is a file");
  cmd->add_option("--format", args->format, "jsonl or csv")->capture_default_str();
  cmd->add_flag("--gzip", args->gzip, "Compress the log with gzip");
  auto& x = args->arena;
  const char* kArena = "Arena in time (--arena)";
  cmd->add_flag("--arena", x.on,
                "Simulate whole arenas in time with the server's matchmaking in the loop and "
                "write a JSON report (docs/matchmaking.md) instead of a vote log")
      ->group(kArena);
  cmd->add_option("--arenas", x.arenas, "Arenas to run (seeds SEED, SEED+1, ...)")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--matchmaking", x.matchmaking, "uniform or adaptive")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--exploration", x.exploration,
                  "Share of adaptive battles whose pair is drawn uniformly")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--refit-every", x.refit_every, "Votes between two refits of the board")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--max-votes", x.max_votes, "Votes at most per arena")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--settle-top", x.settle_top,
                  "Settled: the true top N in order, adjacent intervals disjoint")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--careless", x.careless, "Share of voters who vote at random")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--control-share", x.control_share,
                  "Share of battles that are attention checks (an intact clip against a broken "
                  "one); their misses flag voters")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--controls", x.controls,
                  "Attention checks in the catalog (with --control-share)")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--votes-per-session", x.votes_per_session,
                  "Votes per session of the honest and careless voters (on average)")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_option("--intervals", x.intervals, "Board intervals: sandwich or bootstrap")
      ->capture_default_str()
      ->group(kArena);
  cmd->add_flag("--keep-going", x.keep_going, "Run to --max-votes even once settled")
      ->group(kArena);
  add_attack_options(*cmd, x.attack);
  cmd->callback([args, &exit_code] { exit_code = run_simulate(*args); });
}

}  // namespace paddock::cli
