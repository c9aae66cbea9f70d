#pragma once
// Voter scoring: how improbable one voter's votes are under the fitted board. For a vote
// whose left model the board gives probability p of winning, and whose verdict scores s (1
// left, 0 right, 1/2 a tie or both bad, as the fit counts them), the vote's log-likelihood is
// s ln p + (1 - s) ln(1 - p) = ln(1 - p) + s logit(p). Summed over a voter's n votes, its
// deviation from what an honest voter (E[s] = p) would show is
//     D = sum (s - p) logit(p),   Var D = sum p (1 - p) logit(p)^2,
// and the voter's improbability is z = -D / sqrt(Var D): the person-fit statistic l_z of
// item-response theory (Drasgow, Levine and Williams, 1985), standardized, positive when the
// votes are less likely than an honest voter's.
//
// A voter who only ever helps one model can cast votes that are each plausible (its model
// is often the better one): l_z misses it. So each model the voter met is also tested on its
// own: its excess wins in the voter's battles, E_m = sum (s_m - p_m), standardized by
// sqrt(sum p_m (1 - p_m)) — a binomial test of "this voter favours (or opposes) model m";
// the bias is the largest |z_m| over the models the voter met at least min_votes times.
//
// A voter is flagged when it cast at least min_votes votes and z reaches the threshold, or
// its bias reaches the bias threshold; docs/voter-scoring.md tells how both were calibrated
// (<= 1% of honest voters flagged in the simulated arenas of `paddock simulate --arena`), and
// what the statistics cannot see.
//
// The same function scores sessions, address prefixes or anything else: the caller numbers
// the voters. Pure: no store, no clock. The server's admin review (voter_review.hpp) and the
// arena simulator both call it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rating/rating.hpp"

namespace paddock::arena {

// Calibrated with the simulator (docs/voter-scoring.md): about 0.3% of honest sessions and
// prefixes with at least kDefaultMinVotes votes reach it.
inline constexpr double kDefaultFlagThreshold = 3.0;
inline constexpr int64_t kDefaultMinVotes = 10;

inline constexpr double kDefaultBiasThreshold = 3.5;

struct VoterScoringOptions {
  double threshold = kDefaultFlagThreshold;       // z at or above: flagged
  double bias_threshold = kDefaultBiasThreshold;  // |z_m| at or above: flagged
  int64_t min_votes = kDefaultMinVotes;           // fewer votes (with a model): never flagged
  double scale = 400;                             // points per factor 10 of odds (the board's)
};

// One vote, as the scoring sees it: who cast it, the two models (indices into the ratings)
// and the verdict from the left model's side.
struct JudgedVote {
  uint32_t voter = 0;
  uint32_t left = 0;
  uint32_t right = 0;
  rating::Outcome outcome = rating::Outcome::Tie;
};

struct VoterScore {
  uint32_t voter = 0;
  int64_t votes = 0;
  double log_likelihood = 0;  // sum of the votes' log-likelihoods (natural log)
  double expected = 0;        // what an honest voter's would be on the same battles
  double sd = 0;              // its standard deviation
  double z = 0;               // (expected - log_likelihood) / sd; 0 when sd is 0
  int64_t upsets = 0;         // decisive votes for a model the board gives < 25% chance
  // Among the models this voter met at least min_votes times: the one its votes favour
  // most (largest z_m > 0) and the one they oppose most (smallest z_m < 0), with their
  // battles, excess wins (sum of score - expected score) and z_m; favoured_votes 0 (or
  // opposed_votes 0): no such model.
  uint32_t favoured = 0;
  int64_t favoured_votes = 0;
  double favoured_excess = 0;
  double favoured_z = 0;
  uint32_t opposed = 0;
  int64_t opposed_votes = 0;
  double opposed_excess = 0;
  double opposed_z = 0;
  double bias = 0;  // max(favoured_z, -opposed_z)
  bool flagged = false;
};

// Scores of voters 0..voter_count-1 (one per voter, in that order). `ratings` are the
// board's scores in points, by model index. REQUIRES: every vote's voter < voter_count and
// models < ratings.size().
std::vector<VoterScore> score_voters(std::span<const JudgedVote> votes,
                                     std::span<const double> ratings, std::size_t voter_count,
                                     const VoterScoringOptions& options = {});

// The network an address belongs to, for scoring voters who share one: an IPv4 address's /24
// ("192.0.2.0/24"), an IPv6 address's /48 ("2001:db8:1::/48"; an IPv4-mapped IPv6 address
// counts as its IPv4 address). Anything else is its own prefix, unchanged.
std::string address_prefix(std::string_view address);

}  // namespace paddock::arena
