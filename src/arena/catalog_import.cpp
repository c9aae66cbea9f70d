// import_catalog(): checks a parsed manifest against itself and the store, then writes it.
#include "arena/catalog_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "arena/catalog_rules.hpp"
#include "arena/listing_rules.hpp"
#include "media/media.hpp"
#include "sys/work_in_order.hpp"

namespace paddock::arena {
namespace {

namespace fs = std::filesystem;

Outcome import_outcome(store::Upsert u) {
  switch (u) {
    case store::Upsert::Inserted:
      return Outcome::Inserted;
    case store::Upsert::Updated:
      return Outcome::Updated;
    case store::Upsert::Unchanged:
      return Outcome::Unchanged;
  }
  return Outcome::Unchanged;
}

std::unexpected<Error> store_failure(const Error& e, const std::string& doing) {
  return std::unexpected(Error{e.code, doing + ": " + e.message});
}

// What the import may refer to: the manifest's entries plus those already in the store.
class KnownCatalog {
 public:
  KnownCatalog(const Manifest& m, store::Store* store, const DeclaredIds* broken = nullptr)
      : store_(store), broken_(broken) {
    for (const auto& t : m.tracks) tracks_[t.track.id] = t.track;
    for (const auto& mo : m.models) models_.insert(mo.model.id);
    for (const auto& p : m.prompts) prompts_.insert({p.prompt.track_id, p.prompt.id});
  }

  // Declared in the catalog but left out for a problem of its own.
  bool broken_track(const std::string& id) const { return broken_ && broken_->tracks.contains(id); }
  bool broken_model(const std::string& id) const { return broken_ && broken_->models.contains(id); }
  bool broken_prompt(const std::string& track, const std::string& id) const {
    return broken_ && (broken_->prompts.contains({track, id}) || broken_->tracks.contains(track));
  }

  Result<const store::Track*> track(const std::string& id) {
    if (auto it = tracks_.find(id); it != tracks_.end()) return &it->second;
    if (!store_) return nullptr;
    auto found = store_->find_track(id);
    if (!found) return store_failure(found.error(), "looking up track " + id);
    if (!*found) return nullptr;
    return &(tracks_[id] = **found);
  }

  // Once the import has chosen a track's frame rate (before any clip is stored).
  void set_fps(const std::string& id, double fps) {
    if (auto it = tracks_.find(id); it != tracks_.end()) it->second.fps = fps;
  }

  Result<bool> model(const std::string& id) {
    if (models_.contains(id)) return true;
    if (!store_) return false;
    auto found = store_->find_model(id);
    if (!found) return store_failure(found.error(), "looking up model " + id);
    if (*found) models_.insert(id);
    return found->has_value();
  }

  Result<bool> prompt(const std::string& track_id, const std::string& id) {
    if (prompts_.contains({track_id, id})) return true;
    if (!store_ || listed_.contains(track_id)) return false;
    auto listed = store_->list_prompts(track_id);
    if (!listed) return store_failure(listed.error(), "listing prompts of track " + track_id);
    for (const auto& p : *listed) prompts_.insert({p.track_id, p.id});
    listed_.insert(track_id);
    return prompts_.contains({track_id, id});
  }

 private:
  store::Store* store_;
  const DeclaredIds* broken_;
  std::map<std::string, store::Track> tracks_;
  std::set<std::string> models_;
  std::set<std::pair<std::string, std::string>> prompts_;
  std::set<std::string> listed_;
};

// Every reference resolves and every prompt fits its track's task; problems otherwise.
Result<std::vector<std::string>> check_references(const Manifest& m, KnownCatalog& known) {
  std::vector<std::string> problems;
  for (const PromptRecord& p : m.prompts) {
    const std::string at = p.origin.to_string() + ": ";
    auto track = known.track(p.prompt.track_id);
    if (!track) return std::unexpected(track.error());
    if (!*track) {
      if (!known.broken_track(p.prompt.track_id)) {
        problems.push_back(at + "prompt refers to unknown track \"" + p.prompt.track_id + "\"");
      }
      continue;
    }
    const store::Task task = (*track)->task;
    if (task == store::Task::TextToVideo && !p.source_as_written.empty()) {
      problems.push_back(at + "prompts of text-to-video track " + p.prompt.track_id +
                         " take no \"source\"");
    } else if (task == store::Task::ImageToVideo && p.source_as_written.empty()) {
      problems.push_back(at + "prompts of image-to-video track " + p.prompt.track_id +
                         " need a \"source\" image");
    } else if (task == store::Task::VideoEdit && p.source_as_written.empty()) {
      problems.push_back(at + "prompts of video-edit track " + p.prompt.track_id +
                         " need a \"source\" video");
    }
  }
  for (const ClipRecord& c : m.clips) {
    const std::string at = c.origin.to_string() + ": ";
    auto track = known.track(c.track_id);
    if (!track) return std::unexpected(track.error());
    if (!*track) {
      if (!known.broken_track(c.track_id)) {
        problems.push_back(at + "clip refers to unknown track \"" + c.track_id + "\"");
      }
      continue;
    }
    auto prompt = known.prompt(c.track_id, c.prompt_id);
    if (!prompt) return std::unexpected(prompt.error());
    if (!*prompt && !known.broken_prompt(c.track_id, c.prompt_id)) {
      problems.push_back(at + "clip refers to unknown prompt \"" + c.prompt_id + "\" of track \"" +
                         c.track_id + "\"");
    }
    auto model = known.model(c.model_id);
    if (!model) return std::unexpected(model.error());
    if (!*model && !known.broken_model(c.model_id)) {
      problems.push_back(at + "clip refers to unknown model \"" + c.model_id + "\"");
    }
  }
  return problems;
}

// The most common of a track's clips' frame rates (ties: the higher), so that one odd clip
// does not set the pace.
double common_fps(const std::vector<double>& rates) {
  std::map<long, int> votes;
  for (double r : rates) ++votes[std::lround(r * 1000)];
  long best = 0;
  int best_count = 0;
  for (const auto& [rate, count] : votes) {
    if (count >= best_count) best = rate, best_count = count;
  }
  return static_cast<double>(best) / 1000;
}

bool same_model(const store::Model& a, const store::Model& b) {
  return a == b;
}

store::Clip clip_row(const ClipTarget& c, const media::StoredMedia& s) {
  store::Clip row;
  row.track_id = c.track->id;
  row.prompt_id = c.prompt_id;
  row.model_id = c.model_id;
  row.hash = s.hash;
  row.mime = s.facts.mime;
  row.duration_s = s.facts.duration_s;
  row.width = s.facts.width;
  row.height = s.facts.height;
  row.fps = s.facts.fps;
  row.video_codec = s.facts.video_codec;
  row.audio_codec = s.facts.audio_codec;
  row.has_audio = s.facts.has_audio;
  row.bytes = s.facts.bytes;
  return row;
}

// What storing one clip came to. None set: checked only (a dry run).
struct ClipResult {
  std::optional<StoredClip> stored{};
  std::optional<Error> refusal{};  // the file is not a clip the track takes; nothing stored
  std::optional<Error> failure{};  // the media folder or the database failed
};

// The one path by which a clip enters the arena (import_catalog's clips, import_clip, so
// paddock import and paddock generate): probe and check against the track, then (unless
// dry_run) store it in the media folder as clip_encoding() says, measure the stored file's
// presentation (media::measure_presentation) and upsert its row with the measurements. Safe to
// run on several threads at once (the store is thread-safe; the track is only read).
ClipResult store_one_clip(store::Store* store, const ClipTarget& target, const fs::path& file,
                          const ImportOptions& o) {
  const store::Track& t = *target.track;
  auto facts = check_clip(file, t);
  if (!facts) return {.refusal = facts.error()};
  if (o.dry_run) return {};
  const media::NormalizeOptions encoding = clip_encoding(t, o.remux);
  auto stored = media::store_normalized(file, o.media_dir, encoding);
  if (!stored) {
    if (stored.error().code == "io_error") return {.failure = stored.error()};
    return {.refusal = stored.error()};
  }
  StoredClip out{clip_row(target, *stored)};
  // Measured on the stored file: what voters see, at the track's frame rate.
  auto looks = media::measure_presentation(o.media_dir / stored->relative_path);
  if (!looks) {
    if (looks.error().code == "not_found") return {.failure = looks.error()};
    return {.refusal = looks.error()};
  }
  out.row.motion = looks->motion;
  out.row.luma = looks->luma;
  out.row.saturation = looks->saturation;
  auto u = store->upsert_clip(out.row);
  if (!u) {
    return {.failure = store_failure(u.error(), "storing clip " + t.id + "/" + target.prompt_id +
                                                    "/" + target.model_id)
                           .error()};
  }
  out.upsert = *u;
  const int64_t budget = o.remux ? 0 : media::house_file_bytes(encoding);
  out.over_budget = budget > 0 && stored->facts.bytes != budget;
  return {.stored = std::move(out)};
}

class Importer {
 public:
  Importer(const Manifest& m, store::Store* store, const ImportOptions& o,
           const ImportProgress& progress, ImportReport& report)
      : m_(m), store_(store), o_(o), progress_(progress), report_(report) {
    for (const auto& p : m.prompts) total_steps_ += p.source_as_written.empty() ? 0 : 1;
    total_steps_ += static_cast<int64_t>(m.clips.size());
  }

  // Each track's frame rate, before anything is written: the manifest's, else the store's,
  // else (a new track, or one from before paddock kept frame rates) the most common among
  // the clips this import brings, which tracks() then keeps with the track.
  Status choose_frame_rates(KnownCatalog& known) {
    for (const TrackRecord& t : m_.tracks) {
      if (t.track.fps > 0 || !store_) continue;
      auto stored = store_->find_track(t.track.id);
      if (!stored) return store_failure(stored.error(), "looking up track " + t.track.id);
      if (*stored && (*stored)->fps > 0) known.set_fps(t.track.id, (*stored)->fps);
    }
    if (o_.remux) return ok();             // nothing is encoded at it
    std::vector<const ClipRecord*> unset;  // clips of tracks without a frame rate yet
    for (const ClipRecord& c : m_.clips) {
      auto track = known.track(c.track_id);
      if (!track) return std::unexpected(track.error());
      if (*track && (*track)->fps == 0) unset.push_back(&c);
    }
    std::vector<double> probed(unset.size(), 0);
    std::map<std::string, std::vector<double>> rates;
    sys::for_each_in_order(
        unset.size(), jobs(),
        [&](std::size_t i) {
          auto facts = media::probe(unset[i]->file);  // a clip that fails is refused later
          if (facts) probed[i] = facts->fps;
        },
        [&](std::size_t i) {
          if (probed[i] > 0) rates[unset[i]->track_id].push_back(probed[i]);
          return true;
        },
        "paddock-probe");
    for (const auto& [id, track_rates] : rates) {
      const double fps = common_fps(track_rates);
      known.set_fps(id, fps);
      chosen_fps_.insert(id);
      report_.notes.push_back(fmt_fps_note(id, fps));
    }
    return ok();
  }

  Status tracks(KnownCatalog& known) {
    std::set<std::string> listed;
    for (const TrackRecord& t : m_.tracks) listed.insert(t.track.id);
    // The manifest's tracks, then tracks of the store whose frame rate this import chose.
    std::vector<std::string> ids;
    for (const TrackRecord& t : m_.tracks) ids.push_back(t.track.id);
    for (const std::string& id : chosen_fps_) {
      if (!listed.contains(id)) ids.push_back(id);
    }
    for (const std::string& id : ids) {
      if (o_.dry_run) {
        report_.tracks.add(Outcome::Checked);
        continue;
      }
      auto track = known.track(id);
      if (!track) return std::unexpected(track.error());
      auto u = store_->upsert_track(**track);
      if (!u) return store_failure(u.error(), "storing track " + id);
      report_.tracks.add(import_outcome(*u));
    }
    return ok();
  }

  Status models() {
    if (!o_.dry_run) {
      // The cap on anonymous models per organization, over the whole manifest at once.
      std::vector<store::Model> changes;
      for (const ModelRecord& rec : m_.models) changes.push_back(rec.model);
      if (auto capped = check_anonymous_cap(*store_, changes); !capped) {
        return std::unexpected(capped.error());
      }
    }
    for (const ModelRecord& rec : m_.models) {
      if (o_.dry_run) {
        report_.models.add(Outcome::Checked);
        continue;
      }
      auto existing = store_->find_model(rec.model.id);
      if (!existing) return store_failure(existing.error(), "looking up model " + rec.model.id);
      if (!o_.update_models) {
        if (*existing && !same_model(**existing, rec.model)) {
          report_.notes.push_back(rec.origin.to_string() + ": model " + rec.model.id +
                                  " differs from the one in the store; kept the store's "
                                  "(change it with paddock admin, or import with "
                                  "--update-models)");
          report_.models.add(Outcome::Unchanged);
          continue;
        }
      }
      auto u = store_model(*store_, *existing, rec.model);
      if (!u) return store_failure(u.error(), "storing model " + rec.model.id);
      report_.models.add(import_outcome(*u));
    }
    return ok();
  }

  Status prompts(KnownCatalog& known) {
    for (const PromptRecord& rec : m_.prompts) {
      store::Prompt p = rec.prompt;
      if (!rec.source_as_written.empty()) {
        auto stored = source(rec, known);
        if (!stored) {
          refused_prompts_.insert(p.track_id + "/" + p.id);
          refuse("prompt", p.track_id + "/" + p.id, rec.source, stored.error());
          report_.prompts.add(Outcome::Refused);
          continue;
        }
        p.source_hash = stored->hash;
        p.source_mime = stored->facts.mime;
      }
      Outcome outcome = Outcome::Checked;
      if (!o_.dry_run) {
        auto u = store_->upsert_prompt(p);
        if (!u) return store_failure(u.error(), "storing prompt " + p.track_id + "/" + p.id);
        outcome = import_outcome(*u);
      }
      report_.prompts.add(outcome);
      if (!rec.source_as_written.empty()) step(rec.source, outcome, "");
    }
    return ok();
  }

  Status clips(KnownCatalog& known) {
    // Tracks are looked up first (that may read the store): the pool's threads only read them.
    std::vector<const store::Track*> tracks;
    for (const ClipRecord& c : m_.clips) {
      auto track = known.track(c.track_id);
      if (!track) return std::unexpected(track.error());
      tracks.push_back(*track);  // never null: check_references passed
    }
    // Probed, checked and encoded several at once; stored rows, counts and progress follow
    // the manifest's order.
    std::vector<ClipResult> results(m_.clips.size());
    std::optional<Error> failure;
    sys::for_each_in_order(
        m_.clips.size(), jobs(),
        [&](std::size_t i) { results[i] = import_clip(m_.clips[i], *tracks[i]); },
        [&](std::size_t i) {
          const ClipRecord& c = m_.clips[i];
          const ClipResult& r = results[i];
          const std::string subject = c.track_id + "/" + c.prompt_id + "/" + c.model_id;
          if (r.failure) {
            failure = *r.failure;
            return false;
          }
          if (r.refusal) {
            refuse_clip(subject, c.file, *r.refusal);
            return true;
          }
          if (r.stored && r.stored->over_budget) {
            report_.notes.push_back(
                c.origin.to_string() + ": clip " + subject +
                " came out larger than its track's file size, so its size tells it apart "
                "(docs/security.md)");
          }
          const Outcome outcome = r.stored ? import_outcome(r.stored->upsert) : Outcome::Checked;
          report_.clips.add(outcome);
          step(c.file, outcome, "");
          return true;
        },
        "paddock-import");
    if (failure) return std::unexpected(*failure);
    return ok();
  }

 private:
  Result<media::StoredMedia> source(const PromptRecord& rec, KnownCatalog& known) {
    auto facts = media::probe(rec.source);
    if (!facts) return std::unexpected(facts.error());
    auto track = known.track(rec.prompt.track_id);
    if (!track) return std::unexpected(track.error());
    const bool wants_image = (*track)->task == store::Task::ImageToVideo;
    if (wants_image != facts->is_image) {
      return fail("off_spec", rec.source.string() + ": is " +
                                  (facts->is_image ? "an image" : "a video") + ", but prompts of " +
                                  std::string(store::to_string((*track)->task)) + " track " +
                                  rec.prompt.track_id + " need " +
                                  (wants_image ? "an image" : "a video"));
    }
    if (o_.dry_run) return media::StoredMedia{"", {}, *facts};
    return media::store_source(rec.source, o_.media_dir);
  }

  int jobs() const {
    return o_.jobs > 0 ? o_.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }

  // One clip through store_one_clip, on the pool's threads: it only reads what nothing
  // writes meanwhile.
  ClipResult import_clip(const ClipRecord& c, const store::Track& t) const {
    if (refused_prompts_.contains(c.track_id + "/" + c.prompt_id)) {
      return {.refusal = Error{"prompt_refused", c.file.string() + ": its prompt " + c.track_id +
                                                     "/" + c.prompt_id + " was refused"}};
    }
    return store_one_clip(store_, {&t, c.prompt_id, c.model_id}, c.file, o_);
  }

  static std::string fmt_fps_note(const std::string& track_id, double fps) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", fps);
    return "track " + track_id + ": its clips are encoded at " + rate +
           " fps, the most common frame rate among them (\"fps\" in its track record chooses "
           "another)";
  }

  void refuse(const std::string& kind, const std::string& subject, const fs::path& file,
              const Error& e) {
    report_.refused.push_back({kind, subject, file.string(), e.code, e.message});
    step(file, Outcome::Refused, e.message);
  }

  void refuse_clip(const std::string& subject, const fs::path& file, const Error& e) {
    report_.clips.add(Outcome::Refused);
    refuse("clip", subject, file, e);
  }

  void step(const fs::path& file, Outcome outcome, const std::string& reason) {
    ++done_steps_;
    if (progress_) progress_({done_steps_, total_steps_, file.string(), outcome, reason});
  }

  const Manifest& m_;
  store::Store* store_;
  const ImportOptions& o_;
  const ImportProgress& progress_;
  ImportReport& report_;
  std::set<std::string> refused_prompts_;
  std::set<std::string> chosen_fps_;  // tracks whose frame rate this import chose
  int64_t done_steps_ = 0;
  int64_t total_steps_ = 0;
};

}  // namespace

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::Inserted:
      return "inserted";
    case Outcome::Updated:
      return "updated";
    case Outcome::Unchanged:
      return "unchanged";
    case Outcome::Refused:
      return "refused";
    case Outcome::Checked:
      return "checked";
  }
  return "?";
}

void Tally::add(Outcome o) {
  switch (o) {
    case Outcome::Inserted:
      ++inserted;
      break;
    case Outcome::Updated:
      ++updated;
      break;
    case Outcome::Unchanged:
      ++unchanged;
      break;
    case Outcome::Refused:
      ++refused;
      break;
    case Outcome::Checked:
      ++checked;
      break;
  }
}

media::NormalizeOptions clip_encoding(const store::Track& track, bool remux) {
  if (remux) return {.encoding = media::Encoding::Remux, .keep_audio = track.audio};
  return {.encoding = media::Encoding::House,
          .keep_audio = track.audio,
          .width = track.width,
          .height = track.height,
          .fps = track.fps > 0 ? track.fps : kFallbackFps,
          .duration_s = track.duration_s};
}

Result<media::MediaFacts> check_clip(const fs::path& file, const store::Track& t) {
  auto facts = media::probe(file);
  if (!facts) return std::unexpected(facts.error());
  media::TrackSpec spec{t.duration_s, t.width, t.height, t.audio};
  if (auto st = media::check_against(*facts, spec); !st) {
    return fail(st.error().code, file.string() + ": " + st.error().message);
  }
  return facts;
}

Result<StoredClip> import_clip(store::Store& store, const ClipTarget& target, const fs::path& file,
                               const fs::path& media_dir) {
  ImportOptions house;  // house encoding, written
  house.media_dir = media_dir;
  ClipResult r = store_one_clip(&store, target, file, house);
  if (r.refusal) return std::unexpected(*r.refusal);
  if (r.failure) return std::unexpected(*r.failure);
  return std::move(*r.stored);
}

Result<media::StoredMedia> store_clip_media(const store::Track& track, const fs::path& file,
                                            const fs::path& media_dir) {
  auto facts = check_clip(file, track);
  if (!facts) return std::unexpected(facts.error());
  return media::store_normalized(file, media_dir, clip_encoding(track));
}

bool is_clip_refusal(const Error& e) {
  for (std::string_view code :
       {"not_found", "not_media", "corrupt", "off_spec", "no_audio", "unsupported", "not_video"}) {
    if (e.code == code) return true;
  }
  return false;
}

Result<std::vector<std::string>> check_catalog(const Manifest& manifest, store::Store* store) {
  KnownCatalog known(manifest, store);
  return check_references(manifest, known);
}

Result<std::vector<std::string>> catalog_problems(const ParsedManifest& parsed,
                                                  store::Store* store) {
  KnownCatalog known(parsed.manifest, store, &parsed.broken);
  auto references = check_references(parsed.manifest, known);
  if (!references) return std::unexpected(references.error());
  std::vector<std::string> all = parsed.problems;
  all.insert(all.end(), references->begin(), references->end());
  // "FILE:LINE: ..." by file, then line (as a number); problems without a line keep their
  // place after those of their file.
  auto place = [](const std::string& p) {
    const auto colon = p.find(": ");
    std::string_view where(p.data(), colon == std::string::npos ? p.size() : colon);
    const auto last = where.rfind(':');
    int64_t line = 0;
    if (last != std::string_view::npos) {
      auto digits = where.substr(last + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
      if (ec == std::errc() && end == digits.data() + digits.size()) {
        return std::pair{std::string(where.substr(0, last)), line};
      }
    }
    return std::pair{std::string(where), std::numeric_limits<int64_t>::max()};
  };
  std::stable_sort(all.begin(), all.end(),
                   [&](const std::string& a, const std::string& b) { return place(a) < place(b); });
  return all;
}

Result<ImportReport> import_catalog(const Manifest& manifest, store::Store* store,
                                    const ImportOptions& options, const ImportProgress& progress) {
  ImportReport report;
  report.dry_run = options.dry_run;
  if (!store && !options.dry_run) return fail("invalid_argument", "import needs a store");
  KnownCatalog known(manifest, store);
  auto problems = check_references(manifest, known);
  if (!problems) return std::unexpected(problems.error());
  if (!problems->empty()) {
    report.problems = std::move(*problems);
    return report;
  }
  if (!options.dry_run) {
    auto removed = media::remove_stale_temporaries(options.media_dir);
    if (!removed) return std::unexpected(removed.error());
    if (*removed > 0) {
      report.notes.push_back(options.media_dir.string() + ": removed " + std::to_string(*removed) +
                             " temporary files an interrupted import left");
    }
  }
  Importer importer(manifest, store, options, progress, report);
  if (auto st = importer.choose_frame_rates(known); !st) return std::unexpected(st.error());
  if (auto st = importer.tracks(known); !st) return std::unexpected(st.error());
  if (auto st = importer.models(); !st) return std::unexpected(st.error());
  if (auto st = importer.prompts(known); !st) return std::unexpected(st.error());
  if (auto st = importer.clips(known); !st) return std::unexpected(st.error());
  return report;
}

}  // namespace paddock::arena
