#include "generate/dashscope_provider.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "generate/encoding.hpp"
#include "generate/redaction.hpp"

namespace paddock::generate {
namespace {

using nlohmann::json;

constexpr std::string_view kSubmitPath = "/api/v1/services/aigc/video-generation/video-synthesis";
constexpr std::string_view kTaskPath = "/api/v1/tasks/";
constexpr std::string_view kSourcePlaceholder = "(the prompt's source image, as a data URI)";
constexpr int64_t kSeedMax = 2147483647;

// The Wan models paddock knows, from the vendor's per-model tables (the per-model lists
// are marked UNVERIFIED in the research notes: a model missing here is refused at plan
// time rather than guessed).
struct WanModel {
  std::string_view id;
  bool text_to_video;
  std::array<int, 3> durations;           // 0 = none
  std::array<std::string_view, 3> tiers;  // "" = none
  bool audio;                             // has the audio switch (and makes sound)
};
constexpr WanModel kWanModels[] = {
    {"wan2.6-t2v", true, {5, 10, 15}, {"720P", "1080P", ""}, true},
    {"wan2.5-t2v-preview", true, {5, 10, 0}, {"480P", "720P", "1080P"}, true},
    {"wan2.2-t2v-plus", true, {5, 0, 0}, {"480P", "1080P", ""}, false},
    {"wanx2.1-t2v-turbo", true, {5, 0, 0}, {"480P", "720P", ""}, false},
    {"wanx2.1-t2v-plus", true, {5, 0, 0}, {"720P", "", ""}, false},
    {"wan2.6-i2v", false, {5, 10, 15}, {"720P", "1080P", ""}, true},
    {"wan2.6-i2v-flash", false, {5, 10, 15}, {"720P", "1080P", ""}, true},
    {"wan2.5-i2v-preview", false, {5, 10, 0}, {"480P", "720P", "1080P"}, true},
    {"wan2.2-i2v-plus", false, {5, 0, 0}, {"480P", "1080P", ""}, false},
    {"wan2.2-i2v-flash", false, {5, 0, 0}, {"480P", "720P", "1080P"}, false},
    {"wanx2.1-i2v-turbo", false, {5, 0, 0}, {"480P", "720P", ""}, false},
    {"wanx2.1-i2v-plus", false, {5, 0, 0}, {"720P", "", ""}, false},
};

// Wan text-to-video sizes by tier ("W*H").
struct WanSize {
  std::string_view tier;
  int width;
  int height;
};
constexpr WanSize kWanSizes[] = {
    {"480P", 832, 480},    {"480P", 480, 832},    {"480P", 624, 624},    {"720P", 1280, 720},
    {"720P", 720, 1280},   {"720P", 960, 960},    {"720P", 1088, 832},   {"720P", 832, 1088},
    {"1080P", 1920, 1080}, {"1080P", 1080, 1920}, {"1080P", 1440, 1440}, {"1080P", 1632, 1248},
    {"1080P", 1248, 1632},
};

constexpr std::string_view kHappyHorseRatios[] = {"16:9", "9:16", "1:1", "4:3", "3:4"};

int tier_lines(std::string_view tier) {
  return tier == "480P" ? 480 : tier == "720P" ? 720 : 1080;
}

bool same_aspect(double a, double b) {
  return std::abs(a - b) <= 0.01 * b;
}

// The track tolerance of media::check_against: max(0.5 s, 10 %).
bool within_duration_tolerance(double sent, double wanted) {
  return std::abs(sent - wanted) <= std::max(0.5, 0.1 * wanted);
}

std::string duration_text(double s) {
  return fmt::format("{:g} s", s);
}

// The tier whose lines are the smallest >= the track's short side, else the largest.
std::string_view pick_tier(std::span<const std::string_view> tiers, int short_side) {
  std::string_view best;
  for (auto t : tiers) {
    if (t.empty()) continue;
    if (tier_lines(t) >= short_side && (best.empty() || tier_lines(t) < tier_lines(best))) best = t;
  }
  if (!best.empty()) return best;
  for (auto t : tiers) {
    if (!t.empty() && (best.empty() || tier_lines(t) > tier_lines(best))) best = t;
  }
  return best;
}

Error unsupported(const GenerationRequest& r, std::string_view why) {
  return Error{"unsupported", fmt::format("{} for {} ({}/{}): {}", r.provider_model,
                                          store::to_string(r.task), r.track_id, r.prompt_id, why)};
}

// Fixed parameters of the model's configuration go in unless the track's mapping already
// set the same field (the track wins: every entrant gets the same settings).
void merge_fixed(json& parameters, const json& fixed, std::vector<std::string>& deviations) {
  if (!fixed.is_object()) return;
  for (const auto& [key, value] : fixed.items()) {
    if (parameters.contains(key)) {
      deviations.push_back(fmt::format(
          "fixed parameter \"{}\" of the model left out: the track's settings set it", key));
      continue;
    }
    parameters[key] = value;
  }
}

struct Mapping {
  json body;         // what is sent ("input" holds kSourcePlaceholder for a source image)
  std::string tier;  // for the price table
  double seconds = 0;
};

Result<Mapping> map_happyhorse(const GenerationRequest& r, std::vector<std::string>& deviations) {
  const bool t2v = r.provider_model.ends_with("-t2v");
  const bool i2v = r.provider_model.ends_with("-i2v");
  if (!t2v && !i2v) {
    return std::unexpected(unsupported(
        r,
        "paddock drives HappyHorse's text-to-video and image-to-video models only (r2v and "
        "video-edit take their sources as public URLs)"));
  }
  if ((r.task == store::Task::TextToVideo) != t2v || r.task == store::Task::VideoEdit) {
    return std::unexpected(unsupported(r, "the model does not make this task"));
  }
  Mapping m;
  json parameters = json::object();
  const int short_side = std::min(r.width, r.height);
  m.tier = short_side <= 720 ? "720P" : "1080P";
  parameters["resolution"] = m.tier;
  if (short_side != 720 && short_side != 1080) {
    deviations.push_back(
        fmt::format("size {}x{} made at {} (HappyHorse makes 720P or 1080P; "
                    "the clip is checked at the track's aspect)",
                    r.width, r.height, m.tier));
  }
  if (t2v) {
    const double aspect = static_cast<double>(r.width) / r.height;
    std::string_view ratio;
    for (auto candidate : kHappyHorseRatios) {
      const auto colon = candidate.find(':');
      const double w = std::stod(std::string(candidate.substr(0, colon)));
      const double h = std::stod(std::string(candidate.substr(colon + 1)));
      if (same_aspect(aspect, w / h)) ratio = candidate;
    }
    if (ratio.empty()) {
      return std::unexpected(unsupported(
          r, fmt::format("aspect {} is not one HappyHorse makes (16:9, 9:16, 1:1, 4:3, 3:4)",
                         r.aspect)));
    }
    parameters["ratio"] = ratio;
  }
  const int duration = std::clamp(static_cast<int>(std::lround(r.duration_s)), 3, 15);
  if (!within_duration_tolerance(duration, r.duration_s)) {
    return std::unexpected(
        unsupported(r, fmt::format("HappyHorse makes 3 to 15 s; the track wants {}",
                                   duration_text(r.duration_s))));
  }
  if (duration != r.duration_s) {
    deviations.push_back(
        fmt::format("duration {} sent as {} s (HappyHorse takes whole seconds, 3-15)",
                    duration_text(r.duration_s), duration));
  }
  parameters["duration"] = duration;
  m.seconds = duration;
  parameters["watermark"] = r.watermark;  // HappyHorse watermarks unless told not to
  if (r.seed) parameters["seed"] = std::clamp<int64_t>(*r.seed, 0, kSeedMax);
  merge_fixed(parameters, r.fixed_parameters, deviations);
  json input{{"prompt", r.prompt_text}};
  if (i2v) input["media"] = json::array({{{"type", "first_frame"}, {"url", kSourcePlaceholder}}});
  m.body = {{"model", r.provider_model}, {"input", input}, {"parameters", parameters}};
  return m;
}

Result<Mapping> map_wan(const GenerationRequest& r, std::vector<std::string>& deviations) {
  const WanModel* spec = nullptr;
  for (const auto& w : kWanModels) {
    if (w.id == r.provider_model) spec = &w;
  }
  if (!spec) {
    return std::unexpected(unsupported(
        r,
        "not a Wan model paddock knows (text-to-video: wan2.6-t2v, wan2.5-t2v-preview, "
        "wan2.2-t2v-plus, wanx2.1-t2v-turbo, wanx2.1-t2v-plus; image-to-video: wan2.6-i2v, "
        "wan2.6-i2v-flash, wan2.5-i2v-preview, wan2.2-i2v-plus, wan2.2-i2v-flash, "
        "wanx2.1-i2v-turbo, wanx2.1-i2v-plus)"));
  }
  if (r.task == store::Task::VideoEdit ||
      (r.task == store::Task::TextToVideo) != spec->text_to_video) {
    return std::unexpected(unsupported(r, "the model does not make this task"));
  }
  if (r.audio && !spec->audio) {
    return std::unexpected(unsupported(r, "the model makes silent clips; the track needs sound"));
  }
  Mapping m;
  json parameters = json::object();
  const int short_side = std::min(r.width, r.height);
  if (spec->text_to_video) {
    const double aspect = static_cast<double>(r.width) / r.height;
    const WanSize* best = nullptr;
    for (const auto& size : kWanSizes) {
      if (std::find(spec->tiers.begin(), spec->tiers.end(), size.tier) == spec->tiers.end())
        continue;
      if (!same_aspect(static_cast<double>(size.width) / size.height, aspect)) continue;
      const int lines = std::min(size.width, size.height);
      const int best_lines = best ? std::min(best->width, best->height) : 0;
      // the smallest size at least as large as the track's, else the largest
      if (!best || (best_lines < short_side && lines > best_lines) ||
          (lines >= short_side && lines < best_lines)) {
        best = &size;
      }
    }
    if (!best) {
      return std::unexpected(
          unsupported(r, fmt::format("no size of this model has the track's aspect {}", r.aspect)));
    }
    parameters["size"] = fmt::format("{}*{}", best->width, best->height);
    m.tier = best->tier;
    if (best->width != r.width || best->height != r.height) {
      deviations.push_back(
          fmt::format("size {}x{} made at {}*{} (the nearest Wan size of that aspect)", r.width,
                      r.height, best->width, best->height));
    }
  } else {
    m.tier = pick_tier(spec->tiers, short_side);
    parameters["resolution"] = m.tier;
    if (tier_lines(m.tier) != short_side) {
      deviations.push_back(
          fmt::format("size {}x{} made at {} (Wan image-to-video takes a "
                      "resolution tier; the aspect follows the image)",
                      r.width, r.height, m.tier));
    }
  }
  int duration = 0;
  for (int d : spec->durations) {
    if (d > 0 &&
        (duration == 0 || std::abs(d - r.duration_s) < std::abs(duration - r.duration_s))) {
      duration = d;
    }
  }
  if (!within_duration_tolerance(duration, r.duration_s)) {
    return std::unexpected(
        unsupported(r, fmt::format("the model makes {} s clips at the nearest; the track wants {}",
                                   duration, duration_text(r.duration_s))));
  }
  if (duration != r.duration_s) {
    deviations.push_back(
        fmt::format("duration {} sent as {} s", duration_text(r.duration_s), duration));
  }
  parameters["duration"] = duration;
  m.seconds = duration;
  parameters["watermark"] = r.watermark;
  if (spec->audio) parameters["audio"] = r.audio;
  if (r.seed) parameters["seed"] = std::clamp<int64_t>(*r.seed, 0, kSeedMax);
  merge_fixed(parameters, r.fixed_parameters, deviations);
  json input{{"prompt", r.prompt_text}};
  if (!spec->text_to_video) input["img_url"] = kSourcePlaceholder;
  m.body = {{"model", r.provider_model}, {"input", input}, {"parameters", parameters}};
  return m;
}

Result<Mapping> map_request(const GenerationRequest& r, std::vector<std::string>& deviations) {
  if (r.provider_model.starts_with("happyhorse-")) return map_happyhorse(r, deviations);
  if (r.provider_model.starts_with("wan")) return map_wan(r, deviations);
  return std::unexpected(unsupported(r,
                                     "DashScope models paddock drives are HappyHorse "
                                     "(happyhorse-1.0-*) and Wan (wan2.x-*, wanx2.1-*)"));
}

bool is_refusal_code(std::string_view code) {
  return code.starts_with("DataInspection") || code.starts_with("InvalidParameter") ||
         code.starts_with("IPInfringement") || code == "InappropriateContent" ||
         code == "InvalidApiKey" || code == "AccessDenied" || code == "Arrearage" ||
         code == "ModelNotFound";
}

// Replaces the source placeholder of a planned body with the image itself.
Status put_source(json& body, const GenerationRequest& r) {
  json& input = body["input"];
  const bool in_media = input.contains("media");
  const bool in_img_url = input.contains("img_url");
  if (!in_media && !in_img_url) return ok();
  if (r.source.empty()) {
    return fail("refused",
                fmt::format("{}/{}: the prompt has no source image", r.track_id, r.prompt_id));
  }
  auto uri = data_uri_from_file(r.source, r.source_mime);
  if (!uri) return std::unexpected(uri.error());
  if (in_media) input["media"][0]["url"] = std::move(*uri);
  if (in_img_url) input["img_url"] = std::move(*uri);
  return ok();
}

// A non-2xx reply from the API: 408, 429 and 5xx stay "http_error" for the retry policy;
// any other status is DashScope refusing the request itself (a bad parameter, a bad key).
std::unexpected<Error> refusal_or_retry(Error error) {
  if (!is_retryable(outcome_of(error))) error.code = "refused";
  return std::unexpected(std::move(error));
}

}  // namespace

std::optional<Cost> DashScopeProvider::cost_of(const SubmittedTask& task, const json& usage) const {
  const std::string model = task.handle.value("model", "");
  const Price* price = config_.price_of(model);
  if (!price) return std::nullopt;
  std::string tier = task.handle.value("tier", "");
  double seconds = 0;
  if (usage.is_object()) {
    if (auto sr = usage.find("SR"); sr != usage.end() && sr->is_number_integer()) {
      tier = std::to_string(sr->get<int64_t>()) + "P";
    }
    for (const char* key : {"output_video_duration", "video_duration", "duration"}) {
      if (auto d = usage.find(key); d != usage.end() && d->is_number() && d->get<double>() > 0) {
        seconds = d->get<double>();
        break;
      }
    }
  }
  if (seconds <= 0) return std::nullopt;
  const PricedClip clip{seconds, task.handle.value("width", 0), task.handle.value("height", 0),
                        tier, ""};
  return reported_cost(*price, clip, usage_of(*price, usage, seconds));
}

std::optional<std::string> dashscope_region_url(std::string_view region) {
  if (region == "singapore" || region == "intl") return "https://dashscope-intl.aliyuncs.com";
  if (region == "virginia" || region == "us") return "https://dashscope-us.aliyuncs.com";
  if (region == "beijing" || region == "cn") return "https://dashscope.aliyuncs.com";
  return std::nullopt;
}

Result<std::unique_ptr<DashScopeProvider>> DashScopeProvider::create(const ProviderConfig& config) {
  std::string base = config.base_url;
  if (base.empty()) {
    std::string region = "singapore";
    if (auto it = config.raw.find("region"); it != config.raw.end() && it->is_string()) {
      region = it->get<std::string>();
    }
    auto url = dashscope_region_url(region);
    if (!url) {
      return fail("bad_config", fmt::format("[providers.{}]: region \"{}\" is not singapore, "
                                            "virginia or beijing",
                                            config.name, region));
    }
    base = *url;
  }
  while (base.ends_with("/")) base.pop_back();
  auto key =
      Secret::from_environment(config.key_env.empty() ? "DASHSCOPE_API_KEY" : config.key_env);
  if (!key) {
    return fail(key.error().code, fmt::format("provider {}: {}", config.name, key.error().message));
  }
  ClientOptions options;
  options.allow = config.allow_addresses;
  options.proxy = config.proxy;
  auto client = Client::create(options);
  if (!client) {
    return fail(client.error().code,
                fmt::format("provider {}: {}", config.name, client.error().message));
  }
  return std::unique_ptr<DashScopeProvider>(
      new DashScopeProvider(config, std::move(base), std::move(*key), std::move(*client)));
}

DashScopeProvider::DashScopeProvider(ProviderConfig config, std::string base_url, Secret key,
                                     Client client)
    : config_(std::move(config)),
      base_url_(std::move(base_url)),
      key_(std::move(key)),
      client_(std::move(client)) {}

Result<PlannedRequest> DashScopeProvider::plan(const GenerationRequest& request) const {
  PlannedRequest planned;
  auto mapping = map_request(request, planned.deviations);
  if (!mapping) return std::unexpected(mapping.error());
  planned.parameters = std::move(mapping->body);
  if (const Price* price = config_.price_of(request.provider_model)) {
    planned.estimated_cost =
        estimate_cost(*price, {mapping->seconds, request.width, request.height, mapping->tier, ""});
  }
  return planned;
}

Result<SubmittedTask> DashScopeProvider::submit(const GenerationRequest& request,
                                                const PlannedRequest& planned) {
  json body = planned.parameters;
  if (auto s = put_source(body, request); !s) return std::unexpected(s.error());
  Request http;
  http.method = "POST";
  http.url = base_url_ + std::string(kSubmitPath);
  http.headers.add("Content-Type", "application/json");
  http.headers.add("X-DashScope-Async", "enable");
  http.secret_headers.push_back(bearer_authorization(key_));
  http.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  auto reply = client_.send(http);
  if (!reply) return std::unexpected(reply.error());
  if (auto status = check_status(http, *reply); !status) return refusal_or_retry(status.error());
  json j = json::parse(reply->body, nullptr, false);
  const json* id = nullptr;
  if (j.is_object() && j.contains("output") && j["output"].is_object()) {
    auto it = j["output"].find("task_id");
    if (it != j["output"].end() && it->is_string() && !it->get<std::string>().empty()) id = &*it;
  }
  if (!id) {
    return fail("bad_reply", fmt::format("{}: the reply has no output.task_id", describe(http)));
  }
  // What poll() needs to price the result: the model and the tier it was asked at.
  json handle{
      {"model", request.provider_model}, {"width", request.width}, {"height", request.height}};
  if (auto p = planned.parameters.find("parameters"); p != planned.parameters.end()) {
    if (auto r = p->find("resolution"); r != p->end() && r->is_string()) handle["tier"] = *r;
    if (auto sz = p->find("size"); sz != p->end() && sz->is_string()) {
      const std::string size = sz->get<std::string>();
      const auto star = size.find('*');
      const int lines = std::min(std::atoi(size.substr(0, star).c_str()),
                                 std::atoi(size.substr(star + 1).c_str()));
      handle["tier"] = lines >= 1080 ? "1080P" : lines >= 720 ? "720P" : "480P";
    }
  }
  return SubmittedTask{id->get<std::string>(), handle};
}

Result<TaskStatus> DashScopeProvider::poll(const SubmittedTask& task) {
  Request http;
  http.method = "GET";
  http.url = base_url_ + std::string(kTaskPath) + task.task_id;
  http.secret_headers.push_back(bearer_authorization(key_));
  auto reply = client_.send(http);
  if (!reply) return std::unexpected(reply.error());
  if (auto status = check_status(http, *reply); !status) return refusal_or_retry(status.error());
  json j = json::parse(reply->body, nullptr, false);
  if (!j.is_object() || !j.contains("output") || !j["output"].is_object()) {
    return fail("bad_reply", fmt::format("{}: the reply has no output object", describe(http)));
  }
  const json& out = j["output"];
  auto text = [&](const char* key) -> std::string {
    auto it = out.find(key);
    return it != out.end() && it->is_string() ? it->get<std::string>() : "";
  };
  TaskStatus status;
  status.provider_status = text("task_status");
  const std::string& s = status.provider_status;
  if (s == "PENDING" || s == "SUSPENDED") {
    status.state = TaskState::Queued;
  } else if (s == "RUNNING") {
    status.state = TaskState::Running;
  } else if (s == "SUCCEEDED") {
    status.state = TaskState::Succeeded;
    status.result_url = text("video_url");
    if (status.result_url.empty()) {
      return fail("bad_reply",
                  fmt::format("{}: SUCCEEDED without output.video_url", describe(http)));
    }
  } else if (s == "FAILED") {
    status.state = TaskState::Failed;
    status.error_code = text("code").substr(0, 200);
    status.error_message = text("message").substr(0, 500);
    status.refusal = is_refusal_code(status.error_code);
  } else if (s == "CANCELED") {
    status.state = TaskState::Canceled;
    status.error_code = "CANCELED";
    status.error_message = "the task was cancelled";
  } else if (s == "UNKNOWN") {
    status.state = TaskState::Expired;
    status.error_code = "UNKNOWN";
    status.error_message = "the task is unknown to DashScope (task ids live 24 h)";
  } else {
    return fail("bad_reply", fmt::format("{}: unknown output.task_status \"{}\"", describe(http),
                                         s.substr(0, 60)));
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    status.usage = *usage;
  }
  if (status.state == TaskState::Succeeded) status.cost = cost_of(task, status.usage);
  return status;
}

Result<Download> DashScopeProvider::fetch_result(const SubmittedTask& task,
                                                 const TaskStatus& status,
                                                 const std::filesystem::path& dir,
                                                 std::int64_t max_bytes) {
  (void)task;
  Request http;
  http.method = "GET";
  http.url = status.result_url;
  auto download = client_.download(http, dir, max_bytes);
  if (!download) return std::unexpected(download.error());
  if (download->ok()) return download;
  const int code = download->status;
  if (code == 403 || code == 404 || code == 410) {
    return fail("expired_result",
                fmt::format("{}: the result URL no longer works (HTTP {})", describe(http), code));
  }
  return std::unexpected(check_status(http, *download).error());
}

}  // namespace paddock::generate
