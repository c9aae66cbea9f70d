#include "store/store_copy.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <vector>

namespace paddock::store {
namespace {

bool is_counter(std::string_view name) {
  return name == kCatalogVersionSetting || name == kVoidVersionSetting;
}

bool is_empty(const Counts& n) {
  return n.tracks == 0 && n.models == 0 && n.prompts == 0 && n.clips == 0 && n.battles == 0 &&
         n.votes == 0 && n.settings == 0 && n.model_events == 0;
}

std::string describe(const Counts& n) {
  return fmt::format(
      "{} tracks, {} models, {} prompts, {} clips, {} battles, {} votes "
      "({} voided), {} settings",
      n.tracks, n.models, n.prompts, n.clips, n.battles, n.votes, n.voided_votes, n.settings);
}

class Copier {
 public:
  Copier(Store& from, Store& to, const CopyOptions& options)
      : from_(from), to_(to), options_(options) {}

  Result<CopyReport> run() {
    if (from_.describe() == to_.describe()) {
      return fail("invalid_argument",
                  fmt::format("{}: cannot copy a database onto itself", from_.describe()));
    }
    auto source = from_.counts();
    if (!source) return std::unexpected(source.error());
    report_.source = *source;
    auto before = to_.counts();
    if (!before) return std::unexpected(before.error());
    target_max_id_ = before->max_vote_id;
    if (!options_.merge && !is_empty(*before)) {
      return fail("not_empty",
                  fmt::format("{}: the target already holds {}; copy into an empty database, "
                              "or merge into this one on purpose (paddock copy --force-merge)",
                              to_.describe(), describe(*before)));
    }
    for (auto step : {&Copier::settings, &Copier::catalog, &Copier::model_events, &Copier::battles,
                      &Copier::votes}) {
      if (auto s = (this->*step)(); !s) return std::unexpected(s.error());
    }
    if (auto s = check(); !s) return std::unexpected(s.error());
    return report_;
  }

 private:
  void progress(std::string_view what, int64_t done, int64_t total) {
    if (options_.progress) options_.progress(what, done, total);
  }

  Status settings() {
    auto settings = from_.list_settings();
    if (!settings) return std::unexpected(settings.error());
    int64_t copied = 0;
    for (const Setting& s : *settings) {
      if (is_counter(s.name)) continue;
      ++copied;
      if (options_.merge) {
        if (auto r = to_.set_setting_once(s.name, s.value); !r) return std::unexpected(r.error());
      } else if (auto r = to_.set_setting(s.name, s.value); !r) {
        return r;
      }
    }
    progress("settings", copied, copied);
    return ok();
  }

  // The board's change log, with its times (the catalog copy above wrote models without
  // logging: the log says when the source's board changed, not when it was copied).
  Status model_events() {
    auto events = from_.list_model_events();
    if (!events) return std::unexpected(events.error());
    auto added = to_.import_model_events(*events);
    if (!added) return std::unexpected(added.error());
    progress("change log", static_cast<int64_t>(events->size()),
             static_cast<int64_t>(events->size()));
    return ok();
  }

  Status catalog() {
    auto tracks = from_.list_tracks();
    if (!tracks) return std::unexpected(tracks.error());
    for (const TrackSummary& t : *tracks) {
      if (auto r = to_.upsert_track(t.track); !r) return std::unexpected(r.error());
    }
    progress("tracks", report_.source.tracks, report_.source.tracks);
    auto models = from_.list_models();
    if (!models) return std::unexpected(models.error());
    for (const Model& m : *models) {
      if (auto r = to_.upsert_model(m); !r) return std::unexpected(r.error());
    }
    progress("models", report_.source.models, report_.source.models);
    auto prompts = from_.list_prompts("");
    if (!prompts) return std::unexpected(prompts.error());
    int64_t done = 0;
    for (const Prompt& p : *prompts) {
      if (auto r = to_.upsert_prompt(p); !r) return std::unexpected(r.error());
      if (++done % 500 == 0) progress("prompts", done, report_.source.prompts);
    }
    progress("prompts", done, report_.source.prompts);
    auto clips = from_.list_clips("");
    if (!clips) return std::unexpected(clips.error());
    done = 0;
    for (const Clip& c : *clips) {
      if (auto r = to_.upsert_clip(c); !r) return std::unexpected(r.error());
      if (++done % 500 == 0) progress("clips", done, report_.source.clips);
    }
    progress("clips", done, report_.source.clips);
    // Where generated clips came from travels with them; generation jobs do not (they are
    // the working state of one database's runs).
    auto generations = from_.list_clip_generations("");
    if (!generations) return std::unexpected(generations.error());
    for (const ClipGeneration& g : *generations) {
      if (auto r = to_.upsert_clip_generation(g); !r) return std::unexpected(r.error());
    }
    auto controls = from_.list_controls("");
    if (!controls) return std::unexpected(controls.error());
    for (const Control& k : *controls) {
      if (auto r = to_.upsert_control(k); !r) return std::unexpected(r.error());
    }
    return ok();
  }

  Status battles() {
    std::string after;
    int64_t done = 0;
    while (true) {
      auto page = from_.list_battles_after(after, options_.page_size);
      if (!page) return std::unexpected(page.error());
      if (page->empty()) break;
      if (auto s = to_.insert_battles(*page); !s) return s;
      after = page->back().id;
      done += static_cast<int64_t>(page->size());
      progress("battles", done, report_.source.battles);
    }
    progress("battles", done, report_.source.battles);
    return ok();
  }

  Status votes() {
    int64_t after = 0;
    int64_t done = 0;
    while (true) {
      auto page = from_.list_votes({.after_id = after,
                                    .include_voided = true,
                                    .limit = options_.page_size,
                                    .controls = ControlVotes::Included});
      if (!page) return std::unexpected(page.error());
      if (page->empty()) break;
      after = page->back().id;
      // Ids are kept when they are free: always in an empty target, and when merging if they
      // are above every id the target has (resuming a copy that failed half-way). Otherwise
      // the votes get new ids after the target's own.
      if (options_.merge && page->front().id <= target_max_id_) {
        for (Vote& v : *page) v.id = 0;
      }
      auto stored = to_.import_votes(*page);
      if (!stored) return std::unexpected(stored.error());
      for (const VoteInsertResult& r : *stored) {
        target_max_id_ = std::max(target_max_id_, r.id);
        if (r.outcome == VoteInsert::Stored) {
          ++report_.votes_copied;
        } else {
          ++report_.votes_already_there;
        }
      }
      done += static_cast<int64_t>(page->size());
      progress("votes", done, report_.source.votes);
    }
    progress("votes", done, report_.source.votes);
    return ok();
  }

  Status check() {
    auto after = to_.counts();
    if (!after) return std::unexpected(after.error());
    report_.target = *after;
    const Counts& s = report_.source;
    const Counts& t = *after;
    std::vector<std::string> wrong;
    auto compare = [&](std::string_view what, int64_t source, int64_t target) {
      if (options_.merge ? target < source : target != source) {
        wrong.push_back(fmt::format("{}: source {}, target {}", what, source, target));
      }
    };
    compare("tracks", s.tracks, t.tracks);
    compare("models", s.models, t.models);
    compare("prompts", s.prompts, t.prompts);
    compare("clips", s.clips, t.clips);
    compare("controls", s.controls, t.controls);
    compare("battles", s.battles, t.battles);
    compare("votes", s.votes, t.votes);
    compare("change log entries", s.model_events, t.model_events);
    if (!options_.merge) {
      compare("voided votes", s.voided_votes, t.voided_votes);
      compare("largest vote id", s.max_vote_id, t.max_vote_id);
    }
    // settings: every one of the source's is in the target (with its value, unless merging)
    auto from_settings = from_.list_settings();
    if (!from_settings) return std::unexpected(from_settings.error());
    auto to_settings = to_.list_settings();
    if (!to_settings) return std::unexpected(to_settings.error());
    std::map<std::string, std::string> target_values;
    for (const Setting& x : *to_settings) target_values[x.name] = x.value;
    for (const Setting& x : *from_settings) {
      if (is_counter(x.name)) continue;
      auto found = target_values.find(x.name);
      if (found == target_values.end()) {
        wrong.push_back(fmt::format("setting {} missing", x.name));
      } else if (!options_.merge && found->second != x.value) {
        wrong.push_back(fmt::format("setting {} differs", x.name));
      }
    }
    if (wrong.empty()) return ok();
    std::string list;
    for (const auto& w : wrong) list += (list.empty() ? "" : "; ") + w;
    return fail("copy_mismatch",
                fmt::format("{}: after copying from {} the counts do not match: {}", to_.describe(),
                            from_.describe(), list));
  }

  Store& from_;
  Store& to_;
  const CopyOptions& options_;
  CopyReport report_;
  int64_t target_max_id_ = 0;
};

}  // namespace

Result<CopyReport> copy_store(Store& from, Store& to, const CopyOptions& options) {
  return Copier(from, to, options).run();
}

}  // namespace paddock::store
