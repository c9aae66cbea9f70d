#pragma once
// The storage interface of paddock: everything the arena keeps lives behind `Store`.
// Implementations: SQLite (store/sqlite_store.hpp, the embedded default) and PostgreSQL
// (store/postgres_store.hpp). Both keep the same schema and migrations and pass the same
// test suite (store/store_conformance_test.cpp).
//
// Thread safety: a Store may be used from several threads at once; implementations
// serialize internally where their database requires it.
//
// Durability: a call that writes returns only after the data is durably committed
// (SQLite: WAL with synchronous=FULL; PostgreSQL: synchronous_commit on).
//
// Errors: every call returns an Error whose message names the database (describe()) and
// whose code is one of:
//   "invalid_argument"  the input was refused (empty id, text that is not UTF-8, ...)
//   "not_found"         a referenced row is missing (a clip's model), or no such SQLite file
//                       when StoreOptions::create_if_missing is false
//   "conflict"          a constraint refused the write (import_votes: an id already used)
//   "db_busy"           a lock or a connection was not free within busy_timeout_ms
//   "db_full"           the disk or the database is full; nothing of the call was stored
//   "db_corrupt"        the file is not a database, or the database is damaged
//   "db_readonly"       the database cannot be written (permissions, read-only media)
//   "db_unreachable"    PostgreSQL: the server cannot be reached or the connection dropped;
//                       a write that fails so may or may not have committed (votes are
//                       idempotent by battle id, so a retry is safe)
//   "schema_too_new"    the database was written by a newer paddock (open only)
//   "io_error"          the operating system failed a read or write
//   "db_error"          anything else the database reported
// A failed call leaves the database as it was before the call.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace paddock::store {

// ---- catalog -------------------------------------------------------------------------

enum class Task { TextToVideo, ImageToVideo, VideoEdit };
enum class ModelStatus { Hidden, Anonymous, Public, Retired };

// Stable spellings used in manifests, the HTTP API and the database:
// "text-to-video", "image-to-video", "video-edit"; "hidden", "anonymous", "public", "retired".
std::string_view to_string(Task);
std::string_view to_string(ModelStatus);
std::optional<Task> parse_task(std::string_view);
std::optional<ModelStatus> parse_model_status(std::string_view);

struct Track {
  std::string id;    // slug, e.g. "t2v-silent-5s"
  std::string name;  // shown to people
  Task task = Task::TextToVideo;
  bool audio = false;
  double duration_s = 0;  // nominal clip duration
  std::string aspect;     // "16:9", "9:16", "1:1"
  int width = 0;          // nominal resolution
  int height = 0;

  bool operator==(const Track&) const = default;
};

struct TrackSummary {
  Track track;
  int64_t models = 0;   // non-hidden models with at least one clip in the track
  int64_t prompts = 0;  // prompts in the track
  int64_t clips = 0;

  bool operator==(const TrackSummary&) const = default;
};

struct Model {
  std::string id;            // slug, stable forever; votes refer to it
  std::string display_name;  // real name, e.g. "HappyHorse-1.0"
  std::string organization;
  ModelStatus status = ModelStatus::Public;
  std::string codename;  // shown instead of the real name while status is Anonymous

  bool operator==(const Model&) const = default;
};

struct Prompt {
  std::string track_id;
  std::string id;  // unique within its track
  std::string text;
  std::string language;                 // BCP 47, e.g. "en"
  std::vector<std::string> categories;  // e.g. {"portrait", "motion"}
  std::string source_hash;              // content hash of the source image/video; empty if none
  std::string source_mime;              // "image/png", "video/mp4", ...

  bool operator==(const Prompt&) const = default;
};

// Facts about one stored clip file, probed at import.
struct Clip {
  std::string track_id;
  std::string prompt_id;
  std::string model_id;
  std::string hash;  // SHA-256 hex of the stored (normalized) file; its name in the media folder
  std::string mime;  // "video/mp4", "video/webm"
  double duration_s = 0;
  int width = 0;
  int height = 0;
  double fps = 0;
  std::string video_codec;
  std::string audio_codec;  // empty when silent
  bool has_audio = false;
  int64_t bytes = 0;

  bool operator==(const Clip&) const = default;
};

// What an upsert did; import summaries count these.
enum class Upsert { Inserted, Updated, Unchanged };
std::string_view to_string(Upsert);  // "inserted", "updated", "unchanged"

// ---- battles and votes ---------------------------------------------------------------

enum class Choice { Left, Right, Tie, BothBad };
std::string_view to_string(Choice);  // "left", "right", "tie", "both_bad"
std::optional<Choice> parse_choice(std::string_view);

// A pairing handed to one voter. Written in batches, possibly after the vote on it.
struct Battle {
  std::string id;  // random, unguessable
  std::string track_id;
  std::string prompt_id;
  std::string left_model;
  std::string right_model;
  std::string left_clip;  // clip hashes
  std::string right_clip;
  std::string session;  // voter session id
  std::string address;  // client IP address
  int64_t issued_at_ms = 0;
  int64_t expires_at_ms = 0;

  bool operator==(const Battle&) const = default;
};

// A verdict on one battle. Carries the battle's facts so that a vote can be stored (and
// rated) by any server without reading the battle row first.
struct Vote {
  int64_t id = 0;  // assigned by the store; increasing in commit order, across all servers
  std::string battle_id;
  std::string track_id;
  std::string prompt_id;
  std::string left_model;
  std::string right_model;
  std::vector<std::string> categories;  // the prompt's categories when the vote was cast
  Choice choice = Choice::Tie;
  int64_t left_watch_ms = 0;
  int64_t right_watch_ms = 0;
  int64_t decision_ms = 0;  // from battle shown to vote
  std::string session;
  std::string address;
  int64_t created_at_ms = 0;
  bool voided = false;
  std::string void_reason;

  bool operator==(const Vote&) const = default;
};

enum class VoteInsert { Stored, Duplicate };  // Duplicate: that battle already has a vote

struct VoteInsertResult {
  VoteInsert outcome = VoteInsert::Stored;
  int64_t id = 0;  // id of the stored vote (for Duplicate: the vote already kept)

  bool operator==(const VoteInsertResult&) const = default;
};

// Which votes a listing or a void applies to. Empty fields do not filter. Every field has an
// initializer so that designated initializers ({.session = s}) compile without warnings.
struct VoteQuery {
  std::string track_id{};
  std::string session{};
  std::string address{};
  int64_t after_id = 0;               // only votes with id > after_id
  std::optional<int64_t> up_to_id{};  // only votes with id <= up_to_id
  bool include_voided = false;
  int64_t limit = 0;  // 0 = no limit; results are ordered by id
};

struct Counts {
  int64_t tracks = 0, models = 0, prompts = 0, clips = 0;
  int64_t battles = 0, votes = 0, voided_votes = 0;
  int64_t settings = 0;
  int64_t max_vote_id = 0;  // 0 when there are no votes

  bool operator==(const Counts&) const = default;
};

struct Setting {
  std::string name;
  std::string value;

  bool operator==(const Setting&) const = default;
};

// Names of the settings the store itself maintains (decimal counters that only go up).
inline constexpr std::string_view kCatalogVersionSetting = "catalog_version";
inline constexpr std::string_view kVoidVersionSetting = "void_version";

class Store {
 public:
  virtual ~Store() = default;

  // ---- catalog ----
  // Upserts that insert or change something also increase the setting "catalog_version"
  // (a decimal counter) in the same transaction, so running servers notice catalog changes
  // made by other processes (paddock admin, paddock import) by polling that one value.
  virtual Result<Upsert> upsert_track(const Track&) = 0;
  virtual Result<Upsert> upsert_model(const Model&) = 0;
  virtual Result<Upsert> upsert_prompt(const Prompt&) = 0;
  virtual Result<Upsert> upsert_clip(const Clip&) = 0;

  // Upserts are keyed by Track::id, Model::id, (Prompt::track_id, Prompt::id) and
  // (Clip::track_id, Clip::prompt_id, Clip::model_id). Unchanged means nothing was written.
  // REQUIRES for prompts: the track exists; for clips: the prompt and the model exist
  // (otherwise "not_found").

  // Listings are ordered by id (byte order, the same on both backends).
  // list_tracks: TrackSummary::clips counts the clips of the non-hidden models it counts.
  virtual Result<std::vector<TrackSummary>> list_tracks() = 0;
  virtual Result<std::optional<Track>> find_track(std::string_view id) = 0;
  virtual Result<std::vector<Model>> list_models() = 0;
  virtual Result<std::optional<Model>> find_model(std::string_view id) = 0;
  // An empty track_id lists every track's prompts (clips), ordered by track then id.
  virtual Result<std::vector<Prompt>> list_prompts(std::string_view track_id) = 0;
  virtual Result<std::vector<Clip>> list_clips(std::string_view track_id) = 0;
  // True if some clip or prompt source has this content hash (media requests check it).
  virtual Result<bool> has_media(std::string_view hash) = 0;

  // ---- battles and votes ----
  // Stores battles in one transaction; ids already present are left as they are.
  virtual Status insert_battles(std::span<const Battle>) = 0;
  // Stores votes in one durable transaction; one result per input, in order. A vote on a
  // battle that already has one is not stored (VoteInsert::Duplicate) and the first is kept,
  // also within one batch. Every field is stored as given except `id`, which the store
  // assigns: ids increase in commit order, and once a reader sees vote N it already sees
  // every committed vote below N, so reading with after_id never skips a vote.
  // Returns only after the commit is durable; on error nothing of the batch is stored.
  virtual Result<std::vector<VoteInsertResult>> insert_votes(std::span<const Vote>) = 0;
  // Like insert_votes, but keeps each vote's non-zero `id` (paddock copy). A vote whose id is
  // already used by another battle fails the whole batch with "conflict". Later insert_votes
  // calls get ids above every id stored so far.
  virtual Result<std::vector<VoteInsertResult>> import_votes(std::span<const Vote>) = 0;
  // Votes matching the query, ordered by id.
  virtual Result<std::vector<Vote>> list_votes(const VoteQuery&) = 0;
  // Marks the matching, not yet voided votes voided with `reason` (they stay stored, and leave
  // the boards). Returns how many; when that is not zero it also increases the setting
  // "void_version" in the same transaction, so servers notice voids made elsewhere.
  // REQUIRES: the query filters on something (track, session, address or an id bound) and
  // has no limit; otherwise "invalid_argument".
  virtual Result<int64_t> void_votes(const VoteQuery&, std::string_view reason) = 0;
  // Battles of one track (every track if track_id is empty), ordered by issued_at_ms then id;
  // limit 0 = no limit.
  virtual Result<std::vector<Battle>> list_battles(std::string_view track_id, int64_t limit) = 0;
  // Every battle with an id greater than after_id (byte order), ordered by id; for paging
  // through all battles (paddock copy). limit 0 = no limit.
  virtual Result<std::vector<Battle>> list_battles_after(std::string_view after_id,
                                                         int64_t limit) = 0;
  // All counts from one consistent snapshot.
  virtual Result<Counts> counts() = 0;

  // ---- settings shared by every server on this database (e.g. the ticket signing key) ----
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  // Sets key to value unless it is already set; returns the value that is stored afterwards.
  // Lets several servers agree on one generated secret.
  virtual Result<std::string> set_setting_once(std::string_view key, std::string_view value) = 0;
  virtual Status set_setting(std::string_view key, std::string_view value) = 0;
  // Every setting, ordered by name.
  virtual Result<std::vector<Setting>> list_settings() = 0;

  // Returns ok if the database answers now (health checks).
  virtual Status ping() = 0;

  virtual int schema_version() const = 0;
  // "sqlite:/abs/path/paddock.db" or "postgresql://user@host:port/db" (never a password).
  // open_store(describe()) opens the same database.
  virtual std::string describe() const = 0;
};

// The schema version this program writes (the number of the last migration it knows).
int latest_schema_version();

struct StoreOptions {
  // SQLite: create the file if it does not exist (otherwise "not_found").
  bool create_if_missing = true;
  // How long a call waits for a database lock or a free connection before "db_busy".
  int busy_timeout_ms = 5000;
  // PostgreSQL: the connection pool size. SQLite: the most read connections (one writer).
  int connections = 8;
  // PostgreSQL: how long to wait for a connection to be established.
  int connect_timeout_s = 5;
  // Tests only: migrate no further than this version (to make an older database).
  std::optional<int> migrate_to{};
  // Tests only: SQL run on every new connection, after paddock's own settings
  // (e.g. "PRAGMA max_page_count=100" to simulate a full disk).
  std::vector<std::string> connection_sql{};
};

// Opens a store from a location: a file path (SQLite, created if missing), "sqlite:PATH",
// or a "postgresql://" / "postgres://" URL. Runs pending migrations; refuses a database whose
// schema is newer than this program knows ("schema_too_new", naming both versions).
Result<std::unique_ptr<Store>> open_store(const std::string& location);
Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions&);

}  // namespace paddock::store
