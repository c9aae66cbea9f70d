#include "arena/clip_presentation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include "media/media.hpp"
#include "sys/work_in_order.hpp"

namespace paddock::arena {
namespace {

constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

double measured_or_nan(const std::optional<double>& v) {
  return v ? *v : kNotMeasured;
}

bool same_features(const ClipFeatures& a, const ClipFeatures& b) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  }
  return true;
}

}  // namespace

ClipFeatures features_of(const store::Clip& c) {
  return {c.duration_s,
          static_cast<double>(c.width),
          static_cast<double>(c.height),
          c.fps,
          c.has_audio ? 1.0 : 0.0,
          measured_or_nan(c.motion),
          measured_or_nan(c.luma),
          measured_or_nan(c.saturation)};
}

int presentation_feature_index(std::string_view name) {
  for (std::size_t k = 0; k < kPresentationFeatures.size(); ++k) {
    if (kPresentationFeatures[k] == name) return static_cast<int>(k);
  }
  return -1;
}

Result<ClipFeatureIndex> ClipFeatureIndex::load(store::Store& store, std::string_view track_id) {
  auto clips = store.list_clips(track_id);
  if (!clips) return std::unexpected(clips.error());
  ClipFeatureIndex index;
  for (const auto& c : *clips) {
    index.by_clip_.emplace(std::tuple{c.track_id, c.prompt_id, c.model_id}, features_of(c));
  }
  return index;
}

const ClipFeatures* ClipFeatureIndex::find(const std::string& track_id,
                                           const std::string& prompt_id,
                                           const std::string& model_id) const {
  auto it = by_clip_.find(std::tie(track_id, prompt_id, model_id));
  return it == by_clip_.end() ? nullptr : &it->second;
}

bool ClipFeatureIndex::operator==(const ClipFeatureIndex& other) const {
  return std::equal(by_clip_.begin(), by_clip_.end(), other.by_clip_.begin(), other.by_clip_.end(),
                    [](const auto& a, const auto& b) {
                      return a.first == b.first && same_features(a.second, b.second);
                    });
}

Result<MeasureClipsReport> measure_stored_clips(
    store::Store& store, const MeasureClipsOptions& o,
    const std::function<void(int64_t, int64_t)>& progress) {
  auto clips = store.list_clips(o.track_id);
  if (!clips) return std::unexpected(clips.error());
  MeasureClipsReport report;
  std::vector<store::Clip> todo;
  for (auto& c : *clips) {
    if (!o.all && c.motion && c.luma && c.saturation) {
      ++report.already;
    } else {
      todo.push_back(std::move(c));
    }
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<Result<media::PresentationMeasures>> looks(
      todo.size(), std::unexpected(Error{"internal", "not measured"}));
  const int threads =
      o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<Error> store_error;
  sys::for_each_in_order(
      todo.size(), threads,
      [&](std::size_t i) {
        const auto path = media::stored_path(o.media_dir, todo[i].hash);
        if (!path) {
          looks[i] = fail("not_found", (o.media_dir / todo[i].hash).string() +
                                           ": the clip's file is not in the media folder");
          return;
        }
        looks[i] = media::measure_presentation(*path);
      },
      [&](std::size_t i) {
        store::Clip& c = todo[i];
        const std::string name = c.track_id + "/" + c.prompt_id + "/" + c.model_id;
        if (!looks[i]) {
          report.problems.push_back(name + ": " + looks[i].error().message);
        } else {
          c.motion = looks[i]->motion;
          c.luma = looks[i]->luma;
          c.saturation = looks[i]->saturation;
          auto changed = store.set_clip_presentation(c);
          if (!changed) {
            store_error = changed.error();
            return false;
          }
          ++(*changed ? report.measured : report.unchanged);
        }
        if (progress) progress(static_cast<int64_t>(i + 1), static_cast<int64_t>(todo.size()));
        return true;
      },
      "paddock-measure");
  if (store_error) return std::unexpected(*store_error);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace paddock::arena
