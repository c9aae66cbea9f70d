#pragma once
// The voter review: which voters' votes are improbable under the board (voter_scoring.hpp),
// scored twice over — by session, and by address prefix (voters who share a network) — and
// in rounds: the board is fitted on every vote, the voters are scored, the board is fitted
// again without the flagged voters' votes (so a rigging group cannot hide by pulling the
// board towards itself) and everyone is scored again under it. A vote is flagged when its
// session or its prefix is. Nothing is dropped here: the review only says which voters look
// wrong and why; the operator voids them (Administration::void_votes, with a reason kept in
// the full export), and the simulator counts what voiding them would do.
//
// Used by the server's admin review (Administration::review_voters, over the stored votes of
// a track) and by `paddock simulate --arena` (over its simulated votes): one implementation.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arena/attention_checks.hpp"
#include "arena/voter_scoring.hpp"
#include "base/result.hpp"
#include "rating/rating.hpp"
#include "store/store.hpp"

namespace paddock::arena {

struct VoterReviewOptions {
  VoterScoringOptions scoring{};
  int rounds = 2;                // >= 1; each refits without the last round's flagged votes
  AttentionOptions attention{};  // the attention checks (stored reviews only)
};

// The votes to review: a table of votes, and per vote its session's and its prefix's
// number (0..sessions-1, 0..prefixes-1).
struct ReviewedVotes {
  const rating::VoteTable* table = nullptr;
  std::span<const uint32_t> session;
  std::size_t sessions = 0;
  std::span<const uint32_t> prefix;
  std::size_t prefixes = 0;
};

struct VoterReview {
  std::vector<VoterScore> sessions;   // by session number
  std::vector<VoterScore> prefixes;   // by prefix number
  std::vector<uint8_t> vote_flagged;  // per vote: 1 if its session or prefix is flagged
  int64_t flagged_votes = 0;
  rating::Board board;  // the last board the voters were scored under (no intervals)
};

// Errors: "invalid" (rounds < 1, columns of the wrong length, a number out of range), or the
// fit's.
Result<VoterReview> review_voters(const ReviewedVotes& votes, const VoterReviewOptions& options);

// The table without the votes `drop` marks (same models, interned in the same order; the
// votes' categories, languages and features are not carried: review tables have none).
rating::VoteTable without_votes(const rating::VoteTable& table, std::span<const uint8_t> drop);

// One flagged voter of a stored track, with the evidence an operator decides on.
struct FlaggedVoter {
  std::string kind;  // "session" or "address_prefix"
  std::string key;   // the session id, or the prefix ("192.0.2.0/24")
  VoterScore score;  // score.flagged: its votes are improbable under the board
  // Its attention checks (attention.flagged: it missed too many); misses_to_flag is the
  // fewest misses that flag a voter who saw as many.
  AttentionScore attention;
  int64_t misses_to_flag = 0;
  std::string favoured_model;  // model ids of score.favoured / score.opposed ("" if none)
  std::string opposed_model;
  std::vector<std::string> addresses;  // the addresses its votes came from (at most 20)
  std::vector<std::string> sessions;   // for a prefix: its sessions (at most 20)
  int64_t first_vote_id = 0, last_vote_id = 0;
};

struct TrackVoterReview {
  std::string track;
  VoterReviewOptions options;
  int64_t votes = 0;  // non-voided votes reviewed
  int64_t sessions = 0, prefixes = 0;
  int64_t sessions_scored = 0, prefixes_scored = 0;  // with at least min_votes votes
  int64_t control_votes = 0;  // non-voided votes on attention checks reviewed
  int64_t flagged_votes = 0;  // ordinary votes of flagged sessions or prefixes
  // Flagged by their votes, most improbable first; then flagged by attention checks alone,
  // the least likely first.
  std::vector<FlaggedVoter> flagged;
};

// Reviews the non-voided votes of `track` in the store: the ordinary votes are scored
// against the board (review_voters), the votes on attention checks by the misses
// (score_attention), by session and by address prefix both. Errors: "invalid" (no track named,
// bad options), the store's, the fit's.
Result<TrackVoterReview> review_track_voters(store::Store& store, const std::string& track,
                                             const VoterReviewOptions& options);

}  // namespace paddock::arena
