#include "cli/simulate_attack.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "arena/watch_weighting.hpp"

namespace paddock::cli {
namespace {

// The attacker's share of battles is set so its budget would be spent by about 80% of the
// arena: it votes on a share `rate` of the battles it draws.
constexpr double kSpendBy = 0.8;

const rating::ModelRow* row_of(const rating::Board& board, const std::string& model) {
  for (const auto& row : board.models) {
    if (row.model == model) return &row;
  }
  return nullptr;
}

nlohmann::json row_json(const rating::Board& board, const std::string& model) {
  const auto* row = row_of(board, model);
  if (row == nullptr) return nullptr;
  return {{"rating", row->rating},
          {"ci_low", row->ci_low},
          {"ci_high", row->ci_high},
          {"rank", row->rank}};
}

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

void add_attack_options(CLI::App& cmd, AttackArguments& a) {
  const char* kGroup = "Attacks and defences (--arena; docs/voter-scoring.md)";
  cmd.add_option("--attack", a.attack, "none, targeted or omnipresent")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--target", a.target, "The attacker's model (default: the 7th strongest)")
      ->group(kGroup);
  cmd.add_option("--attack-votes", a.votes, "Votes the attacker casts at most")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--accuracy", a.accuracy, "How often the attacker identifies its model")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--attack-sessions", a.sessions, "Sessions the attacker votes from")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--attack-prefixes", a.prefixes, "Address prefixes of those sessions")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--reach", a.reach, "Omnipresent: rivals just above the target it votes against")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--careless-habit", a.careless_habit, "Careless voters: random or left")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--noisy", a.noisy, "Share of honest voters with half the discernment")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_flag("--review", a.review,
               "Run the voter review and report the boards with defences off and on "
               "(implied by --attack and --careless)")
      ->group(kGroup);
  cmd.add_option("--watch-weighting", a.watch_weighting,
                 "Weigh votes cast without watching this much, as paddock serve --watch-weighting "
                 "(off: no weighting); the report adds the weighted board")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--watch-share", a.watch_share, "With --watch-weighting: as paddock serve's")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--honest-watches", a.honest_watches,
                 "Share of honest votes cast after watching both clips")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--careless-watches", a.careless_watches,
                 "Share of careless votes cast after watching both clips")
      ->capture_default_str()
      ->group(kGroup);
  cmd.add_option("--threshold", a.threshold, "Flag at l_z >= this (0: the arena's default)")
      ->group(kGroup);
  cmd.add_option("--min-votes", a.min_votes, "Flag only voters with this many votes (0: default)")
      ->group(kGroup);
}

std::string configure_attack(demo::ArenaSimulationOptions& o, const AttackArguments& a,
                             double careless, double tie_rate) {
  if (a.attack != "none" && a.attack != "targeted" && a.attack != "omnipresent") {
    throw CLI::ValidationError("--attack", "expected none, targeted or omnipresent");
  }
  if (!(a.accuracy >= 0 && a.accuracy <= 1)) {
    throw CLI::ValidationError("--accuracy", "expected a share in [0, 1]");
  }
  if (!(a.noisy >= 0 && a.noisy <= 1)) {
    throw CLI::ValidationError("--noisy", "expected a share in [0, 1]");
  }
  if (a.votes < 0 || a.sessions < 1 || a.prefixes < 1 || a.reach < 0) {
    throw CLI::ValidationError("--attack-votes", "votes >= 0, sessions and prefixes >= 1");
  }
  if (a.careless_habit != "random" && a.careless_habit != "left") {
    throw CLI::ValidationError("--careless-habit", "expected random or left");
  }
  if (o.models.empty()) o.models = demo::realistic_models();
  std::vector<const demo::SimulatedModel*> by_strength;
  for (const auto& m : o.models) by_strength.push_back(&m);
  std::stable_sort(by_strength.begin(), by_strength.end(),
                   [](auto* x, auto* y) { return x->rating > y->rating; });
  const std::string target = a.target.empty()
                                 ? by_strength[std::min<std::size_t>(6, by_strength.size() - 1)]->id
                                 : a.target;
  const auto at = std::find_if(by_strength.begin(), by_strength.end(),
                               [&](auto* m) { return m->id == target; });
  if (at == by_strength.end()) throw CLI::ValidationError("--target", "no model " + target);

  double attack_share = 0;
  std::shared_ptr<demo::Voter> attacker;
  if (a.attack != "none" && a.votes > 0) {
    const double n = static_cast<double>(o.models.size());
    double rate = 1;  // votes per battle the attacker draws
    if (a.attack == "targeted") {
      rate = 2 / n + (1 - 2 / n) * (1 - a.accuracy);
      attacker = std::make_shared<demo::TargetedAttacker>(target, a.accuracy);
    } else {
      std::vector<std::string> rivals;
      for (auto it = at; it != by_strength.begin() && static_cast<int>(rivals.size()) < a.reach;) {
        --it;
        rivals.push_back((*it)->id);
      }
      attacker = std::make_shared<demo::OmnipresentAttacker>(target, a.accuracy, rivals);
    }
    attack_share = std::min(
        0.9, static_cast<double>(a.votes) / (kSpendBy * static_cast<double>(o.max_votes) * rate));
  }
  auto rule = arena::parse_watch_weighting(a.watch_weighting, a.watch_share);
  if (!rule) throw CLI::ValidationError("--watch-weighting", rule.error().message);
  o.watch_weighting = *rule;
  for (const auto& [flag, share] : {std::pair{"--honest-watches", a.honest_watches},
                                    {"--careless-watches", a.careless_watches}}) {
    if (!(share >= 0 && share <= 1)) throw CLI::ValidationError(flag, "expected a share in [0, 1]");
  }
  const double honest = std::max(0.0, 1 - careless - attack_share);
  o.voters.clear();
  demo::VoterGroup plain{"honest", honest * (1 - a.noisy),
                         std::make_shared<demo::HonestVoter>(tie_rate)};
  plain.watches = a.honest_watches;
  o.voters.push_back(std::move(plain));
  if (a.noisy > 0) {
    demo::VoterGroup noisy{"honest-noisy", honest * a.noisy,
                           std::make_shared<demo::HonestVoter>(2 * tie_rate, 0.5)};
    noisy.watches = a.honest_watches;
    o.voters.push_back(std::move(noisy));
  }
  if (careless > 0) {
    const auto habit = a.careless_habit == "left" ? demo::CarelessVoter::Habit::AlwaysLeft
                                                  : demo::CarelessVoter::Habit::Random;
    demo::VoterGroup g{"careless", careless, std::make_shared<demo::CarelessVoter>(habit)};
    g.honest = false;
    g.watches = a.careless_watches;
    o.voters.push_back(std::move(g));
  }
  if (attacker) {
    demo::VoterGroup g{a.attack, attack_share, attacker};
    g.sessions = a.sessions;
    g.prefixes = a.prefixes;
    g.budget = a.votes;
    g.honest = false;
    o.voters.push_back(std::move(g));
  }
  if (a.review || attacker || careless > 0) {
    arena::VoterReviewOptions review;
    if (a.threshold > 0) review.scoring.threshold = a.threshold;
    if (a.min_votes > 0) review.scoring.min_votes = a.min_votes;
    o.review = review;
  }
  return target;
}

nlohmann::json attack_json(const demo::ArenaSimulationResult& r, const std::string& target) {
  if (!r.reviewed) return nullptr;
  nlohmann::json j;
  j["target"] = target;
  j["all"] = row_json(r.all_board, target);
  j["honest"] = row_json(r.honest_board, target);
  j["defended"] = row_json(r.defended_board, target);
  if (r.weighted_board) j["weighted"] = row_json(*r.weighted_board, target);
  const auto* honest = row_of(r.honest_board, target);
  const auto* all = row_of(r.all_board, target);
  const auto* defended = row_of(r.defended_board, target);
  if (honest && all && defended) {
    j["half_interval"] = (honest->ci_high - honest->ci_low) / 2;
    j["shift_off"] = all->rating - honest->rating;
    j["shift_on"] = defended->rating - honest->rating;
    j["rank_shift_off"] = honest->rank - all->rank;  // places gained
    j["rank_shift_on"] = honest->rank - defended->rank;
  }
  // Careless voters pull every score towards the middle rather than one model up: the mean
  // distance of all scores from the honest board's shows it (and the watch weighting's effect).
  const auto mean_error = [&](const rating::Board& b) {
    double sum = 0;
    int n = 0;
    for (const auto& m : r.honest_board.models) {
      if (const auto* row = row_of(b, m.model)) {
        sum += std::abs(row->rating - m.rating);
        ++n;
      }
    }
    return n > 0 ? sum / n : 0.0;
  };
  j["mean_error_off"] = mean_error(r.all_board);
  j["mean_error_on"] = mean_error(r.defended_board);
  if (r.weighted_board) {
    j["mean_error_weighted"] = mean_error(*r.weighted_board);
    if (const auto* w = row_of(*r.weighted_board, target); w && honest) {
      j["shift_weighted"] = w->rating - honest->rating;
      j["rank_shift_weighted"] = honest->rank - w->rank;
    }
  }
  j["groups"] = nlohmann::json::array();
  for (const auto& g : r.groups) {
    j["groups"].push_back({{"group", g.name},
                           {"honest", g.honest},
                           {"votes", g.votes},
                           {"votes_flagged", g.votes_flagged},
                           {"sessions", g.sessions},
                           {"sessions_scored", g.sessions_scored},
                           {"sessions_flagged", g.sessions_flagged},
                           {"prefixes", g.prefixes},
                           {"prefixes_scored", g.prefixes_scored},
                           {"prefixes_flagged", g.prefixes_flagged},
                           {"votes_down_weighted", g.votes_down_weighted},
                           {"control_votes", g.control_votes},
                           {"control_misses", g.control_misses},
                           {"sessions_checked", g.sessions_checked},
                           {"sessions_failed_checks", g.sessions_failed_checks},
                           {"prefixes_checked", g.prefixes_checked},
                           {"prefixes_failed_checks", g.prefixes_failed_checks},
                           {"sessions_flagged_either", g.sessions_flagged_either}});
  }
  return j;
}

nlohmann::json attack_summary(const std::vector<nlohmann::json>& arenas) {
  std::vector<double> off, on, half, rank_off, rank_on, ratio_off, ratio_on;
  std::vector<double> error_off, error_on, error_weighted, ratio_weighted;
  int64_t honest_down = 0, other_down = 0;
  int within_off = 0, within_on = 0;  // arenas where |shift| < half the 95% interval
  int64_t honest_votes = 0, honest_votes_flagged = 0;
  int64_t honest_sessions = 0, honest_sessions_flagged = 0;
  int64_t honest_prefixes = 0, honest_prefixes_flagged = 0;
  int64_t other_votes = 0, other_votes_flagged = 0;
  // Attention checks: sessions that answered any, and those flagged for their misses.
  int64_t honest_checked = 0, honest_failed = 0, other_checked = 0, other_failed = 0;
  int64_t other_sessions_scored = 0, other_sessions_flagged = 0;
  int64_t honest_either = 0, other_either = 0, honest_all = 0, other_all = 0;
  for (const auto& j : arenas) {
    for (const auto& g : j.is_null() ? nlohmann::json::array() : j["groups"]) {
      const bool honest = g["honest"].get<bool>();
      (honest ? honest_checked : other_checked) += g["sessions_checked"].get<int64_t>();
      (honest ? honest_failed : other_failed) += g["sessions_failed_checks"].get<int64_t>();
      (honest ? honest_either : other_either) += g["sessions_flagged_either"].get<int64_t>();
      (honest ? honest_all : other_all) += g["sessions"].get<int64_t>();
      if (!honest) {
        other_sessions_scored += g["sessions_scored"].get<int64_t>();
        other_sessions_flagged += g["sessions_flagged"].get<int64_t>();
      }
    }
    if (j.is_null() || !j.contains("shift_off")) continue;
    error_off.push_back(j["mean_error_off"]);
    error_on.push_back(j["mean_error_on"]);
    if (j.contains("mean_error_weighted")) error_weighted.push_back(j["mean_error_weighted"]);
    if (j.contains("shift_weighted")) {
      ratio_weighted.push_back(j["shift_weighted"].get<double>() /
                               j["half_interval"].get<double>());
    }
    off.push_back(j["shift_off"]);
    on.push_back(j["shift_on"]);
    half.push_back(j["half_interval"]);
    rank_off.push_back(j["rank_shift_off"]);
    rank_on.push_back(j["rank_shift_on"]);
    ratio_off.push_back(j["shift_off"].get<double>() / j["half_interval"].get<double>());
    ratio_on.push_back(j["shift_on"].get<double>() / j["half_interval"].get<double>());
    within_off += std::abs(ratio_off.back()) < 1;
    within_on += std::abs(ratio_on.back()) < 1;
    for (const auto& g : j["groups"]) {
      if (g["honest"].get<bool>()) {
        honest_votes += g["votes"].get<int64_t>();
        honest_votes_flagged += g["votes_flagged"].get<int64_t>();
        honest_sessions += g["sessions_scored"].get<int64_t>();
        honest_sessions_flagged += g["sessions_flagged"].get<int64_t>();
        honest_prefixes += g["prefixes_scored"].get<int64_t>();
        honest_prefixes_flagged += g["prefixes_flagged"].get<int64_t>();
        honest_down += g["votes_down_weighted"].get<int64_t>();
      } else {
        other_votes += g["votes"].get<int64_t>();
        other_votes_flagged += g["votes_flagged"].get<int64_t>();
        other_down += g["votes_down_weighted"].get<int64_t>();
      }
    }
  }
  const auto share = [](int64_t part, int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
  };
  return {{"median_shift_off", median(off)},
          {"median_shift_on", median(on)},
          {"median_half_interval", median(half)},
          {"median_shift_off_in_half_intervals", median(ratio_off)},
          {"median_shift_on_in_half_intervals", median(ratio_on)},
          {"arenas_within_half_interval_off", within_off},
          {"arenas_within_half_interval_on", within_on},
          {"max_abs_shift_on_in_half_intervals",
           ratio_on.empty() ? 0.0
                            : std::abs(*std::max_element(
                                  ratio_on.begin(), ratio_on.end(),
                                  [](double x, double y) { return std::abs(x) < std::abs(y); }))},
          {"median_rank_shift_off", median(rank_off)},
          {"median_rank_shift_on", median(rank_on)},
          {"dishonest_votes", other_votes},
          {"dishonest_votes_flagged", other_votes_flagged},
          {"honest_votes", honest_votes},
          {"honest_votes_flagged", honest_votes_flagged},
          {"honest_vote_fpr", share(honest_votes_flagged, honest_votes)},
          {"honest_sessions_scored", honest_sessions},
          {"honest_sessions_flagged", honest_sessions_flagged},
          {"honest_session_fpr", share(honest_sessions_flagged, honest_sessions)},
          {"honest_prefixes_scored", honest_prefixes},
          {"honest_prefixes_flagged", honest_prefixes_flagged},
          {"honest_prefix_fpr", share(honest_prefixes_flagged, honest_prefixes)},
          // Mean distance of all scores from the honest board's, in points.
          {"median_mean_error_off", median(error_off)},
          {"median_mean_error_on", median(error_on)},
          {"median_mean_error_weighted",
           error_weighted.empty() ? nlohmann::json() : nlohmann::json(median(error_weighted))},
          {"median_shift_weighted_in_half_intervals",
           ratio_weighted.empty() ? nlohmann::json() : nlohmann::json(median(ratio_weighted))},
          {"dishonest_votes_down_weighted", other_down},
          {"honest_votes_down_weighted", honest_down},
          {"dishonest_sessions_scored", other_sessions_scored},
          {"dishonest_sessions_flagged", other_sessions_flagged},
          {"attention_checks",
           {{"honest_sessions_checked", honest_checked},
            {"honest_sessions_failed", honest_failed},
            {"honest_session_fpr", share(honest_failed, honest_checked)},
            {"dishonest_sessions_checked", other_checked},
            {"dishonest_sessions_failed", other_failed},
            {"dishonest_session_tpr", share(other_failed, other_checked)},
            // Flagged by the votes or the checks, of every session that voted.
            {"honest_sessions", honest_all},
            {"honest_sessions_flagged_either", honest_either},
            {"dishonest_sessions", other_all},
            {"dishonest_sessions_flagged_either", other_either}}}};
}

}  // namespace paddock::cli
