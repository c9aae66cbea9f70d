#pragma once
// A whole arena in time, simulated (`paddock simulate --arena`, bench/matchmaking.sh): models
// with true strengths, some arriving late and one anonymous until revealed; voters of several
// kinds; and the server's own matchmaking in the loop — the catalog is built by
// arena::Catalog::build, every battle is drawn by arena::pick_pairing, and every refit turns
// the board (rating::compute_board) into the next arena::PairingPlan exactly as the
// leaderboard cache does. Deterministic by seed; no I/O, no store.
//
// Attention checks: with matchmaking.control_share, arena::pick_control makes a battle a
// control as the server does; the voter answers it (Voter::judge_control) and the review
// flags who misses too many (arena::score_attention); the defended board also leaves out
// their votes.
//
// Voters: each battle's voter group is drawn by share, then one of the group's sessions
// (each on one of the group's address prefixes). A Voter sees the battle's truth (both
// models' true ratings, the vote number) and returns its verdict, or abstains (no vote, as
// a voter who lets a ticket expire). Honest, careless and attacking voters are here
// (docs/matchmaking.md, docs/voter-scoring.md).
//
// Defences: with a review, the arena's voter review (arena/voter_review.hpp, the code the
// server's admin review runs) scores every session and prefix at the end, and the result has
// three boards: all votes (no defence), the honest groups' votes only (what the board would
// be without the attack), and all votes but the flagged voters' (what voiding them gives).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arena/matchmaking.hpp"
#include "arena/voter_review.hpp"
#include "arena/watch_weighting.hpp"
#include "base/result.hpp"
#include "rating/random.hpp"
#include "rating/rating.hpp"

namespace paddock::demo {

struct SimulatedModel {
  std::string id;
  std::string organization;
  double rating = 1000;           // true strength, points on the 400-point logistic scale
  int64_t arrives_at_vote = 0;    // enters the catalog once this many votes were cast
  int64_t revealed_at_vote = -1;  // >= 0: anonymous until this many votes, then public
};

// What a voter sees of a battle (and, being simulated, the truth behind it).
struct BattleFacts {
  const SimulatedModel* left = nullptr;
  const SimulatedModel* right = nullptr;
  int64_t vote_number = 0;  // votes cast before this one
};

// The share of attention checks (arena::pick_control) a voter who watches misses anyway:
// the miss rate the review assumes of honest voters (arena::AttentionOptions), so the
// simulated false flags are the worst the threshold allows.
inline constexpr double kAttentiveMissRate = 0.1;

class Voter {
 public:
  virtual ~Voter() = default;
  // The verdict, from the left model's side (AWins: left is better); nullopt: no vote.
  virtual std::optional<rating::Outcome> judge(const BattleFacts& battle,
                                               rating::Xoshiro256& rng) = 0;
  // The verdict on an attention check, whose broken clip is on the left or the right. A
  // voter who watches (the default) picks the intact side but for kAttentiveMissRate of
  // them, when it says tie.
  virtual std::optional<rating::Outcome> judge_control(bool broken_on_left,
                                                       rating::Xoshiro256& rng);
};

// Judges by the true ratings through Bradley-Terry: with p = P(left beats right), a tie with
// probability tau = tie_rate * 2 min(p, 1 - p), else left with probability p - tau/2. The
// expected score is exactly p. `discernment` scales the true difference (1: as strong as the
// truth; 0.5: a noisier voter whose votes carry less information).
class HonestVoter final : public Voter {
 public:
  explicit HonestVoter(double tie_rate = 0.1, double discernment = 1);
  std::optional<rating::Outcome> judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;

 private:
  double tie_rate_;
  double discernment_;
};

// Votes without looking: at random (left, right or tie alike), or always the left side.
class CarelessVoter final : public Voter {
 public:
  enum class Habit { Random, AlwaysLeft };
  explicit CarelessVoter(Habit habit) : habit_(habit) {}
  std::optional<rating::Outcome> judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;
  // As blind as any other battle: the same habit.
  std::optional<rating::Outcome> judge_control(bool broken_on_left,
                                               rating::Xoshiro256& rng) override;

 private:
  Habit habit_;
};

// Targeted (Huang et al., ICML 2025): votes only for its model, which it recognizes with
// probability `accuracy`. With its model in the battle, it votes for it (recognized) or for
// the other clip (mistaken); without it, it abstains, or (mistaken) votes for a random side.
class TargetedAttacker final : public Voter {
 public:
  TargetedAttacker(std::string target, double accuracy);
  std::optional<rating::Outcome> judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;

 private:
  std::string target_;
  double accuracy_;
};

// Omnipresent (Min et al., ICML 2025): votes in every battle it gets, to raise its model's
// rank through the others too. With probability `accuracy` it recognizes the models: it
// votes for its model, against the `reach` models truly just above it (its rivals), and
// honestly otherwise, to blend in; mistaken, it votes at random.
class OmnipresentAttacker final : public Voter {
 public:
  OmnipresentAttacker(std::string target, double accuracy, std::vector<std::string> rivals);
  std::optional<rating::Outcome> judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;

 private:
  std::string target_;
  double accuracy_;
  std::vector<std::string> rivals_;
  HonestVoter honest_;
};

struct VoterGroup {
  std::string name;
  double share = 1;  // relative, of the battles handed out
  std::shared_ptr<Voter> voter;
  // Distinct sessions the group's votes come from, spread over `prefixes` address prefixes
  // (session k on prefix k mod prefixes). 0: one session per votes_per_session votes the
  // group's share would cast in max_votes; prefixes 0: one per session.
  int64_t sessions = 0;
  int64_t prefixes = 0;
  int64_t budget = -1;  // votes at most (-1: no limit); past it, the group abstains
  bool honest = true;   // counts as honest in the report (false: careless or attacker)
  // Share of the group's votes cast after watching both clips (most of each, and no sooner
  // than they last), as the page reports watch times; the others are cast after a glance.
  // A script fakes watch times as it likes: attackers look watched (1).
  double watches = 1;
};

struct ArenaSimulationOptions {
  std::vector<SimulatedModel> models;  // empty: realistic_models()
  int prompts = 30;                    // every model has a clip for every prompt
  int64_t max_votes = 200'000;
  // Votes between two refits of the board (the server refits about every second, so this is
  // its traffic per second); the first plan comes at the first refit.
  int64_t refit_every = 250;
  arena::MatchmakingOptions matchmaking;
  rating::IntervalMethod intervals = rating::IntervalMethod::Sandwich;
  int bootstrap_rounds = 200;  // with bootstrap intervals
  double ci_level = 0.95;
  std::vector<VoterGroup> voters;  // empty: honest voters only
  int settle_top = 5;              // what "settled" asks of the board (settled())
  bool stop_when_settled = true;
  // With a review: the arena's voter review at the end, and the boards of the header note.
  std::optional<arena::VoterReviewOptions> review;
  // With watch weighting: every vote's watch times are judged by the server's rule
  // (arena/watch_weighting.hpp), the boards in the loop are weighted as the server's, and
  // with a review, the end also fits the weighted board of every vote (weighted_board).
  std::optional<arena::WatchWeighting> watch_weighting;
  double clip_seconds = 5;  // every clip's duration
  // Attention checks: with matchmaking.control_share > 0, this many controls (one per
  // prompt, the intact clip of model k mod the models present); their votes count on no
  // board, and with a review they are scored (arena::score_attention).
  int controls = 10;
  // A group without its own session count has one session per this many of the votes its
  // share would cast in max_votes.
  int64_t votes_per_session = 10;
  uint64_t seed = 1;
};

// Twelve models whose true ratings are spread like a public text-to-video board's (top gaps
// of 20 to 25 points, 290 points from first to last): two arrive late, and the strongest is
// anonymous for its first 5,000 votes (docs/matchmaking.md).
std::vector<SimulatedModel> realistic_models();

struct ModelOutcome {
  std::string id;
  double true_rating = 0;
  int true_rank = 0;
  int64_t battles = 0;  // votes it was in
  double share = 0;     // battles / (2 * votes): the shares sum to 1
};

// What the review found in one voter group.
struct GroupOutcome {
  std::string name;
  bool honest = true;
  int64_t votes = 0;
  int64_t sessions = 0;          // that voted
  int64_t sessions_scored = 0;   // with at least min_votes votes
  int64_t sessions_flagged = 0;  // flagged as a session
  int64_t prefixes = 0;          // that voted
  int64_t prefixes_scored = 0;
  int64_t prefixes_flagged = 0;
  int64_t votes_flagged = 0;        // votes whose session or prefix is flagged (either way)
  int64_t votes_down_weighted = 0;  // with watch weighting: votes judged unwatched
  // Attention checks: votes on them, sessions and prefixes that answered any, and those
  // flagged for their misses.
  int64_t control_votes = 0;
  int64_t control_misses = 0;
  int64_t sessions_checked = 0;
  int64_t sessions_failed_checks = 0;
  int64_t prefixes_checked = 0;
  int64_t prefixes_failed_checks = 0;
  int64_t sessions_flagged_either = 0;  // by their votes or by their checks
};

struct ArenaSimulationResult {
  int64_t votes = 0;                    // cast in all (but on attention checks)
  int64_t control_votes = 0;            // on attention checks
  std::optional<int64_t> settled_at;    // votes when the board first settled
  std::vector<ModelOutcome> models;     // in the order of the options
  std::vector<int64_t> votes_by_group;  // per voter group
  rating::Board board;                  // the last fitted board
  int refits = 0;
  // With a review (options.review): the boards on every vote, on the honest groups' votes,
  // and on every vote but the flagged ones, fitted at the end; and per group what was
  // flagged (prefixes are the group's own: groups never share one).
  bool reviewed = false;
  rating::Board all_board, honest_board, defended_board;
  // With watch weighting: every vote, weighted by its watch times (the others unweighted).
  std::optional<rating::Board> weighted_board;
  std::vector<GroupOutcome> groups;
};

// Errors "bad_option": fewer than 2 models, duplicate ids, no prompt, refit_every < 1, a
// voter group without a voter or with a negative share, settle_top outside [1, models).
Result<ArenaSimulationResult> simulate_arena(const ArenaSimulationOptions& options);

// True if the board's first `top` rows are the `top` truly strongest models (`truth`: ids,
// best first) in that order, and each adjacent two of them have disjoint intervals.
bool settled(const rating::Board& board, const std::vector<std::string>& truth, int top);

}  // namespace paddock::demo
