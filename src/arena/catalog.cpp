#include "arena/catalog.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/escaping.hpp"

namespace paddock::arena {

std::optional<std::string> public_name(const store::Model& model) {
  switch (model.status) {
    case store::ModelStatus::Hidden:
      return std::nullopt;
    case store::ModelStatus::Anonymous:
      return model.codename.empty() ? "anonymous-" + model.id : model.codename;
    case store::ModelStatus::Public:
    case store::ModelStatus::Retired:
      break;
  }
  return model.display_name.empty() ? model.id : model.display_name;
}

std::string public_organization(const store::Model& model) {
  if (model.status == store::ModelStatus::Anonymous) return "(undisclosed)";
  return model.organization;
}

namespace {

// A stored content hash as tickets and URLs carry it: SHA-256 in lowercase hex. Anything
// else in the store (edited by hand, a bad migration) must not reach a ticket, whose sealing
// requires it.
bool well_formed_hash(std::string_view hash) {
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

bool matchable(const store::Model& model) {
  return model.status == store::ModelStatus::Public ||
         model.status == store::ModelStatus::Anonymous;
}

namespace {

// Mean cost (when every priced clip is in one currency) and median generation time.
GenerationStats generation_stats_of(std::vector<const store::ClipGeneration*> gs) {
  GenerationStats out;
  out.clips = static_cast<int64_t>(gs.size());
  double cost = 0;
  int64_t priced = 0;
  bool one_currency = true;
  std::vector<double> seconds;
  for (const auto* g : gs) {
    seconds.push_back(static_cast<double>(g->generation_ms) / 1000);
    if (!g->cost) continue;
    if (priced > 0 && g->currency != out.currency) one_currency = false;
    out.currency = g->currency;
    cost += *g->cost;
    ++priced;
  }
  if (priced > 0 && one_currency) {
    out.mean_cost = cost / static_cast<double>(priced);
  } else {
    out.currency.clear();
  }
  if (!seconds.empty()) {
    std::sort(seconds.begin(), seconds.end());
    const size_t n = seconds.size();
    out.median_seconds = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
  }
  return out;
}

}  // namespace

Catalog Catalog::build(std::vector<store::TrackSummary> tracks, std::vector<store::Model> models,
                       std::vector<store::Prompt> prompts, std::vector<store::Clip> clips,
                       std::string version, const std::vector<store::ClipGeneration>& generations,
                       std::vector<store::Control> controls) {
  Catalog c;
  c.version_ = std::move(version);
  c.models_ = std::move(models);
  for (std::size_t i = 0; i < c.models_.size(); ++i) c.model_index_[c.models_[i].id] = i;

  std::sort(tracks.begin(), tracks.end(),
            [](const auto& a, const auto& b) { return a.track.id < b.track.id; });
  for (auto& t : tracks) {
    c.track_index_[t.track.id] = c.tracks_.size();
    CatalogTrack ct;
    ct.summary = std::move(t);
    c.tracks_.push_back(std::move(ct));
  }

  std::map<std::pair<std::string, std::string>, std::vector<const store::ClipGeneration*>> by_model;
  for (const auto& g : generations) by_model[{g.track_id, g.model_id}].push_back(&g);
  for (const auto& [key, gs] : by_model) {
    auto t = c.track_index_.find(key.first);
    if (t != c.track_index_.end())
      c.tracks_[t->second].generation[key.second] = generation_stats_of(gs);
  }

  std::sort(prompts.begin(), prompts.end(), [](const auto& a, const auto& b) {
    return std::tie(a.track_id, a.id) < std::tie(b.track_id, b.id);
  });
  for (auto& p : prompts) {
    auto t = c.track_index_.find(p.track_id);
    if (t == c.track_index_.end()) continue;
    auto& track = c.tracks_[t->second];
    if (!p.source_hash.empty() && !well_formed_hash(p.source_hash)) {
      c.set_aside_.push_back("prompt " + quoted_excerpt(p.id) + " of track " +
                             quoted_excerpt(p.track_id) + ": malformed source hash " +
                             quoted_excerpt(p.source_hash, 80));
      continue;
    }
    if (!p.source_hash.empty()) c.source_mime_[p.source_hash] = p.source_mime;
    track.prompt_index[p.id] = track.prompts.size();
    track.prompts.push_back(CatalogPrompt{std::move(p), {}});
  }

  std::sort(clips.begin(), clips.end(), [](const auto& a, const auto& b) {
    return std::tie(a.track_id, a.prompt_id, a.model_id) <
           std::tie(b.track_id, b.prompt_id, b.model_id);
  });
  for (auto& clip : clips) {
    if (!well_formed_hash(clip.hash)) {
      c.set_aside_.push_back("clip of model " + quoted_excerpt(clip.model_id) + " for prompt " +
                             quoted_excerpt(clip.prompt_id) + " of track " +
                             quoted_excerpt(clip.track_id) + ": malformed hash " +
                             quoted_excerpt(clip.hash, 80));
      continue;
    }
    c.clip_mime_[clip.hash] = clip.mime;
    auto t = c.track_index_.find(clip.track_id);
    if (t == c.track_index_.end()) continue;
    auto& track = c.tracks_[t->second];
    auto p = track.prompt_index.find(clip.prompt_id);
    if (p == track.prompt_index.end()) continue;
    const auto* model = c.find_model(clip.model_id);
    if (!model || !matchable(*model)) continue;
    track.prompts[p->second].clips.push_back(
        CatalogClip{std::move(clip.model_id), std::move(clip.hash), std::move(clip.mime)});
  }

  for (auto& track : c.tracks_) {
    std::set<std::string> categories;
    for (std::size_t i = 0; i < track.prompts.size(); ++i) {
      for (const auto& cat : track.prompts[i].prompt.categories) categories.insert(cat);
      if (track.prompts[i].clips.size() >= 2) track.battle_prompts.push_back(i);
    }
    std::set<std::string> battling;
    for (auto i : track.battle_prompts) {
      for (const auto& clip : track.prompts[i].clips) battling.insert(clip.model_id);
    }
    track.models.assign(battling.begin(), battling.end());
    track.model_prompts.resize(track.models.size());
    for (auto i : track.battle_prompts) {
      for (const auto& clip : track.prompts[i].clips) {
        auto m = std::lower_bound(track.models.begin(), track.models.end(), clip.model_id);
        track.model_prompts[m - track.models.begin()].push_back(static_cast<uint32_t>(i));
      }
    }
    track.categories.assign(categories.begin(), categories.end());
  }

  std::sort(controls.begin(), controls.end(), [](const auto& a, const auto& b) {
    return std::tie(a.track_id, a.id) < std::tie(b.track_id, b.id);
  });
  for (auto& k : controls) {
    auto t = c.track_index_.find(k.track_id);
    if (t == c.track_index_.end()) continue;
    auto& track = c.tracks_[t->second];
    if (!well_formed_hash(k.broken_hash)) {
      c.set_aside_.push_back("control " + quoted_excerpt(k.id) + " of track " +
                             quoted_excerpt(k.track_id) + ": malformed hash " +
                             quoted_excerpt(k.broken_hash, 80));
      continue;
    }
    auto p = track.prompt_index.find(k.prompt_id);
    if (p == track.prompt_index.end()) continue;
    const auto& prompt_clips = track.prompts[p->second].clips;
    auto intact = std::find_if(prompt_clips.begin(), prompt_clips.end(),
                               [&](const CatalogClip& x) { return x.model_id == k.intact_model; });
    // The intact model is hidden or retired, or has no clip of the prompt: not shown.
    if (intact == prompt_clips.end()) continue;
    c.clip_mime_[k.broken_hash] = k.broken_mime;
    track.controls.push_back(CatalogControl{std::move(k.id), p->second, *intact,
                                            CatalogClip{"", k.broken_hash, k.broken_mime}});
  }
  return c;
}

const CatalogTrack* Catalog::find_track(std::string_view id) const {
  auto it = track_index_.find(std::string(id));
  return it == track_index_.end() ? nullptr : &tracks_[it->second];
}

const CatalogPrompt* Catalog::find_prompt(std::string_view track_id,
                                          std::string_view prompt_id) const {
  const auto* track = find_track(track_id);
  if (!track) return nullptr;
  auto it = track->prompt_index.find(std::string(prompt_id));
  return it == track->prompt_index.end() ? nullptr : &track->prompts[it->second];
}

const store::Model* Catalog::find_model(std::string_view id) const {
  auto it = model_index_.find(std::string(id));
  return it == model_index_.end() ? nullptr : &models_[it->second];
}

const std::string* Catalog::media_mime(std::string_view hash, bool sources_only) const {
  std::string key(hash);
  if (auto it = source_mime_.find(key); it != source_mime_.end()) return &it->second;
  if (sources_only) return nullptr;
  if (auto it = clip_mime_.find(key); it != clip_mime_.end()) return &it->second;
  return nullptr;
}

std::unordered_map<std::string, std::string> Catalog::public_names() const {
  std::unordered_map<std::string, std::string> names;
  for (const auto& m : models_) {
    if (auto n = public_name(m)) names.emplace(m.id, std::move(*n));
  }
  return names;
}

}  // namespace paddock::arena
