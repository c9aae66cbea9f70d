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
};

struct TrackSummary {
  Track track;
  int64_t models = 0;   // non-hidden models with at least one clip in the track
  int64_t prompts = 0;  // prompts in the track
  int64_t clips = 0;
};

struct Model {
  std::string id;            // slug, stable forever; votes refer to it
  std::string display_name;  // real name, e.g. "HappyHorse-1.0"
  std::string organization;
  ModelStatus status = ModelStatus::Public;
  std::string codename;  // shown instead of the real name while status is Anonymous
};

struct Prompt {
  std::string track_id;
  std::string id;  // unique within its track
  std::string text;
  std::string language;                 // BCP 47, e.g. "en"
  std::vector<std::string> categories;  // e.g. {"portrait", "motion"}
  std::string source_hash;              // content hash of the source image/video; empty if none
  std::string source_mime;              // "image/png", "video/mp4", ...
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
};

// What an upsert did; import summaries count these.
enum class Upsert { Inserted, Updated, Unchanged };

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
};

// A verdict on one battle. Carries the battle's facts so that a vote can be stored (and
// rated) by any server without reading the battle row first.
struct Vote {
  int64_t id = 0;  // assigned by the store; increasing in commit order per server
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
};

enum class VoteInsert { Stored, Duplicate };  // Duplicate: that battle already has a vote

struct VoteInsertResult {
  VoteInsert outcome = VoteInsert::Stored;
  int64_t id = 0;  // id of the stored vote (for Duplicate: the vote already kept)
};

// Which votes a listing or a void applies to. Empty fields do not filter.
struct VoteQuery {
  std::string track_id;
  std::string session;
  std::string address;
  int64_t after_id = 0;  // only votes with id > after_id
  std::optional<int64_t> up_to_id;
  bool include_voided = false;
  int64_t limit = 0;  // 0 = no limit; results are ordered by id
};

struct Counts {
  int64_t tracks = 0, models = 0, prompts = 0, clips = 0;
  int64_t battles = 0, votes = 0, voided_votes = 0;
};

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

  virtual Result<std::vector<TrackSummary>> list_tracks() = 0;
  virtual Result<std::optional<Track>> find_track(std::string_view id) = 0;
  virtual Result<std::vector<Model>> list_models() = 0;
  virtual Result<std::optional<Model>> find_model(std::string_view id) = 0;
  virtual Result<std::vector<Prompt>> list_prompts(std::string_view track_id) = 0;
  virtual Result<std::vector<Clip>> list_clips(std::string_view track_id) = 0;
  // True if some clip or prompt source has this content hash (media requests check it).
  virtual Result<bool> has_media(std::string_view hash) = 0;

  // ---- battles and votes ----
  // Stores battles in one transaction; ids already present are left as they are.
  virtual Status insert_battles(std::span<const Battle>) = 0;
  // Stores votes in one durable transaction; one result per input, in order. A vote on a
  // battle that already has one is not stored (VoteInsert::Duplicate) and the first is kept.
  virtual Result<std::vector<VoteInsertResult>> insert_votes(std::span<const Vote>) = 0;
  virtual Result<std::vector<Vote>> list_votes(const VoteQuery&) = 0;
  // Marks the matching votes voided (they stay stored, and leave the boards). Returns how many.
  virtual Result<int64_t> void_votes(const VoteQuery&, std::string_view reason) = 0;
  virtual Result<std::vector<Battle>> list_battles(std::string_view track_id, int64_t limit) = 0;
  virtual Result<Counts> counts() = 0;

  // ---- settings shared by every server on this database (e.g. the ticket signing key) ----
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  // Sets key to value unless it is already set; returns the value that is stored afterwards.
  // Lets several servers agree on one generated secret.
  virtual Result<std::string> set_setting_once(std::string_view key, std::string_view value) = 0;
  virtual Status set_setting(std::string_view key, std::string_view value) = 0;

  virtual int schema_version() const = 0;
  virtual std::string describe() const = 0;  // "sqlite:/path/paddock.db", no passwords
};

// Opens a store from a location: a file path (SQLite, created if missing) or a
// "postgresql://" / "postgres://" URL. Runs pending migrations; refuses a database whose
// schema is newer than this program knows, with an error saying both versions.
Result<std::unique_ptr<Store>> open_store(const std::string& location);

}  // namespace paddock::store
