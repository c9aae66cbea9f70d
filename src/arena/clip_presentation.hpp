#pragma once
// Clips' presentation features, for presentation control (docs/rating-method.md): the facts
// every clip row keeps (duration, size, frame rate, sound) and the measurements of how it
// looks (motion, luma, saturation), under the feature names vote logs carry in features_a /
// features_b. The vote export writes them and the leaderboard cache fits with them, from
// the same lookup, so an export reproduces a controlled board. And `paddock admin
// measure-clips`: measuring the stored clips that have no measurements yet (clips imported
// before schema 6).

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// The feature names, in the order exports write them: duration (s), width, height (px),
// fps, audio (0/1), motion, luma, saturation (0-1, media::PresentationMeasures).
inline constexpr std::array<std::string_view, 8> kPresentationFeatures = {
    "duration", "width", "height", "fps", "audio", "motion", "luma", "saturation"};

inline constexpr std::size_t kDurationFeature = 0;  // seconds, in kPresentationFeatures

// One clip's features in kPresentationFeatures order; NaN: not measured.
using ClipFeatures = std::array<double, kPresentationFeatures.size()>;

ClipFeatures features_of(const store::Clip& clip);

// The features of each stored clip by (track, prompt, model): the clip a vote's side showed
// (a clip replaced after the vote counts with the replacement's features).
class ClipFeatureIndex {
 public:
  // Reads every clip of `track_id` (empty: every track). Errors: the store's.
  static Result<ClipFeatureIndex> load(store::Store& store, std::string_view track_id = {});

  // nullptr when the store holds no such clip.
  const ClipFeatures* find(const std::string& track_id, const std::string& prompt_id,
                           const std::string& model_id) const;

  bool operator==(const ClipFeatureIndex&) const;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, ClipFeatures, std::less<>> by_clip_;
};

// The index of `name` in kPresentationFeatures, or -1.
int presentation_feature_index(std::string_view name);

// ---- measuring stored clips ----

struct MeasureClipsOptions {
  std::filesystem::path media_dir;
  std::string track_id{};  // empty: every track
  bool all = false;        // measure clips already measured too
  int jobs = 0;            // clips measured at once (0: one per core)
};

struct MeasureClipsReport {
  int64_t measured = 0;               // clips whose measurements were stored
  int64_t already = 0;                // clips left alone: measured before (without `all`)
  int64_t unchanged = 0;              // measured again, the same values (or replaced meanwhile)
  std::vector<std::string> problems;  // clips that could not be measured, with why
  double seconds = 0;                 // wall time of the measuring
};

// Measures the stored file of each clip without measurements (or every clip with `all`)
// and stores the results (Store::set_clip_presentation, which leaves alone a clip replaced
// meanwhile). A clip whose file is missing or cannot be decoded is a problem in the report,
// not an error; the others are still measured. `progress(done, total)` after each clip.
// Errors: the store's.
Result<MeasureClipsReport> measure_stored_clips(
    store::Store& store, const MeasureClipsOptions& options,
    const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace paddock::arena
