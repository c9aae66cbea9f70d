#pragma once
// Catalog import: tracks, models, prompts and clips from a JSON Lines manifest or a folder
// (docs/import-format.md) into the store, with every clip probed, checked against its
// track and stored normalized in the media folder (media/media.hpp).
//
//   auto parsed = arena::read_catalog(path);              // manifest file or folder
//   if (!parsed.problems.empty()) { print them; stop }    // nothing is written then
//   auto report = arena::import_catalog(parsed.manifest, store.get(), options, progress);
//
// Re-importing the same input changes nothing: every upsert is Unchanged and no new file
// appears in the media folder (normalization is deterministic).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/media.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// Where a record came from: "catalog.jsonl:12", or a clip file found in a folder (line 0).
struct RecordOrigin {
  std::string file;  // as the user named it
  int line = 0;
  std::string to_string() const;  // "catalog.jsonl:12" or the file alone
};

struct TrackRecord {
  store::Track track;  // track.fps 0: the import chooses (import_catalog)
  RecordOrigin origin;
};

struct ModelRecord {
  store::Model model;
  RecordOrigin origin;
};

struct PromptRecord {
  store::Prompt prompt;           // source_hash/source_mime are filled in by the import
  std::filesystem::path source;   // source image or video as resolved; empty if none
  std::string source_as_written;  // the path as the manifest has it, for messages
  RecordOrigin origin;
};

struct ClipRecord {
  std::string track_id;
  std::string prompt_id;
  std::string model_id;
  std::filesystem::path file;  // as resolved
  std::string file_as_written;
  RecordOrigin origin;
};

struct Manifest {
  std::vector<TrackRecord> tracks;
  std::vector<ModelRecord> models;
  std::vector<PromptRecord> prompts;
  std::vector<ClipRecord> clips;
};

// Ids of records that are in the catalog but have problems of their own: references to
// them are not reported again as unknown (the record's own problem says it all).
struct DeclaredIds {
  std::set<std::string> tracks;
  std::set<std::string> models;
  std::set<std::pair<std::string, std::string>> prompts;  // (track, prompt)
};

struct ParsedManifest {
  Manifest manifest;
  // Every problem found, one per line: "catalog.jsonl:12: unknown field \"duraton_s\"".
  std::vector<std::string> problems;
  DeclaredIds broken;  // records left out of `manifest` for their problems
};

// Parses a JSON Lines manifest; paths in it are relative to the manifest's folder.
// Never fails as a whole: problems are listed (a missing or unreadable file is one).
ParsedManifest parse_manifest(const std::filesystem::path& file);

// Reads a folder laid out as FOLDER/prompts.jsonl (track, model and prompt records) plus
// FOLDER/TRACK/PROMPT/MODEL.{mp4,webm,mov,mkv} (one clip each).
ParsedManifest scan_folder(const std::filesystem::path& folder);

// parse_manifest for a file, scan_folder for a folder.
ParsedManifest read_catalog(const std::filesystem::path& path);

// ---- importing ----

struct ImportOptions {
  std::filesystem::path media_dir = "media";
  bool dry_run = false;  // probe and check everything, write nothing
  // Keep each clip's own encoding (remux) instead of the house encoding: faster, but the
  // encodings then differ between models and can tell voters which model made a clip.
  bool remux = false;
  bool update_models = false;  // let the manifest overwrite models already in the store
  int jobs = 0;                // clips encoded at once; 0 = one per core
};

// How every clip of `track` is stored (paddock import, and paddock generate through the same
// path): the house encoding at the track's size, frame rate and duration (media.hpp), sound
// kept on audio tracks only; remuxed instead when `remux`. A track whose frame rate is not
// chosen yet (0) gets kFallbackFps, so that its clips still share one.
inline constexpr double kFallbackFps = 24;
media::NormalizeOptions clip_encoding(const store::Track& track, bool remux = false);

enum class Outcome { Inserted, Updated, Unchanged, Refused, Checked /* dry run */ };
std::string_view to_string(Outcome);

struct Tally {
  int64_t inserted = 0, updated = 0, unchanged = 0, refused = 0, checked = 0;
  void add(Outcome);
  int64_t total() const { return inserted + updated + unchanged + refused + checked; }
};

// One thing that was not imported, and why.
struct Refusal {
  std::string kind;     // "clip" or "prompt"
  std::string subject;  // "t2v/p001/hh1" (clip) or "t2v/p001" (prompt)
  std::string file;     // the file as written in the manifest
  std::string code;     // "not_media", "corrupt", "off_spec", "no_audio", "unsupported", ...
  std::string message;  // names the file and the reason
};

struct ImportReport {
  std::vector<std::string> problems;  // manifest problems; when any, nothing was written
  Tally tracks, models, prompts, clips;
  std::vector<Refusal> refused;
  std::vector<std::string> notes;  // e.g. models left as the store has them
  bool dry_run = false;

  // True when there were no problems and nothing was refused.
  bool complete() const { return problems.empty() && refused.empty(); }
};

// Progress of the slow part (probing and storing media), one event per file done.
struct ImportStep {
  int64_t done = 0;
  int64_t total = 0;
  std::string file;  // as written in the manifest
  Outcome outcome = Outcome::Checked;
  std::string reason;  // for Refused
};
using ImportProgress = std::function<void(const ImportStep&)>;

// Checks that every reference of `manifest` resolves (the tracks, prompts and models named
// by prompts and clips exist in the manifest or, when store is not null, in the store) and
// that each prompt has the source its track's task needs. Returns the problems found, each
// starting with the record's origin; empty when all is well. Writes nothing.
// Errors: a store failure.
Result<std::vector<std::string>> check_catalog(const Manifest& manifest, store::Store* store);

// Every problem of a parsed catalog in one list, in the order of their places (file, then
// line): the records' own problems and duplicates from parsing, and the references that
// do not resolve (check_catalog; a reference to a record with problems of its own is not
// one), so a user fixes everything in one round. Errors: a store failure.
Result<std::vector<std::string>> catalog_problems(const ParsedManifest& parsed,
                                                  store::Store* store);

// Imports `manifest` into `store` and options.media_dir. First checks that every reference
// resolves (tracks, prompts and models named by prompts and clips exist in the manifest or
// the store) and that entries follow catalog_rules; if not, returns a report whose
// `problems` list them and writes nothing. Then deletes the temporary files killed imports
// left in the media folder (media::remove_stale_temporaries; a note says how many), chooses each
// track's frame rate (the manifest's, else the store's, else the most common among the clips
// imported, ties to the higher, which is then kept with the track), upserts tracks and models (a
// model already in the store and different is kept unless update_models), stores prompt sources and
// upserts prompts, then probes every clip, checks it against its track (sound required on
// audio tracks, duration and size within the tolerances of media::check_against), stores
// it as clip_encoding() says and upserts it, options.jobs clips at once. A file that fails
// is refused with the reason and the rest goes on; a prompt whose source is refused takes
// its clips with it. Reports and progress follow the manifest's order. With dry_run nothing
// is written (store may then be null: references are checked against the manifest only).
// Errors: a store failure (the import stops; what was written stays, and running it again
// completes it).
Result<ImportReport> import_catalog(const Manifest& manifest, store::Store* store,
                                    const ImportOptions& options,
                                    const ImportProgress& progress = {});

// ---- one clip ----

// What a clip is checked against before it is stored, from its track.
struct ClipTarget {
  const store::Track* track = nullptr;  // REQUIRED
  std::string prompt_id;
  std::string model_id;
};

// Probes `file` and checks it against the track (sound required on audio tracks, duration
// and size within the tolerances of media::check_against). Writes nothing.
// Errors, each message naming the file: the refusal codes of docs/import-format.md
// ("not_found", "not_media", "corrupt", "off_spec", "no_audio").
Result<media::MediaFacts> check_clip(const std::filesystem::path& file, const store::Track& track);

// One clip the way import_catalog stores each one (the same code): check_clip, then the copy
// in media_dir in the track's house encoding (clip_encoding; sound dropped on silent tracks),
// named by its content hash, then the clip row upserted. The same file always gives the same hash
// and row, so storing it again is Unchanged. This is the one path by which every clip
// enters the arena (paddock import, paddock generate).
// Errors: a refusal (is_clip_refusal: the codes above, "unsupported", "not_video"; nothing
// was stored), "io_error" (the media folder), or the store's.
struct StoredClip {
  store::Clip row;
  store::Upsert upsert = store::Upsert::Unchanged;
  // It came out larger than its track's house file size, so its size tells it apart
  // (docs/security.md); import_catalog notes it.
  bool over_budget = false;
};
Result<StoredClip> import_clip(store::Store& store, const ClipTarget& target,
                               const std::filesystem::path& file,
                               const std::filesystem::path& media_dir);

// The media half of import_clip, for a file that is not a model's clip (an attention
// check's broken clip, store::Control): check_clip, then the copy in media_dir in the
// track's house encoding, named by its content hash; no clip row. Same errors as import_clip
// but the store's.
Result<media::StoredMedia> store_clip_media(const store::Track& track,
                                            const std::filesystem::path& file,
                                            const std::filesystem::path& media_dir);

// True for the errors that mean "this file is not a clip the track takes" (a refusal the
// import reports and goes on from), false for failures of the machine or the database.
bool is_clip_refusal(const Error& error);

}  // namespace paddock::arena
