#include "generate/placeholder_provider.hpp"

#include <fmt/core.h>

#include <functional>

#include "generate/job_owner.hpp"
#include "generate/temp_file.hpp"

namespace paddock::generate {
namespace {

using nlohmann::json;

std::string random_task_id() {
  return "placeholder-" + random_hex(12);
}

// The request a placeholder task renders, kept in its handle: a restarted run renders the
// same clip from it without the original request.
json request_json(const GenerationRequest& r) {
  return {{"track", r.track_id},
          {"prompt", r.prompt_id},
          {"model", r.model_id},
          {"text", r.prompt_text},
          {"width", r.width},
          {"height", r.height},
          {"duration_s", r.duration_s},
          {"audio", r.audio},
          {"seed", r.seed ? json(*r.seed) : json()},
          {"task", store::to_string(r.task)},
          {"provider_model", r.provider_model},
          {"parameters", r.fixed_parameters}};
}

GenerationRequest request_from(const json& j) {
  GenerationRequest r;
  r.track_id = j.value("track", "");
  r.prompt_id = j.value("prompt", "");
  r.model_id = j.value("model", "");
  r.prompt_text = j.value("text", "");
  r.width = j.value("width", 0);
  r.height = j.value("height", 0);
  r.duration_s = j.value("duration_s", 0.0);
  r.audio = j.value("audio", false);
  if (auto s = j.find("seed"); s != j.end() && s->is_number_integer()) r.seed = s->get<int64_t>();
  r.task = store::parse_task(j.value("task", "")).value_or(store::Task::TextToVideo);
  r.provider_model = j.value("provider_model", "");
  if (auto p = j.find("parameters"); p != j.end()) r.fixed_parameters = *p;
  return r;
}

}  // namespace

Result<media::ClipRecipe> default_placeholder_recipe(const GenerationRequest& r) {
  const size_t h = std::hash<std::string>{}(r.model_id);
  std::string video = fmt::format("testsrc2=s={}x{}:r=24,hue=h={}", r.width, r.height, h % 360);
  if (auto font = media::find_caption_font()) {
    video += fmt::format(
        ",drawtext=fontfile={}:text={}:expansion=none:fontsize={}:fontcolor=white:box=1:"
        "boxcolor=black@0.6:x=4:y=4",
        media::filter_value(font->string()), media::filter_value("placeholder clip " + r.prompt_id),
        std::max(8, r.height / 16));
  }
  video += ",format=yuv420p";
  std::string audio;
  if (r.audio) {
    audio = fmt::format(
        "sine=f={}:sample_rate=22050,aformat=sample_fmts=fltp:sample_rates=22050:"
        "channel_layouts=mono",
        220 + static_cast<int>(h % 440));
  }
  return media::ClipRecipe{video, audio, r.duration_s};
}

PlaceholderProvider::PlaceholderProvider(ProviderConfig config, PlaceholderRecipe recipe)
    : config_(std::move(config)), recipe_(std::move(recipe)) {}

std::optional<Cost> PlaceholderProvider::price(const std::string& provider_model,
                                               double seconds) const {
  if (const Price* p = config_.price_of(provider_model))
    return estimate_cost(*p, {seconds, 0, 0, "", ""});
  return Cost{0, "USD"};
}

Result<PlannedRequest> PlaceholderProvider::plan(const GenerationRequest& r) const {
  if (r.width <= 0 || r.height <= 0 || !(r.duration_s > 0)) {
    return fail("unsupported",
                fmt::format("{}/{}: the track has no size or duration", r.track_id, r.prompt_id));
  }
  PlannedRequest planned;
  planned.parameters = {{"renderer", "placeholder"},
                        {"width", r.width},
                        {"height", r.height},
                        {"duration_s", r.duration_s},
                        {"audio", r.audio}};
  if (r.seed) planned.parameters["seed"] = *r.seed;
  planned.estimated_cost = price(r.provider_model, r.duration_s);
  return planned;
}

Result<SubmittedTask> PlaceholderProvider::submit(const GenerationRequest& r,
                                                  const PlannedRequest& planned) {
  (void)planned;
  return SubmittedTask{random_task_id(), {{"request", request_json(r)}}};
}

Result<TaskStatus> PlaceholderProvider::poll(const SubmittedTask& task) {
  const json request = task.handle.value("request", json::object());
  TaskStatus status;
  status.state = TaskState::Succeeded;
  status.provider_status = "rendered";
  status.cost = price(request.value("provider_model", ""), request.value("duration_s", 0.0));
  return status;
}

std::optional<Result<std::optional<SubmittedTask>>> PlaceholderProvider::find_by_reference(
    const GenerationRequest& request) {
  (void)request;
  return Result<std::optional<SubmittedTask>>(std::nullopt);
}

Result<Download> PlaceholderProvider::fetch_result(const SubmittedTask& task,
                                                   const TaskStatus& status,
                                                   const std::filesystem::path& dir,
                                                   std::int64_t max_bytes) {
  (void)status;
  const GenerationRequest r = request_from(task.handle.value("request", json::object()));
  auto recipe = recipe_ ? recipe_(r) : default_placeholder_recipe(r);
  if (!recipe) return std::unexpected(recipe.error());
  auto file = TempFile::create(dir, ".mp4");
  if (!file) return std::unexpected(file.error());
  if (auto s = file->sync_and_close(); !s) return std::unexpected(s.error());
  // The renderer writes beside the name and renames onto it when the clip is whole.
  if (auto s = media::render_clip(*recipe, file->path()); !s) return std::unexpected(s.error());
  std::error_code ec;
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(file->path(), ec));
  if (ec) return fail("io_error", file->path().string() + ": " + ec.message());
  if (bytes > max_bytes) {
    return fail("too_large", fmt::format("placeholder clip of {} bytes is over the {}-byte limit",
                                         bytes, max_bytes));
  }
  Download d;
  d.status = 200;
  d.url = "placeholder:" + task.task_id;
  d.file = std::move(*file);
  d.bytes = bytes;
  return d;
}

}  // namespace paddock::generate
