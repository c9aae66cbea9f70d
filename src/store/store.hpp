#pragma once
// The storage interface of paddock: everything the arena keeps lives behind `Store`. The
// records it keeps are in store/records.hpp; opening a database is store/open_store.hpp.
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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/records.hpp"

namespace paddock::store {

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
  // upsert_model, and when it changed the row, `event` appended to the change log in the
  // same transaction (its id and, when 0, its at_ms are the store's).
  virtual Result<Upsert> upsert_model_with_event(const Model&, const ModelEvent& event) = 0;
  // The change log, oldest first.
  virtual Result<std::vector<ModelEvent>> list_model_events() = 0;
  // Appends events as they are (times kept, new ids), skipping any the log already has
  // (same model, kind and time): paddock copy. Returns how many were added.
  virtual Result<int64_t> import_model_events(std::span<const ModelEvent>) = 0;
  // Voided votes per reason, most first (then by reason).
  virtual Result<std::vector<VoidCount>> count_voids() = 0;
  virtual Result<Upsert> upsert_prompt(const Prompt&) = 0;
  virtual Result<Upsert> upsert_clip(const Clip&) = 0;
  // Sets the presentation measurements (motion, luma, saturation) of the clip keyed by
  // (track_id, prompt_id, model_id) if it still has `clip.hash` (a clip replaced meanwhile
  // is left alone); its other fields are not read. Returns whether the row changed.
  // Errors: "invalid_argument" (a measurement outside 0-1).
  virtual Result<bool> set_clip_presentation(const Clip&) = 0;

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
  // True if some clip, prompt source or control's broken clip has this content hash (media
  // requests check it).
  virtual Result<bool> has_media(std::string_view hash) = 0;

  // ---- attention checks (records.hpp, Control) ----
  // Keyed by (track_id, id); a change increases "catalog_version" like the upserts above.
  // REQUIRES: the prompt and the intact model exist ("not_found").
  virtual Result<Upsert> upsert_control(const Control&) = 0;
  // An empty track_id lists every track's, ordered by track then id.
  virtual Result<std::vector<Control>> list_controls(std::string_view track_id) = 0;
  // Returns whether it existed. Votes on it keep its id.
  virtual Result<bool> delete_control(std::string_view track_id, std::string_view id) = 0;

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
  // Deletes up to `limit` battles issued before `issued_before_ms` that have no vote, and
  // returns how many: battles nobody voted on are kept only while their clip URLs work.
  virtual Result<int64_t> delete_unvoted_battles(int64_t issued_before_ms, int64_t limit) = 0;
  // All counts from one consistent snapshot.
  virtual Result<Counts> counts() = 0;

  // ---- generation jobs (paddock generate; docs/generate.md) ----
  // Adds a job for each given (track, prompt, model) that has none (the given state, owner
  // and times are ignored: a new job is planned, free, due now). A job that exists and is
  // still `planned` takes the given provider, provider model, request, seed, estimated cost
  // and currency (the configuration may have changed); jobs in other states are left as
  // they are. Returns how many jobs were added. REQUIRES: the prompts and models exist
  // ("not_found").
  virtual Result<int64_t> plan_jobs(std::span<const GenerationJob>) = 0;
  // Jobs of one track (every track when empty), ordered by id.
  virtual Result<std::vector<GenerationJob>> list_jobs(std::string_view track_id) = 0;
  // Takes the first claimable job (records.hpp, JobClaim) for claim.owner until
  // claim.lease_until_ms, as a conditional update: two claimants never get the same job.
  // nullopt when none is claimable now.
  virtual Result<std::optional<GenerationJob>> claim_job(const JobClaim&) = 0;
  // Writes the job's working fields (state, request, seed, client reference, task id and
  // handle, owner, lease, attempts, times, costs, usage, error, clip hash) if `owner` still
  // holds it; "conflict" if it does not (its lease was taken over). Setting job.owner to
  // "" releases it.
  virtual Status update_job(const GenerationJob& job, std::string_view owner) = 0;
  // update_job, and the clip's provenance stored with it, in one transaction. REQUIRES: the
  // clip exists ("not_found").
  virtual Status finish_job(const GenerationJob& job, std::string_view owner,
                            const ClipGeneration& provenance) = 0;
  // Puts the jobs of a track that are in state `from` back to planned: no owner, no task,
  // no error, no attempts, due now. Returns how many.
  virtual Result<int64_t> requeue_jobs(std::string_view track_id, JobState from) = 0;
  // How many jobs of a track (every track when empty) are in each state; states with none
  // are left out.
  virtual Result<std::vector<JobStateCount>> count_jobs(std::string_view track_id) = 0;
  // The owners named on jobs now (whatever their lease), ordered.
  virtual Result<std::vector<std::string>> list_job_owners() = 0;

  // ---- clip provenance ----
  // Keyed by (track, prompt, model). REQUIRES: the clip exists ("not_found").
  virtual Result<Upsert> upsert_clip_generation(const ClipGeneration&) = 0;
  // An empty track_id lists every track's, ordered by track, prompt, model.
  virtual Result<std::vector<ClipGeneration>> list_clip_generations(std::string_view track_id) = 0;

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

}  // namespace paddock::store
