#pragma once
// A whole arena in time, simulated (`paddock simulate --arena`, bench/matchmaking.sh): models
// with true strengths, some arriving late and one anonymous until revealed; voters of several
// kinds; and the server's own matchmaking in the loop — the catalog is built by
// arena::Catalog::build, every battle is drawn by arena::pick_pairing, and every refit turns
// the board (rating::compute_board) into the next arena::PairingPlan exactly as the
// leaderboard cache does. Deterministic by seed; no I/O, no store.
//
// Voters: each vote's voter is drawn from VoterGroups by share. A Voter sees the battle's
// truth (both models' true ratings, the vote number) and returns its verdict; honest and
// careless voters are here, attackers plug in as further Voter kinds. docs/matchmaking.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arena/matchmaking.hpp"
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

class Voter {
 public:
  virtual ~Voter() = default;
  // The verdict, from the left model's side (AWins: left is better).
  virtual rating::Outcome judge(const BattleFacts& battle, rating::Xoshiro256& rng) = 0;
};

// Judges by the true ratings through Bradley-Terry: with p = P(left beats right), a tie with
// probability tau = tie_rate * 2 min(p, 1 - p), else left with probability p - tau/2. The
// expected score is exactly p. `discernment` scales the true difference (1: as strong as the
// truth; 0.5: a noisier voter whose votes carry less information).
class HonestVoter final : public Voter {
 public:
  explicit HonestVoter(double tie_rate = 0.1, double discernment = 1);
  rating::Outcome judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;

 private:
  double tie_rate_;
  double discernment_;
};

// Votes without looking: at random (left, right or tie alike), or always the left side.
class CarelessVoter final : public Voter {
 public:
  enum class Habit { Random, AlwaysLeft };
  explicit CarelessVoter(Habit habit) : habit_(habit) {}
  rating::Outcome judge(const BattleFacts& battle, rating::Xoshiro256& rng) override;

 private:
  Habit habit_;
};

struct VoterGroup {
  std::string name;
  double share = 1;  // relative
  std::shared_ptr<Voter> voter;
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

struct ArenaSimulationResult {
  int64_t votes = 0;                    // cast in all
  std::optional<int64_t> settled_at;    // votes when the board first settled
  std::vector<ModelOutcome> models;     // in the order of the options
  std::vector<int64_t> votes_by_group;  // per voter group
  rating::Board board;                  // the last fitted board
  int refits = 0;
};

// Errors "bad_option": fewer than 2 models, duplicate ids, no prompt, refit_every < 1, a
// voter group without a voter or with a negative share, settle_top outside [1, models).
Result<ArenaSimulationResult> simulate_arena(const ArenaSimulationOptions& options);

// True if the board's first `top` rows are the `top` truly strongest models (`truth`: ids,
// best first) in that order, and each adjacent two of them have disjoint intervals.
bool settled(const rating::Board& board, const std::vector<std::string>& truth, int top);

}  // namespace paddock::demo
