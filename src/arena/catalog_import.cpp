// import_catalog(): checks a parsed manifest against itself and the store, then writes it.
#include "arena/catalog_import.hpp"

#include <cmath>
#include <map>
#include <set>

#include "arena/catalog_rules.hpp"
#include "media/media.hpp"

namespace paddock::arena {
namespace {

namespace fs = std::filesystem;

Outcome outcome_of(store::Upsert u) {
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
  KnownCatalog(const Manifest& m, store::Store* store) : store_(store) {
    for (const auto& t : m.tracks) tracks_[t.track.id] = t.track;
    for (const auto& mo : m.models) models_.insert(mo.model.id);
    for (const auto& p : m.prompts) prompts_.insert({p.prompt.track_id, p.prompt.id});
  }

  Result<const store::Track*> track(const std::string& id) {
    if (auto it = tracks_.find(id); it != tracks_.end()) return &it->second;
    if (!store_) return nullptr;
    auto found = store_->find_track(id);
    if (!found) return store_failure(found.error(), "looking up track " + id);
    if (!*found) return nullptr;
    return &(tracks_[id] = **found);
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
      problems.push_back(at + "prompt refers to unknown track \"" + p.prompt.track_id + "\"");
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
      problems.push_back(at + "clip refers to unknown track \"" + c.track_id + "\"");
      continue;
    }
    auto prompt = known.prompt(c.track_id, c.prompt_id);
    if (!prompt) return std::unexpected(prompt.error());
    if (!*prompt) {
      problems.push_back(at + "clip refers to unknown prompt \"" + c.prompt_id + "\" of track \"" +
                         c.track_id + "\"");
    }
    auto model = known.model(c.model_id);
    if (!model) return std::unexpected(model.error());
    if (!*model) problems.push_back(at + "clip refers to unknown model \"" + c.model_id + "\"");
  }
  return problems;
}

// The frame rate --reencode gives a track's clips: the manifest's, else the most common
// among its clips (ties: the higher), so one odd clip does not set the pace.
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
  return a.id == b.id && a.display_name == b.display_name && a.organization == b.organization &&
         a.status == b.status && a.codename == b.codename;
}

store::Clip clip_row(const ClipRecord& c, const media::StoredMedia& s) {
  store::Clip row;
  row.track_id = c.track_id;
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

class Importer {
 public:
  Importer(const Manifest& m, store::Store* store, const ImportOptions& o,
           const ImportProgress& progress, ImportReport& report)
      : m_(m), store_(store), o_(o), progress_(progress), report_(report) {
    for (const auto& p : m.prompts) total_steps_ += p.source_as_written.empty() ? 0 : 1;
    total_steps_ += static_cast<int64_t>(m.clips.size());
  }

  Status tracks() {
    for (const TrackRecord& t : m_.tracks) {
      if (o_.dry_run) {
        report_.tracks.add(Outcome::Checked);
        continue;
      }
      auto u = store_->upsert_track(t.track);
      if (!u) return store_failure(u.error(), "storing track " + t.track.id);
      report_.tracks.add(outcome_of(*u));
    }
    return ok();
  }

  Status models() {
    for (const ModelRecord& rec : m_.models) {
      if (o_.dry_run) {
        report_.models.add(Outcome::Checked);
        continue;
      }
      if (!o_.update_models) {
        auto existing = store_->find_model(rec.model.id);
        if (!existing) return store_failure(existing.error(), "looking up model " + rec.model.id);
        if (*existing && !same_model(**existing, rec.model)) {
          report_.notes.push_back(rec.origin.to_string() + ": model " + rec.model.id +
                                  " differs from the one in the store; kept the store's "
                                  "(change it with paddock admin, or import with "
                                  "--update-models)");
          report_.models.add(Outcome::Unchanged);
          continue;
        }
      }
      auto u = store_->upsert_model(rec.model);
      if (!u) return store_failure(u.error(), "storing model " + rec.model.id);
      report_.models.add(outcome_of(*u));
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
        outcome = outcome_of(*u);
      }
      report_.prompts.add(outcome);
      if (!rec.source_as_written.empty()) step(rec.source, outcome, "");
    }
    return ok();
  }

  Status clips(KnownCatalog& known) {
    struct Accepted {
      const ClipRecord* rec;
      const store::Track* track;
    };
    std::vector<Accepted> accepted;
    std::map<std::string, std::vector<double>> rates;
    for (const ClipRecord& c : m_.clips) {
      auto track = known.track(c.track_id);
      if (!track) return std::unexpected(track.error());
      const std::string subject = c.track_id + "/" + c.prompt_id + "/" + c.model_id;
      if (refused_prompts_.contains(c.track_id + "/" + c.prompt_id)) {
        refuse_clip(subject, c.file,
                    Error{"prompt_refused", c.file.string() + ": its prompt " + c.track_id + "/" +
                                                c.prompt_id + " was refused"});
        continue;
      }
      auto facts = media::probe(c.file);
      if (!facts) {
        refuse_clip(subject, c.file, facts.error());
        continue;
      }
      const store::Track& t = **track;
      media::TrackSpec spec{t.duration_s, t.width, t.height, t.audio};
      if (auto st = media::check_against(*facts, spec); !st) {
        refuse_clip(subject, c.file,
                    Error{st.error().code, c.file.string() + ": " + st.error().message});
        continue;
      }
      if (o_.dry_run) {
        report_.clips.add(Outcome::Checked);
        step(c.file, Outcome::Checked, "");
        continue;
      }
      accepted.push_back({&c, *track});
      rates[c.track_id].push_back(facts->fps);
    }
    for (const Accepted& a : accepted) {
      const ClipRecord& c = *a.rec;
      media::NormalizeOptions n;
      n.keep_audio = a.track->audio;
      n.encoding = media::Encoding::Remux;
      if (o_.reencode) {
        n.encoding = media::Encoding::House;
        n.width = a.track->width;
        n.height = a.track->height;
        n.fps = fps_for(c.track_id, rates[c.track_id]);
      }
      auto stored = media::store_normalized(c.file, o_.media_dir, n);
      const std::string subject = c.track_id + "/" + c.prompt_id + "/" + c.model_id;
      if (!stored) {
        if (stored.error().code == "io_error") return std::unexpected(stored.error());
        refuse_clip(subject, c.file, stored.error());
        continue;
      }
      auto u = store_->upsert_clip(clip_row(c, *stored));
      if (!u) return store_failure(u.error(), "storing clip " + subject);
      report_.clips.add(outcome_of(*u));
      step(c.file, outcome_of(*u), "");
    }
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

  double fps_for(const std::string& track_id, const std::vector<double>& rates) {
    for (const TrackRecord& t : m_.tracks) {
      if (t.track.id == track_id && t.fps > 0) return t.fps;
    }
    return common_fps(rates);
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

Result<std::vector<std::string>> check_catalog(const Manifest& manifest, store::Store* store) {
  KnownCatalog known(manifest, store);
  return check_references(manifest, known);
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
  Importer importer(manifest, store, options, progress, report);
  if (auto st = importer.tracks(); !st) return std::unexpected(st.error());
  if (auto st = importer.models(); !st) return std::unexpected(st.error());
  if (auto st = importer.prompts(known); !st) return std::unexpected(st.error());
  if (auto st = importer.clips(known); !st) return std::unexpected(st.error());
  return report;
}

}  // namespace paddock::arena
