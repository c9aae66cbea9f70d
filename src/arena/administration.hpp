#pragma once
// What an operator may do to an arena's database, with one set of rules and defaults
// whatever the door: `paddock admin` (on the database, no server needed) and /api/admin/…
// (through the running Arena, which then also reloads its catalog or rebuilds its boards at
// once). The doors only turn flags or JSON into these requests and render the results
// (arena/admin_json.hpp); every check and every default is here, stated once:
//
// - models: add, change, or add-or-change (model_change.hpp). A new model is public unless
//   a status is given, as in an import manifest.
// - votes: listed by id, voided ones included (flagged), at most kMaxVoteListLimit at a
//   time (kDefaultVoteListLimit unless asked), paged with `after`.
// - voiding: an operator voids the votes of a session or an address (optionally within one
//   track), and must say why; the reason is kept with the votes. Nothing else may be voided
//   in bulk: not a whole track, not everything.
// - reviewing voters: the sessions and address prefixes of a track whose votes are
//   improbable under its board, with the evidence (voter_review.hpp); nothing is voided by
//   the review itself: the operator voids what the evidence convinces them of.
// Errors: "invalid" for a request that breaks these rules (naming the rule), then the
// model write's ("not_found", "conflict") or the store's.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arena/model_change.hpp"
#include "arena/vote_export.hpp"
#include "arena/voter_review.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

inline constexpr int64_t kDefaultVoteListLimit = 100;
inline constexpr int64_t kMaxVoteListLimit = 10'000;

// Which votes to list; empty filters do not filter.
struct VoteListing {
  std::string session{};
  std::string address{};
  std::string track{};
  int64_t after = 0;  // only votes with a larger id (paging: the last id seen)
  int64_t limit = kDefaultVoteListLimit;
};

// Whose votes to void, and why.
struct VoidRequest {
  std::string session{};
  std::string address{};
  std::string track{};  // optional: only within this track
  std::string reason{};
};

class Administration {
 public:
  // What a running server does after a change, so it shows at once; a command without a
  // server leaves them empty (servers notice through the store's change counters).
  struct Followers {
    std::function<Status()> catalog_changed;
    std::function<void()> votes_voided;
  };

  explicit Administration(store::Store& store, Followers followers = {});

  // Every model, by id.
  Result<std::vector<store::Model>> models();
  Result<ModelChanged> write_model(ModelWrite how, std::string_view id, const ModelChange& change);

  Result<std::vector<store::Vote>> votes(const VoteListing& listing);
  // Returns how many votes were voided (0 if all were voided already).
  Result<int64_t> void_votes(const VoidRequest& request);
  // The flagged voters of a track's non-voided votes. Errors: "invalid" (no track, bad
  // options), the store's.
  Result<TrackVoterReview> review_voters(const std::string& track,
                                         const VoterReviewOptions& options = {});

  Result<store::Counts> counts();
  // Ok if the database answers now.
  Status ping();
  // The vote export of vote_export.hpp over this database.
  Result<std::unique_ptr<VoteExport>> open_export(ExportOptions options);
  // The database, as the store names it (never a password).
  std::string database() const;

 private:
  store::Store& store_;
  Followers followers_;
};

}  // namespace paddock::arena
