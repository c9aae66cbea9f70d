#pragma once
// The arena: the rules of the game over a store. Hands out blind battles from an in-memory
// catalog snapshot, accepts votes on sealed tickets (no database read), commits them through
// one group-committing writer, records battles in the background, resolves opaque media
// URLs, and keeps the leaderboards current. Thread-safe: every public function may be called
// from any thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arena/administration.hpp"
#include "arena/catalog.hpp"
#include "arena/keys.hpp"
#include "arena/leaderboard_cache.hpp"
#include "arena/listing_rules.hpp"
#include "arena/matchmaking.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

struct ArenaOptions {
  std::filesystem::path media_dir = "media";
  // 64 hex digits; empty: generate one the first time and keep it in the store (setting
  // "ticket_key"), so every server on the database shares it.
  std::string ticket_key;
  std::chrono::seconds ticket_ttl{30 * 60};
  // Clip URLs keep working this long after their battle expires (replays after the reveal).
  std::chrono::seconds clip_url_grace{6 * 60 * 60};
  // A vote is refused ("too_early") when it comes sooner after its battle was issued than
  // this fraction of the track's clip duration: nobody watched the clips. 0: no minimum.
  double min_watch_fraction = 1.0;
  // How often to look for catalog changes and voids made by other processes.
  std::chrono::milliseconds watch_interval{1000};
  // How often battles nobody voted on are deleted once their clip URLs have ended
  // (ticket_ttl + clip_url_grace after issue): unvoted battles are not kept forever.
  std::chrono::milliseconds battle_sweep_interval{60'000};
  std::size_t vote_batch_max = 4096;
  std::chrono::milliseconds battle_flush_interval{200};
  LeaderboardOptions leaderboards;
  // Listing rules (listing_rules.hpp, docs/running.md). The cap on anonymous models per
  // organization at once (0: none), written to the database at open so every door that
  // writes models there (the admin API, paddock admin, paddock import) keeps it.
  int64_t max_anonymous_per_org = 0;
  // GET /api/changes answers with the board's change log (false: 404).
  bool public_change_log = false;
};

// A battle handed to a voter. `prompt` points into `catalog`, which it keeps alive.
struct IssuedBattle {
  std::shared_ptr<const Catalog> catalog;
  const CatalogPrompt* prompt = nullptr;
  std::string track_id;
  std::string ticket;
  std::string left_token;  // clip URL tokens
  std::string right_token;
  int64_t expires_at_ms = 0;
};

struct Ballot {
  std::string ticket;
  std::string choice;  // "left", "right", "tie", "both_bad"
  int64_t left_watch_ms = 0;
  int64_t right_watch_ms = 0;
  int64_t decision_ms = 0;
  std::string session;  // the voter's session id
  std::string address;  // the voter's address
};

struct RevealedModel {
  std::string name;  // public name (codename while anonymous)
  std::string organization;
};

struct VoteReceipt {
  int64_t vote_id = 0;
  RevealedModel left;
  RevealedModel right;
};

struct MediaFile {
  std::filesystem::path path;
  std::string mime;
  // Quoted strong ETag, a keyed digest: of the clip URL's token for clips (so it differs in
  // every battle), of the content hash for prompt sources. Never the hash itself.
  std::string etag;
};

class Arena {
 public:
  // Loads the catalog, settles the ticket key and starts the background threads.
  // Errors: the store's, or "bad_key" for a malformed configured key.
  static Result<std::unique_ptr<Arena>> open(store::Store& store, ArenaOptions options);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Answers every queued vote, writes the queued battles and stops the background threads.
  // After stop(), votes are refused with "unavailable". Idempotent.
  void stop();

  const ArenaKeys& keys() const { return keys_; }
  std::shared_ptr<const Catalog> catalog() const;
  LeaderboardCache& leaderboards() { return *leaderboards_; }
  // The operator's operations on this arena's database (administration.hpp); changes show
  // at once: a model change reloads the catalog, a void rebuilds the boards.
  Administration& administration() { return *administration_; }
  // Ok if the database answers now (health checks).
  Status ping();
  // The board's public change log (listing_rules.hpp): models added, revealed, retired,
  // withdrawn, restored, and the voided votes per reason.
  Result<ChangeLog> change_log();
  // A public or full vote export of this arena's votes (vote_export.hpp).
  Result<std::unique_ptr<VoteExport>> open_export(ExportOptions options);
  const ArenaOptions& options() const { return options_; }

  // A new blind battle on `track_id` for a session. Errors: "unknown_track",
  // "no_battle" (no prompt of the track has clips of two matchable models), "unavailable"
  // (the database is not keeping up with recording battles).
  Result<IssuedBattle> issue_battle(std::string_view track_id, std::string_view session,
                                    std::string_view address);

  // Checks a ballot and, if it is sound, queues it for the writer; `done` is called once,
  // after the vote is durably stored or refused, possibly on another thread. Errors:
  // "invalid_choice", "bad_ticket", "foreign_ticket", "expired_ticket", "too_early",
  // "already_voted", "unavailable".
  void cast_vote(Ballot ballot, std::function<void(Result<VoteReceipt>)> done);

  // The file behind a battle's clip URL token, or a prompt source by content hash.
  // Errors: "not_found".
  Result<MediaFile> clip_media(std::string_view token) const;
  Result<MediaFile> source_media(std::string_view hash) const;

  // Reloads the catalog now (after an admin change) and lets the leaderboards know.
  Status reload_catalog();
  // Votes were voided: the leaderboards read every vote again.
  void votes_voided();

  // Counters of the background writers, for /metrics.
  struct WriterStats {
    uint64_t vote_commits = 0;
    uint64_t votes_committed = 0;
    uint64_t votes_failed = 0;
    double vote_commit_seconds = 0;
    uint64_t largest_vote_batch = 0;
    // Vote commits by duration, cumulative: (upper bound in seconds, commits that took at
    // most that long); the last bound is infinity.
    std::vector<std::pair<double, uint64_t>> vote_commit_histogram;
    uint64_t battles_refused = 0;  // not issued: too many waited to be recorded
    uint64_t battles_pending = 0;  // issued, not yet written
  };
  WriterStats writer_stats() const;

 private:
  Arena(store::Store& store, ArenaOptions options, ArenaKeys keys);
  Status load_catalog(std::string version);
  void watch();
  void sweep_unvoted_battles();
  // A quoted keyed digest of `name` (a clip URL token or a source's content hash).
  std::string etag_for(std::string_view name) const;
  // The least time between issuing a battle of `track_id` and a vote on it.
  int64_t min_watch_ms(const Catalog& catalog, std::string_view track_id) const;

  store::Store& store_;
  ArenaOptions options_;
  ArenaKeys keys_;
  struct Internals;
  std::unique_ptr<Internals> in_;
  std::unique_ptr<LeaderboardCache> leaderboards_;
  std::unique_ptr<Administration> administration_;
};

}  // namespace paddock::arena
