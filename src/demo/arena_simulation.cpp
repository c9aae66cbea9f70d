#include "demo/arena_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "arena/attention_checks.hpp"
#include "arena/catalog.hpp"

namespace paddock::demo {
namespace {

constexpr uint64_t kPairingStream = 0;  // generator streams of the seed
constexpr uint64_t kVoterStream = 1;
constexpr uint64_t kVerdictStream = 2;
constexpr uint64_t kSessionStream = 3;  // its own stream: sessions leave older runs unchanged
constexpr uint64_t kWatchStream = 4;    // watch times: runs without them are unchanged
constexpr std::string_view kTrack = "arena";

// The seeded generator the simulator hands to the server's matchmaking.
class SeededBits final : public arena::RandomBits {
 public:
  explicit SeededBits(rating::Xoshiro256 g) : g_(g) {}
  uint64_t next() override { return g_.next(); }

 private:
  rating::Xoshiro256 g_;
};

// A stand-in content hash, distinct per clip: 64 lowercase hex digits, as the catalog requires
// of a clip it puts in battles.
std::string simulated_clip_hash(std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string h(64, '0');
  for (std::size_t i = 64; n > 0; n >>= 4) h[--i] = kHex[n & 15];
  return h;
}

std::string prompt_id(int p) {
  return "p" + std::to_string(p);
}

// The catalog as the server would hold it after `votes` votes: the models that have arrived,
// anonymous until their reveal, each with a clip for every prompt.
arena::Catalog catalog_at(const ArenaSimulationOptions& o, int64_t votes) {
  store::TrackSummary track;
  track.track.id = std::string(kTrack);
  std::vector<store::Model> models;
  std::vector<store::Prompt> prompts;
  std::vector<store::Clip> clips;
  for (int p = 0; p < o.prompts; ++p) {
    store::Prompt prompt;
    prompt.track_id = track.track.id;
    prompt.id = prompt_id(p);
    prompt.text = "prompt " + std::to_string(p);
    prompts.push_back(std::move(prompt));
  }
  for (const auto& m : o.models) {
    if (votes < m.arrives_at_vote) continue;
    const bool anonymous = m.revealed_at_vote >= 0 && votes < m.revealed_at_vote;
    models.push_back(
        store::Model{m.id, m.id, m.organization,
                     anonymous ? store::ModelStatus::Anonymous : store::ModelStatus::Public,
                     anonymous ? "codename-" + m.id : std::string()});
    for (int p = 0; p < o.prompts; ++p) {
      store::Clip c;
      c.track_id = track.track.id;
      c.prompt_id = prompt_id(p);
      c.model_id = m.id;
      c.hash = simulated_clip_hash(clips.size());
      c.mime = "video/mp4";
      clips.push_back(std::move(c));
    }
  }
  std::vector<store::Control> controls;
  if (o.matchmaking.control_share > 0 && !models.empty()) {
    for (int k = 0; k < o.controls; ++k) {
      store::Control c;
      c.track_id = track.track.id;
      c.id = "control-" + std::to_string(k);
      c.prompt_id = prompt_id(k % o.prompts);
      c.intact_model = models[static_cast<std::size_t>(k) % models.size()].id;
      c.broken_hash = simulated_clip_hash(1'000'000 + static_cast<std::size_t>(k));
      c.broken_mime = "video/mp4";
      controls.push_back(std::move(c));
    }
  }
  return arena::Catalog::build({track}, std::move(models), std::move(prompts), std::move(clips),
                               std::to_string(votes), {}, std::move(controls));
}

// The vote counts at which the catalog changes (an arrival or a reveal), ascending.
std::vector<int64_t> catalog_changes(const ArenaSimulationOptions& o) {
  std::set<int64_t> at;
  for (const auto& m : o.models) {
    if (m.arrives_at_vote > 0) at.insert(m.arrives_at_vote);
    if (m.revealed_at_vote > 0) at.insert(m.revealed_at_vote);
  }
  return {at.begin(), at.end()};
}

Status validate(const ArenaSimulationOptions& o) {
  if (o.models.size() < 2) return fail("bad_option", "an arena needs at least 2 models");
  std::set<std::string> ids;
  for (const auto& m : o.models) {
    if (m.id.empty() || !ids.insert(m.id).second) {
      return fail("bad_option", "model ids must be distinct and not empty");
    }
    if (!std::isfinite(m.rating) || m.arrives_at_vote < 0) {
      return fail("bad_option", "model \"" + m.id + "\" has a bad rating or arrival");
    }
  }
  if (o.prompts < 1) return fail("bad_option", "an arena needs at least 1 prompt");
  if (o.refit_every < 1) return fail("bad_option", "refit_every must be at least 1");
  if (o.max_votes < 0) return fail("bad_option", "max_votes must not be negative");
  if (o.settle_top < 1 || o.settle_top >= static_cast<int>(o.models.size())) {
    return fail("bad_option", "settle_top must be at least 1 and less than the models");
  }
  if (!(o.matchmaking.exploration >= 0 && o.matchmaking.exploration <= 1)) {
    return fail("bad_option", "exploration must be in [0, 1]");
  }
  for (const auto& g : o.voters) {
    if (!g.voter || !(g.share >= 0) || !std::isfinite(g.share)) {
      return fail("bad_option", "voter group \"" + g.name + "\" needs a voter and a share >= 0");
    }
    if (g.sessions < 0 || g.prefixes < 0) {
      return fail("bad_option", "voter group \"" + g.name + "\" has negative sessions");
    }
  }
  if (o.review && o.review->rounds < 1) return fail("bad_option", "a review needs 1 round");
  if (!(o.matchmaking.control_share >= 0 && o.matchmaking.control_share < 1)) {
    return fail("bad_option", "control_share must be in [0, 1)");
  }
  if (o.controls < 1) return fail("bad_option", "controls must be at least 1");
  if (o.votes_per_session < 1) return fail("bad_option", "votes_per_session must be at least 1");
  return ok();
}

}  // namespace

HonestVoter::HonestVoter(double tie_rate, double discernment)
    : tie_rate_(tie_rate), discernment_(discernment) {}

std::optional<rating::Outcome> HonestVoter::judge(const BattleFacts& battle,
                                                  rating::Xoshiro256& rng) {
  const double d = discernment_ * (battle.left->rating - battle.right->rating);
  const double p = 1.0 / (1.0 + std::pow(10.0, -d / 400.0));
  const double tie = tie_rate_ * 2 * std::min(p, 1 - p);
  const double u = rng.uniform();
  if (u < tie) return rating::Outcome::Tie;
  return u < tie + (p - tie / 2) ? rating::Outcome::AWins : rating::Outcome::BWins;
}

std::optional<rating::Outcome> Voter::judge_control(bool broken_on_left, rating::Xoshiro256& rng) {
  if (rng.uniform() < kAttentiveMissRate) return rating::Outcome::Tie;
  return broken_on_left ? rating::Outcome::BWins : rating::Outcome::AWins;
}

std::optional<rating::Outcome> CarelessVoter::judge_control(bool, rating::Xoshiro256& rng) {
  return judge(BattleFacts{}, rng);
}

std::optional<rating::Outcome> CarelessVoter::judge(const BattleFacts&, rating::Xoshiro256& rng) {
  if (habit_ == Habit::AlwaysLeft) return rating::Outcome::AWins;
  switch (rng.below(3)) {
    case 0:
      return rating::Outcome::AWins;
    case 1:
      return rating::Outcome::BWins;
    default:
      return rating::Outcome::Tie;
  }
}

TargetedAttacker::TargetedAttacker(std::string target, double accuracy)
    : target_(std::move(target)), accuracy_(accuracy) {}

std::optional<rating::Outcome> TargetedAttacker::judge(const BattleFacts& battle,
                                                       rating::Xoshiro256& rng) {
  const bool left = battle.left->id == target_;
  const bool right = battle.right->id == target_;
  const bool recognized = rng.uniform() < accuracy_;
  if (left || right) {
    return left == recognized ? rating::Outcome::AWins : rating::Outcome::BWins;
  }
  if (recognized) return std::nullopt;  // rightly sees its model is not there
  return rng.below(2) == 0 ? rating::Outcome::AWins : rating::Outcome::BWins;
}

OmnipresentAttacker::OmnipresentAttacker(std::string target, double accuracy,
                                         std::vector<std::string> rivals)
    : target_(std::move(target)), accuracy_(accuracy), rivals_(std::move(rivals)) {}

std::optional<rating::Outcome> OmnipresentAttacker::judge(const BattleFacts& battle,
                                                          rating::Xoshiro256& rng) {
  if (!(rng.uniform() < accuracy_)) {
    return rng.below(2) == 0 ? rating::Outcome::AWins : rating::Outcome::BWins;
  }
  if (battle.left->id == target_) return rating::Outcome::AWins;
  if (battle.right->id == target_) return rating::Outcome::BWins;
  const auto rival = [&](const SimulatedModel* m) {
    return std::find(rivals_.begin(), rivals_.end(), m->id) != rivals_.end();
  };
  const bool left_rival = rival(battle.left), right_rival = rival(battle.right);
  if (left_rival && !right_rival) return rating::Outcome::BWins;
  if (right_rival && !left_rival) return rating::Outcome::AWins;
  return honest_.judge(battle, rng);
}

std::vector<SimulatedModel> realistic_models() {
  // Rounded from the spread of public text-to-video boards in 2025-2026: a close top, a long
  // tail. "video-a" plays HappyHorse-1.0: strongest, anonymous at first.
  const double ratings[] = {1240, 1215, 1190, 1170, 1145, 1120, 1100, 1075, 1050, 1020, 990, 950};
  const char* orgs[] = {"Org A", "Org B", "Org C", "Org D", "Org B", "Org E",
                        "Org F", "Org C", "Org G", "Org H", "Org I", "Org J"};
  std::vector<SimulatedModel> models;
  for (int i = 0; i < 12; ++i) {
    SimulatedModel m;
    m.id = std::string("video-") + static_cast<char>('a' + i);
    m.organization = orgs[i];
    m.rating = ratings[i];
    models.push_back(std::move(m));
  }
  models[0].revealed_at_vote = 5000;
  models[3].arrives_at_vote = 3000;  // a top-5 model arrives late
  models[8].arrives_at_vote = 1500;
  return models;
}

bool settled(const rating::Board& board, const std::vector<std::string>& truth, int top) {
  const auto k = static_cast<std::size_t>(top);
  if (board.models.size() < k || truth.size() < k) return false;
  for (std::size_t i = 0; i < k; ++i) {
    if (board.models[i].model != truth[i]) return false;
  }
  for (std::size_t i = 0; i + 1 < k; ++i) {
    if (!(board.models[i].ci_low > board.models[i + 1].ci_high)) return false;
  }
  return true;
}

namespace {

// What the page of a voter of a group that watches with probability `watches` reports: a
// watcher plays 80-100% of each clip and decides after 1 to 3 clip lengths; a glancer plays
// at most 40% of one clip and decides within the clip's length.
store::Vote watch_times(double watches, double clip_seconds, rating::Xoshiro256& rng) {
  store::Vote v;
  const double ms = 1000 * clip_seconds;
  const auto at = [](double x) { return static_cast<int64_t>(std::floor(x)); };
  if (rng.uniform() < watches) {
    v.left_watch_ms = at(ms * (0.8 + 0.2 * rng.uniform()));
    v.right_watch_ms = at(ms * (0.8 + 0.2 * rng.uniform()));
    v.decision_ms = at(ms * (1 + 2 * rng.uniform()));
  } else {
    v.left_watch_ms = at(ms * 0.4 * rng.uniform());
    v.decision_ms = at(ms * rng.uniform());
  }
  return v;
}

}  // namespace

Result<ArenaSimulationResult> simulate_arena(const ArenaSimulationOptions& options) {
  ArenaSimulationOptions o = options;
  if (o.models.empty()) o.models = realistic_models();
  if (o.voters.empty()) o.voters.push_back({"honest", 1, std::make_shared<HonestVoter>()});
  if (auto s = validate(o); !s) return std::unexpected(s.error());

  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < o.models.size(); ++i) index[o.models[i].id] = i;
  std::vector<std::string> truth;
  for (const auto& m : o.models) truth.push_back(m.id);
  std::stable_sort(truth.begin(), truth.end(), [&](const std::string& a, const std::string& b) {
    return o.models[index[a]].rating > o.models[index[b]].rating;
  });
  int64_t all_arrived = 0;
  for (const auto& m : o.models) all_arrived = std::max(all_arrived, m.arrives_at_vote);

  std::vector<double> group_cdf;
  double total_share = 0;
  for (const auto& g : o.voters) group_cdf.push_back(total_share += g.share);
  if (!(total_share > 0)) return fail("bad_option", "voter shares must not all be 0");

  SeededBits bits(rating::Xoshiro256::for_stream(o.seed, kPairingStream));
  auto voter_rng = rating::Xoshiro256::for_stream(o.seed, kVoterStream);
  auto verdict_rng = rating::Xoshiro256::for_stream(o.seed, kVerdictStream);

  rating::BoardOptions board_options;
  board_options.intervals = o.intervals;
  board_options.bootstrap_rounds = o.bootstrap_rounds;
  board_options.ci_level = o.ci_level;
  board_options.seed = o.seed;
  board_options.threads = 1;
  const auto same_id = [](const std::string& name) -> std::optional<std::string> { return name; };

  // Each group's sessions and prefixes, numbered across groups.
  std::vector<int64_t> sessions, session_offset, prefixes, prefix_offset;
  int64_t session_count = 0, prefix_count = 0;
  for (const auto& g : o.voters) {
    const int64_t n =
        g.sessions > 0
            ? g.sessions
            : std::max<int64_t>(
                  1, std::llround(g.share / total_share * static_cast<double>(o.max_votes) /
                                  static_cast<double>(o.votes_per_session)));
    sessions.push_back(n);
    session_offset.push_back(session_count);
    session_count += n;
    prefixes.push_back(g.prefixes > 0 ? std::min(g.prefixes, n) : n);
    prefix_offset.push_back(prefix_count);
    prefix_count += prefixes.back();
  }
  auto session_rng = rating::Xoshiro256::for_stream(o.seed, kSessionStream);
  auto watch_rng = rating::Xoshiro256::for_stream(o.seed, kWatchStream);

  const auto changes = catalog_changes(o);
  std::size_t next_change = 0;
  auto catalog = catalog_at(o, 0);
  std::optional<arena::PairingPlan> plan;

  ArenaSimulationResult result;
  result.votes_by_group.assign(o.voters.size(), 0);
  std::vector<int64_t> battles(o.models.size(), 0);
  std::vector<uint32_t> vote_session, vote_prefix, vote_group;
  std::vector<arena::ControlAnswer> control_session, control_prefix;  // attention checks
  std::vector<uint32_t> control_group;
  rating::VoteTable table;
  rating::VoteTable weighted;  // with watch weighting: the same votes, weighted
  std::vector<uint8_t> vote_unwatched;
  // Abstaining voters take battles without voting; an arena whose voters all abstain ends.
  const int64_t max_battles = 50 * o.max_votes + 1000;
  for (int64_t issued = 0; result.votes < o.max_votes && issued < max_battles; ++issued) {
    const int64_t v = result.votes;
    while (next_change < changes.size() && changes[next_change] <= v) {
      catalog = catalog_at(o, v);
      ++next_change;
    }
    const auto* track = catalog.find_track(kTrack);
    const bool adaptive = o.matchmaking.mode == arena::MatchmakingMode::Adaptive;
    if (const auto control = arena::pick_control(*track, o.matchmaking.control_share, bits)) {
      const double u = voter_rng.uniform() * total_share;
      const std::size_t group = std::min<std::size_t>(
          std::upper_bound(group_cdf.begin(), group_cdf.end(), u) - group_cdf.begin(),
          o.voters.size() - 1);
      const auto outcome =
          o.voters[group].voter->judge_control(control->broken_on_left, verdict_rng);
      if (!outcome) continue;
      const auto session =
          static_cast<int64_t>(session_rng.below(static_cast<uint64_t>(sessions[group])));
      const auto intact = control->broken_on_left ? rating::Outcome::BWins : rating::Outcome::AWins;
      control_session.push_back(
          {static_cast<uint32_t>(session_offset[group] + session), *outcome != intact});
      control_prefix.push_back(
          {static_cast<uint32_t>(prefix_offset[group] + session % prefixes[group]),
           *outcome != intact});
      control_group.push_back(static_cast<uint32_t>(group));
      ++result.control_votes;
      continue;
    }
    auto pairing = arena::pick_pairing(*track, adaptive && plan ? &*plan : nullptr, bits);
    if (!pairing)
      return fail("no_battle", "the arena has fewer than 2 models at vote " + std::to_string(v));
    const std::size_t left = index.at(pairing->left->model_id);
    const std::size_t right = index.at(pairing->right->model_id);
    const double u = voter_rng.uniform() * total_share;
    const std::size_t group = std::min<std::size_t>(
        std::upper_bound(group_cdf.begin(), group_cdf.end(), u) - group_cdf.begin(),
        o.voters.size() - 1);
    const auto& g = o.voters[group];
    if (g.budget >= 0 && result.votes_by_group[group] >= g.budget) continue;
    const BattleFacts facts{&o.models[left], &o.models[right], v};
    const auto outcome = g.voter->judge(facts, verdict_rng);
    if (!outcome) continue;
    const auto session =
        static_cast<int64_t>(session_rng.below(static_cast<uint64_t>(sessions[group])));
    table.add(table.intern_model(o.models[left].id), table.intern_model(o.models[right].id),
              *outcome, rating::VoteTable::kNoCategories);
    if (o.watch_weighting) {
      const double w = arena::watch_weight(watch_times(g.watches, o.clip_seconds, watch_rng),
                                           o.clip_seconds, o.clip_seconds, *o.watch_weighting);
      weighted.add(weighted.intern_model(o.models[left].id),
                   weighted.intern_model(o.models[right].id), *outcome,
                   rating::VoteTable::kNoCategories);
      if (w != 1) weighted.set_weight(w);
      vote_unwatched.push_back(w != 1);
    }
    vote_session.push_back(static_cast<uint32_t>(session_offset[group] + session));
    vote_prefix.push_back(static_cast<uint32_t>(prefix_offset[group] + session % prefixes[group]));
    vote_group.push_back(static_cast<uint32_t>(group));
    ++battles[left];
    ++battles[right];
    ++result.votes_by_group[group];
    result.votes = v + 1;

    if (result.votes % o.refit_every != 0) continue;
    auto board = rating::compute_board(o.watch_weighting ? weighted : table, board_options);
    if (!board) return std::unexpected(board.error());
    result.board = std::move(*board);
    ++result.refits;
    if (!result.settled_at && result.votes >= all_arrived &&
        settled(result.board, truth, o.settle_top)) {
      result.settled_at = result.votes;
      if (o.stop_when_settled) break;
    }
    if (adaptive) {
      plan = arena::plan_pairings(*track, arena::estimates_from_board(result.board, same_id),
                                  o.matchmaking);
    }
  }

  if (o.review && !table.empty()) {
    auto reviewed =
        arena::review_voters({&table, vote_session, static_cast<std::size_t>(session_count),
                              vote_prefix, static_cast<std::size_t>(prefix_count)},
                             *o.review);
    if (!reviewed) return std::unexpected(reviewed.error());
    const auto session_checks = arena::score_attention(
        control_session, static_cast<std::size_t>(session_count), o.review->attention);
    const auto prefix_checks = arena::score_attention(
        control_prefix, static_cast<std::size_t>(prefix_count), o.review->attention);
    // Voiding defends with both: the voters the board finds improbable, and those who failed
    // their attention checks.
    for (std::size_t k = 0; k < table.size(); ++k) {
      reviewed->vote_flagged[k] |=
          session_checks[vote_session[k]].flagged || prefix_checks[vote_prefix[k]].flagged;
    }
    std::vector<uint8_t> dishonest(table.size());
    for (std::size_t k = 0; k < table.size(); ++k) {
      dishonest[k] = !o.voters[vote_group[k]].honest;
    }
    auto all = rating::compute_board(table, board_options);
    auto honest = rating::compute_board(arena::without_votes(table, dishonest), board_options);
    auto defended =
        rating::compute_board(arena::without_votes(table, reviewed->vote_flagged), board_options);
    for (auto* b : {&all, &honest, &defended}) {
      if (!*b) return std::unexpected(b->error());
    }
    result.all_board = std::move(*all);
    result.honest_board = std::move(*honest);
    result.defended_board = std::move(*defended);
    result.reviewed = true;
    if (o.watch_weighting) {
      auto w = rating::compute_board(weighted, board_options);
      if (!w) return std::unexpected(w.error());
      result.weighted_board = std::move(*w);
    }
    for (std::size_t k = 0; k < o.voters.size(); ++k) {
      GroupOutcome out;
      out.name = o.voters[k].name;
      out.honest = o.voters[k].honest;
      out.votes = result.votes_by_group[k];
      for (int64_t i = 0; i < sessions[k]; ++i) {
        const auto& s = reviewed->sessions[static_cast<std::size_t>(session_offset[k] + i)];
        out.sessions += s.votes > 0;
        out.sessions_scored += s.votes >= o.review->scoring.min_votes;
        out.sessions_flagged += s.flagged;
        const auto& c = session_checks[static_cast<std::size_t>(session_offset[k] + i)];
        out.sessions_checked += c.seen > 0;
        out.sessions_failed_checks += c.flagged;
        out.sessions_flagged_either += s.flagged || c.flagged;
      }
      for (int64_t i = 0; i < prefixes[k]; ++i) {
        const auto& s = reviewed->prefixes[static_cast<std::size_t>(prefix_offset[k] + i)];
        out.prefixes += s.votes > 0;
        out.prefixes_scored += s.votes >= o.review->scoring.min_votes;
        out.prefixes_flagged += s.flagged;
        const auto& c = prefix_checks[static_cast<std::size_t>(prefix_offset[k] + i)];
        out.prefixes_checked += c.seen > 0;
        out.prefixes_failed_checks += c.flagged;
      }
      result.groups.push_back(std::move(out));
    }
    for (std::size_t i = 0; i < table.size(); ++i) {
      result.groups[vote_group[i]].votes_flagged += reviewed->vote_flagged[i];
      if (o.watch_weighting) result.groups[vote_group[i]].votes_down_weighted += vote_unwatched[i];
    }
    for (std::size_t i = 0; i < control_group.size(); ++i) {
      ++result.groups[control_group[i]].control_votes;
      result.groups[control_group[i]].control_misses += control_session[i].missed;
    }
  }

  for (std::size_t i = 0; i < o.models.size(); ++i) {
    ModelOutcome m;
    m.id = o.models[i].id;
    m.true_rating = o.models[i].rating;
    m.true_rank = static_cast<int>(std::find(truth.begin(), truth.end(), m.id) - truth.begin()) + 1;
    m.battles = battles[i];
    m.share = result.votes > 0 ? static_cast<double>(battles[i]) / (2.0 * result.votes) : 0;
    result.models.push_back(std::move(m));
  }
  return result;
}

}  // namespace paddock::demo
