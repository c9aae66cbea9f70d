#pragma once
// The domain records paddock keeps: tracks, models, prompts, clips, battles, votes, and the
// small value types that go with them (what an upsert did, which votes a query means, the
// counts). Plain values with no behaviour beyond their stable spellings, so every layer
// above the store may use them without depending on a database (docs/architecture.md).
// The storage interface is store/store.hpp; opening a database is store/open_store.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // How paddock generate seeds each request (docs/generate.md): "per-prompt" (a stable
  // number from the prompt id, the same for every model), "fixed:N", or "none" (the
  // provider's default, usually random).
  std::string seed = "per-prompt";
  // Whether generated clips may carry the provider's visible watermark. Off: paddock asks
  // every provider for none, and the plan names those that cannot honour it.
  bool watermark = false;
  // The frame rate every clip of the track is encoded at; 0 = not chosen yet (tracks made
  // before paddock kept one): the next import chooses it.
  double fps = 0;

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
  // How paddock generate makes this model's clips, as JSON text (an object with "provider",
  // "model" per task and fixed "parameters"; docs/generate.md); empty when it is not
  // generated. The store keeps the text; arena/catalog_rules checks it on every door.
  std::string generation{};

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
  // How the stored file looks (media::measure_presentation), for presentation control:
  // motion, mean luma and mean saturation, each 0-1. nullopt: not measured (clips stored
  // before schema 6, until `paddock admin measure-clips` measures them).
  std::optional<double> motion{};
  std::optional<double> luma{};
  std::optional<double> saturation{};

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
  // An attention check (Control): the control's id; empty for an ordinary battle. The side
  // whose model is empty shows the control's broken clip.
  std::string control{};

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
  // A vote on an attention check (Control): the control's id, and the answer it expects (the
  // side of the intact clip; the other side's model is empty). Such votes count on no board,
  // in no public export and in no voter-scoring fit; they only test the voter.
  std::string control{};
  std::optional<Choice> expected{};

  bool operator==(const Vote&) const = default;
};

enum class VoteInsert { Stored, Duplicate };  // Duplicate: that battle already has a vote

struct VoteInsertResult {
  VoteInsert outcome = VoteInsert::Stored;
  int64_t id = 0;  // id of the stored vote (for Duplicate: the vote already kept)

  bool operator==(const VoteInsertResult&) const = default;
};

// Which votes a query takes, as to votes on attention checks (Vote::control).
enum class ControlVotes { Excluded, Included, Only };

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
  // By default votes on attention checks are left out: they belong on no board.
  ControlVotes controls = ControlVotes::Excluded;
};

struct Counts {
  int64_t tracks = 0, models = 0, prompts = 0, clips = 0;
  int64_t battles = 0, votes = 0, voided_votes = 0;
  int64_t settings = 0;
  int64_t model_events = 0;
  int64_t max_vote_id = 0;  // 0 when there are no votes
  int64_t controls = 0;     // attention checks (Control)

  bool operator==(const Counts&) const = default;
};

// ---- generation jobs (paddock generate; docs/generate.md) ---------------------------------

// planned -> submitting -> submitted -> downloading -> stored; or refused (the provider
// refused the request), failed (retries exhausted, or an off-spec result), in_doubt (a
// submission whose outcome is unknown: never resubmitted without the operator's word).
enum class JobState {
  Planned,
  Submitting,
  Submitted,
  Downloading,
  Stored,
  Refused,
  Failed,
  InDoubt
};
std::string_view to_string(JobState);  // "planned", "submitting", ..., "in_doubt"
std::optional<JobState> parse_job_state(std::string_view);

// One clip to make: one row per (track, prompt, model).
struct GenerationJob {
  int64_t id = 0;  // assigned by the store
  std::string track_id{};
  std::string prompt_id{};
  std::string model_id{};
  std::string provider{};        // the provider's name in the configuration
  std::string provider_model{};  // the provider's model id for the track's task
  JobState state = JobState::Planned;
  std::string request{};           // the planned request's parameters, JSON text (never a key)
  std::optional<int64_t> seed{};   // from the track's seed policy
  std::string client_reference{};  // random id sent where the provider takes one
  std::string task_id{};           // the provider's task id, committed before the first poll
  std::string task_handle{};       // what else polling needs, JSON text
  std::string owner{};             // the process working on it ("" = none)
  int64_t lease_until_ms = 0;      // the owner's claim ends then unless renewed
  int64_t attempts = 0;            // failed attempts of the current step, for backoff
  int64_t next_attempt_at_ms = 0;
  int64_t submitted_at_ms = 0;
  int64_t finished_at_ms = 0;
  std::optional<double> estimated_cost{};  // in `currency`, from the price table
  std::optional<double> cost{};            // what the provider charged, from its usage
  std::string currency{};
  std::string usage{};  // the provider's usage object, JSON text
  std::string error_code{};
  std::string error_message{};
  std::string clip_hash{};  // the stored clip, once stored
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;

  bool operator==(const GenerationJob&) const = default;
};

// What a claim takes: the first claimable job of the track (and models and prompts, when
// given), by next_attempt_at_ms then id. Claimable: state planned (unless
// !new_submissions), submitting, submitted or downloading; due (next_attempt_at_ms <=
// now_ms); and free (no owner, an expired lease, or an owner in dead_owners). Every field
// has an initializer so that designated initializers compile without warnings.
struct JobClaim {
  std::string track_id{};
  std::vector<std::string> model_ids{};   // empty: every model
  std::vector<std::string> prompt_ids{};  // empty: every prompt
  std::string owner{};                    // the claimant
  int64_t now_ms = 0;
  int64_t lease_until_ms = 0;              // the new lease
  std::vector<std::string> dead_owners{};  // owners known to be gone (their pid died)
  bool new_submissions = true;             // false: leave planned jobs (budget spent, stopping)
};

struct JobStateCount {
  JobState state = JobState::Planned;
  int64_t jobs = 0;

  bool operator==(const JobStateCount&) const = default;
};

// Where a clip came from when paddock generate made it (exported with the clip).
struct ClipGeneration {
  std::string track_id{};
  std::string prompt_id{};
  std::string model_id{};
  std::string provider{};
  std::string provider_model{};
  std::string task_id{};
  std::string request{};  // the parameters sent, JSON text
  std::optional<int64_t> seed{};
  std::optional<double> cost{};
  std::string currency{};
  int64_t generation_ms = 0;  // from submission to result
  int64_t generated_at_ms = 0;

  bool operator==(const ClipGeneration&) const = default;
};

// An attention check: a battle with a known answer, an intact clip (a model's own clip of the
// prompt) against a deliberately broken copy, stored in the media folder through the import
// path like any clip (so nothing but its content tells it apart). The right answer is the
// intact side. Keyed by (track_id, id).
struct Control {
  std::string track_id{};
  std::string id{};  // unique within its track
  std::string prompt_id{};
  std::string intact_model{};  // the model whose clip of the prompt is the intact side
  std::string broken_hash{};   // the broken clip's content hash (its name in the media folder)
  std::string broken_mime{};
  int64_t broken_bytes = 0;
  std::string note{};  // how it was broken, for the operator
  int64_t created_at_ms = 0;

  bool operator==(const Control&) const = default;
};

struct Setting {
  std::string name;
  std::string value;

  bool operator==(const Setting&) const = default;
};

// The public change log of the board: a model entering it, being revealed, retired,
// withdrawn (hidden after it was listed) or listed again. Kept with the model's public face
// at the time, so the log stays true after later renames and never names what was hidden.
enum class ModelEventKind { Added, Revealed, Retired, Withdrawn, Restored };
std::string_view to_string(ModelEventKind);
std::optional<ModelEventKind> parse_model_event_kind(std::string_view);

struct ModelEvent {
  int64_t id = 0;  // assigned by the store, increasing
  std::string model_id;
  ModelEventKind kind = ModelEventKind::Added;
  ModelStatus from_status = ModelStatus::Hidden;
  ModelStatus to_status = ModelStatus::Public;
  std::string shown_before;  // the public name before ("" when it was not listed)
  std::string shown_after;   // the public name after ("" when it is no longer listed)
  std::string organization;  // the public organization after ("" while anonymous)
  int64_t at_ms = 0;

  bool operator==(const ModelEvent&) const = default;
};

// How many votes were voided for one reason.
struct VoidCount {
  std::string reason;
  int64_t votes = 0;

  bool operator==(const VoidCount&) const = default;
};

}  // namespace paddock::store
