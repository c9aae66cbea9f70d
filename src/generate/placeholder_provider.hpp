#pragma once
// The placeholder provider: "generates" a clip by rendering it locally with media's
// placeholder renderer (lavfi test sources, captions, tones). No network, no key, cost 0.
// `paddock demo` makes its clips through it, so the demo runs the whole generate path
// (jobs, claims, import) every time it is built; tests use it to exercise the runner
// without a vendor. Its cost is 0 unless the configuration gives it a price table (tests and
// demonstrations of the price charts).

#include <functional>
#include <memory>

#include "generate/generate_config.hpp"
#include "generate/provider.hpp"
#include "media/clip_render.hpp"

namespace paddock::generate {

// What to render for a request. The default (an empty function) draws a test pattern
// tinted per model, captioned with the model and prompt ids when a caption font is
// installed, with a tone on audio tracks.
using PlaceholderRecipe = std::function<Result<media::ClipRecipe>(const GenerationRequest&)>;

class PlaceholderProvider final : public Provider {
 public:
  PlaceholderProvider(ProviderConfig config, PlaceholderRecipe recipe);

  std::string_view name() const override { return config_.name; }
  // The parameters are the renderer's: size, duration, audio, seed. Never a deviation.
  Result<PlannedRequest> plan(const GenerationRequest& request) const override;
  // Keeps the request; the clip is rendered by fetch_result(). Task ids are random.
  Result<SubmittedTask> submit(const GenerationRequest& request,
                               const PlannedRequest& planned) override;
  // Always Succeeded, at the price table's cost (0 without one).
  Result<TaskStatus> poll(const SubmittedTask& task) override;
  // Renders the clip into a temporary file in `dir`. Errors: "render_failed", "io_error".
  Result<Download> fetch_result(const SubmittedTask& task, const TaskStatus& status,
                                const std::filesystem::path& dir, std::int64_t max_bytes) override;
  bool refetch_allowed() const override { return true; }
  // Nothing exists anywhere but here: an interrupted submission made no task, so the job
  // is safely submitted again (never in doubt).
  std::optional<Result<std::optional<SubmittedTask>>> find_by_reference(
      const GenerationRequest& request) override;

 private:
  std::optional<Cost> price(const std::string& provider_model, double seconds) const;

  ProviderConfig config_;
  PlaceholderRecipe recipe_;
};

// The default recipe (see PlaceholderRecipe).
Result<media::ClipRecipe> default_placeholder_recipe(const GenerationRequest& request);

}  // namespace paddock::generate
