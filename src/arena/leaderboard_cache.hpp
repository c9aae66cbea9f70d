#pragma once
// Leaderboards served from memory. A background thread keeps, per track, a rating::VoteTable
// of the stored non-voided votes (read incrementally from the store), named as the public
// sees the models (codenames while anonymous, hidden models left out), and recomputes boards
// when votes arrive: debounced, and never more than about a fifth of one core. Requests only
// ever read the last published board; a board for a filter nobody asked for yet is computed
// in the background while the request is told to come back.
//
// The same votes, named the same way, are what vote_export writes, so
// `paddock export --track T --up-to LAST_VOTE_ID | paddock rate --seed S -` reproduces any
// published board. Each vote carries its two clips' features (clip_presentation.hpp) from
// the stored clips, as the export writes them, so presentation-controlled boards
// (BoardRequest::control) are reproduced by `paddock rate --control ...` on the export too.
// The features are read again, and the tables rebuilt, when the stored clips' features
// change (an import, `paddock admin measure-clips`).

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "arena/catalog.hpp"
#include "arena/clip_presentation.hpp"
#include "arena/matchmaking.hpp"
#include "arena/watch_weighting.hpp"
#include "base/result.hpp"
#include "rating/rating.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// Which board: a track, a category filter (any of; sorted, distinct) and a weighting
// ("as_voted", "balanced" or "c1=0.5,c2=0.5" as rating::describe_weights spells it).
struct BoardRequest {
  std::string track_id;
  std::vector<std::string> categories;
  std::string weights = "as_voted";
  std::vector<std::string> languages;  // prompt languages, any of (empty: all)
  // Presentation control: clip features (kPresentationFeatures names, distinct, in that
  // list's order) held equal in the fit; empty: the raw board.
  std::vector<std::string> control = {};

  std::string key() const;
};

// Checks a request against the catalog. Errors: "unknown_track" (404), "bad_request" (a
// category the track has no prompt in), "bad_weights" (unparsable weights, or a share for
// a category the track does not have). `languages` must each be the language of some prompt
// of the track ("bad_request" otherwise). `control` names clip features, each a
// kPresentationFeatures name in any letter case, alone or several separated by commas
// ("duration,Motion"); "bad_control" for any other name.
Result<BoardRequest> make_board_request(const Catalog& catalog, std::string_view track_id,
                                        std::vector<std::string> categories,
                                        std::string_view weights,
                                        std::vector<std::string> languages = {},
                                        std::vector<std::string> control = {});

// How a model appears on a board beside its scores.
struct BoardModelInfo {
  std::string organization;  // public organization
  std::string status;        // "public", "anonymous", "retired", "withdrawn"
  // With LeaderboardOptions::preliminary_votes, for a revealed model: when it was revealed
  // (its last reveal) and how many of the track's votes it was in since.
  std::optional<int64_t> revealed_at_ms{};
  std::optional<int64_t> votes_since_reveal{};
  // paddock generate's provenance of the model's clips in the track; left out for
  // anonymous models (a price or a speed can name a vendor).
  GenerationStats generation{};
};

// One pair's chance of being the next battle, by public names (model_a < model_b).
struct PairChance {
  std::string model_a, model_b;
  double probability = 0;
};

// A computed board and what a renderer needs to present it.
struct BoardSnapshot {
  BoardRequest request;
  int64_t computed_at_ms = 0;
  int64_t last_vote_id = 0;
  rating::Board board;
  std::unordered_map<std::string, BoardModelInfo> models;  // by public name
  std::vector<std::string> track_categories;
  std::vector<std::string> track_languages;  // of the track's prompts, sorted
  // How battles are paired ("uniform" or "adaptive"); on the track's main board (no filter,
  // as voted) with adaptive matchmaking, the plan this board made, by public names.
  std::string matchmaking = "uniform";
  std::vector<PairChance> pairing;
  // The rule that weighted the votes by their watch times (nullopt: every vote weighs 1).
  std::optional<WatchWeighting> watch_weighting;
};

struct HistorySnapshot {
  std::string track_id;
  int64_t computed_at_ms = 0;
  int64_t last_vote_id = 0;
  rating::History history;
  std::vector<int64_t> point_vote_ids;  // per history point: id of its last vote
  std::vector<int64_t> point_times_ms;  // per history point: time of its last vote
};

// What requests get: the rendered text and the facts needed to answer with it.
struct RenderedBoard {
  std::string text;
  int64_t last_vote_id = 0;
  int64_t computed_at_ms = 0;
};

struct LeaderboardOptions {
  int64_t min_votes = 50;
  uint64_t seed = 1;
  int bootstrap_rounds = 1000;
  double ci_level = 0.95;
  int threads = 1;  // per fit; the io threads keep the other cores
  // Each board carries the robustness of the adjacent orders among this many models at its
  // top (rating::BoardOptions::robustness_top; 0: none).
  int robustness_top = 10;
  // Listing rules (docs/running.md, "Listing rules"). A revealed model stays preliminary
  // until it was in this many of its track's votes cast after its reveal (0: no rule).
  int64_t preliminary_votes = 0;
  // A model hidden after it was listed stays on the board, under the name it was shown with,
  // marked "withdrawn", its votes still counted (false: hidden models and their votes leave
  // the board, as before the rule).
  bool keep_withdrawn = false;
  // Shortest pause between two recomputations of the standard boards; a recomputation
  // that took t also waits 4t, so fitting stays a small share of the CPU under load.
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds history_interval{10'000};
  // How often to look for votes other servers stored (this server's own are announced).
  std::chrono::milliseconds poll{1000};
  std::size_t max_on_demand = 64;  // filtered boards kept besides the standard ones
  // Of those, how many (the most recently asked for) are recomputed with each round of
  // the standard boards; the others keep their last board until asked for again.
  std::size_t max_fresh_on_demand = 8;
  std::function<std::string(const BoardSnapshot&)> render_board;
  std::function<std::string(const HistorySnapshot&)> render_history;
  // Adaptive: each refit of a track's main board makes the track's next PairingPlan.
  MatchmakingOptions matchmaking{.mode = MatchmakingMode::Uniform};
  // Votes cast without watching weigh less (watch_weighting.hpp); nullopt: all weigh 1.
  std::optional<WatchWeighting> watch_weighting;
};

class LeaderboardCache {
 public:
  LeaderboardCache(store::Store& store, std::function<std::shared_ptr<const Catalog>()> catalog,
                   LeaderboardOptions options);
  ~LeaderboardCache();
  LeaderboardCache(const LeaderboardCache&) = delete;
  LeaderboardCache& operator=(const LeaderboardCache&) = delete;

  enum class State { Ready, Computing, Failed };
  struct Lookup {
    State state = State::Computing;
    std::shared_ptr<const RenderedBoard> board;  // Ready
    Error error;                                 // Failed (e.g. "bad_weights")
  };

  // The last published board for `request`; never waits for a fit. Standard boards (no
  // filter; each single category; "balanced") are always kept current; others are queued
  // on first request (Computing) and then kept current while they are asked for.
  Lookup board(const BoardRequest& request);
  // Boards recomputed so far by the rounds that keep boards current (not first
  // computations): what a round costs, for tests and metrics.
  uint64_t refits() const { return refits_.load(); }
  // The last published score-over-time history of a track, or nullptr before the first.
  std::shared_ptr<const RenderedBoard> history(const std::string& track_id);

  // New votes were committed by this server (up to `last_id`).
  void votes_committed(int64_t last_id);
  // The catalog changed: public names may have changed (a reveal), so check them.
  void catalog_changed();
  // Votes were voided: read every vote again.
  void rebuild();
  // The id of the last vote read into the tables.
  int64_t last_vote_id() const;
  // The pairing plan the track's main board made at its last refit; nullptr with uniform
  // matchmaking or before the first refit.
  std::shared_ptr<const PairingPlan> pairing_plan(const std::string& track_id) const;

  void stop();

 private:
  struct TrackVotes {
    rating::VoteTable table;
    std::array<uint32_t, kPresentationFeatures.size()> features{};  // the table's feature ids
    bool features_interned = false;
    std::vector<int64_t> vote_ids;    // per table row
    std::vector<int64_t> vote_times;  // per table row, ms
  };
  struct Entry {
    BoardRequest request;
    bool standard = false;
    std::shared_ptr<const RenderedBoard> board;
    std::optional<Error> error;
    int64_t computed_through = -1;  // last_vote_id of the board, -1 before the first
    std::chrono::steady_clock::time_point requested;
    bool queued = false;
  };

  void run();
  bool read_new_votes();                                        // true if any track got votes
  void set_clip_features(TrackVotes& t, const store::Vote& v);  // of the table's last vote
  void reset_tables(std::unordered_map<std::string, std::string> names);
  void compute_standard(const Catalog& catalog, bool only_changed);
  void compute_entry(const std::string& key, const Catalog& catalog);
  void compute_history(const std::string& track_id);
  Result<RenderedBoard> compute(const BoardRequest& request, const Catalog& catalog);

  store::Store& store_;
  std::function<std::shared_ptr<const Catalog>()> catalog_;
  LeaderboardOptions options_;

  // What the change log says about the models (owned by the background thread).
  struct Listing {
    struct Withdrawn {
      std::string name, organization;
    };
    std::unordered_map<std::string, Withdrawn> withdrawn;  // by model id: listed, now hidden
    std::unordered_map<std::string, int64_t> revealed_at;  // by public name: last reveal, ms
  };
  void load_listing(const Catalog& catalog, std::unordered_map<std::string, std::string>& names);
  void apply_listing(const BoardRequest& request, BoardSnapshot& s) const;

  // Owned by the background thread.
  Listing listing_;
  std::unordered_map<std::string, std::string> names_;  // model id -> public name
  ClipFeatureIndex clip_features_;
  std::map<std::string, TrackVotes> tracks_;
  std::map<std::string, int64_t> track_changed_at_;  // last vote id that changed the track
  std::map<std::string, int64_t> history_through_;
  std::chrono::steady_clock::time_point next_standard_{};
  std::chrono::steady_clock::time_point next_history_{};
  std::string catalog_version_;
  std::atomic<uint64_t> refits_{0};  // boards recomputed by rounds (standard and fresh)

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry> entries_;  // by BoardRequest::key()
  std::deque<std::string> on_demand_;     // keys waiting for a first computation
  std::map<std::string, std::shared_ptr<const RenderedBoard>> histories_;
  std::map<std::string, std::shared_ptr<const PairingPlan>> plans_;  // by track id
  int64_t last_id_ = 0;
  int64_t announced_id_ = 0;
  bool rebuild_ = true;
  bool catalog_changed_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace paddock::arena
