#pragma once
// An immutable in-memory snapshot of the catalog (tracks, models, prompts, clips), which
// every battle and media request reads without touching the database. A new snapshot is
// built whenever the store's catalog changes, and swapped in whole.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/records.hpp"

namespace paddock::arena {

// The name a model is shown under: its codename while anonymous, its display name while
// public or retired; nullopt while hidden (it must appear nowhere).
std::optional<std::string> public_name(const store::Model& model);
// "(undisclosed)" while anonymous, the organization otherwise.
std::string public_organization(const store::Model& model);

// True if new battles may use this model (public or anonymous; not hidden or retired).
bool matchable(const store::Model& model);

struct CatalogClip {
  std::string model_id;
  std::string hash;
  std::string mime;
};

struct CatalogPrompt {
  store::Prompt prompt;
  std::vector<CatalogClip> clips;  // clips of matchable models only, ordered by model id
};

// What a model's generated clips of one track cost and took (paddock generate's provenance).
struct GenerationStats {
  int64_t clips = 0;                       // generated clips with provenance
  std::optional<double> mean_cost{};       // per clip, over the clips with a known cost
  std::string currency{};                  // of mean_cost ("" when mixed or none)
  std::optional<double> median_seconds{};  // generation time, submission to result
};

// An attention check a battle can show (store::Control): the intact clip is a matchable
// model's own clip of the prompt; the broken clip is the control's.
struct CatalogControl {
  std::string id;
  std::size_t prompt = 0;  // index into CatalogTrack::prompts
  CatalogClip intact;
  CatalogClip broken;  // model_id empty
};

struct CatalogTrack {
  store::TrackSummary summary;
  std::unordered_map<std::string, GenerationStats> generation;  // by model id
  std::vector<CatalogPrompt> prompts;                           // ordered by prompt id
  std::vector<std::size_t> battle_prompts;  // indices of prompts with clips of >= 2 models
  std::vector<std::string> categories;      // every category of the track's prompts, sorted
  std::unordered_map<std::string, std::size_t> prompt_index;
  // The models that can meet in a battle (a clip in some battle prompt), sorted by id, and
  // per model the battle prompts it has a clip in (indices into `prompts`, ascending).
  std::vector<std::string> models;
  std::vector<std::vector<uint32_t>> model_prompts;
  // Attention checks whose prompt and intact clip are in the catalog, ordered by id.
  std::vector<CatalogControl> controls;
};

class Catalog {
 public:
  // Builds a snapshot from the store's listings. `version` is the catalog_version it reflects.
  static Catalog build(std::vector<store::TrackSummary> tracks, std::vector<store::Model> models,
                       std::vector<store::Prompt> prompts, std::vector<store::Clip> clips,
                       std::string version,
                       const std::vector<store::ClipGeneration>& generations = {},
                       std::vector<store::Control> controls = {});

  const std::vector<CatalogTrack>& tracks() const { return tracks_; }
  const CatalogTrack* find_track(std::string_view id) const;
  const CatalogPrompt* find_prompt(std::string_view track_id, std::string_view prompt_id) const;
  const store::Model* find_model(std::string_view id) const;
  const std::vector<store::Model>& models() const { return models_; }
  // The MIME type of a clip or prompt source by content hash, or nullptr if the catalog has
  // no such media. `sources_only` limits the search to prompt sources.
  const std::string* media_mime(std::string_view hash, bool sources_only) const;
  const std::string& version() const { return version_; }

  // Public name of every non-hidden model by id: what boards and exports show.
  std::unordered_map<std::string, std::string> public_names() const;
  // What build() left out of battles because the store held it malformed (a clip or prompt
  // source whose content hash is not 64 lowercase hex digits), one line each, for the log.
  const std::vector<std::string>& set_aside() const { return set_aside_; }

 private:
  std::vector<CatalogTrack> tracks_;
  std::unordered_map<std::string, std::size_t> track_index_;
  std::vector<store::Model> models_;
  std::unordered_map<std::string, std::size_t> model_index_;
  std::unordered_map<std::string, std::string> clip_mime_;
  std::unordered_map<std::string, std::string> source_mime_;
  std::vector<std::string> set_aside_;
  std::string version_;
};

}  // namespace paddock::arena
