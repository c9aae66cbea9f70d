// plan_generation(): which jobs a run makes, and each one's request (no network).
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "generate/generate.hpp"
#include "media/media.hpp"

namespace paddock::generate {
namespace {

using nlohmann::json;

bool wanted(const std::vector<std::string>& filter, const std::string& id) {
  return filter.empty() || std::find(filter.begin(), filter.end(), id) != filter.end();
}

// The model's provider and its model id for `task`, from the generation config.
struct ModelGeneration {
  std::string provider;
  std::string provider_model;
  json parameters = json::object();
};

Result<ModelGeneration> generation_of(const store::Model& m, store::Task task) {
  if (m.generation.empty()) {
    return fail("no_generation",
                fmt::format("model {} has no \"generation\" config (docs/generate.md)", m.id));
  }
  json g = json::parse(m.generation, nullptr, false);
  if (!g.is_object() || !g.contains("provider") || !g["provider"].is_string() ||
      !g.contains("model") || !g["model"].is_object()) {
    return fail("no_generation",
                fmt::format("model {}: its \"generation\" config is not valid", m.id));
  }
  ModelGeneration out;
  out.provider = g["provider"].get<std::string>();
  const std::string task_name(store::to_string(task));
  auto it = g["model"].find(task_name);
  if (it == g["model"].end() || !it->is_string()) {
    return fail("no_generation", fmt::format("model {} has no provider model for {} in its "
                                             "\"generation\" config",
                                             m.id, task_name));
  }
  out.provider_model = it->get<std::string>();
  if (auto p = g.find("parameters"); p != g.end() && p->is_object()) out.parameters = *p;
  return out;
}

}  // namespace

ProviderSet::ProviderSet(GenerateConfig config, ProviderOptions options)
    : config_(std::move(config)), options_(std::move(options)) {}

Result<Provider*> ProviderSet::get(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto it = made_.find(name); it != made_.end()) return it->second.get();
  const ProviderConfig* c = config_.find(name);
  if (!c) {
    return fail("unknown_provider",
                fmt::format("no provider \"{}\" in the generate configuration", name));
  }
  auto made = make_provider(*c, options_);
  if (!made) return std::unexpected(made.error());
  Provider* p = made->get();
  made_.emplace(std::string(name), std::move(*made));
  return p;
}

std::optional<int64_t> seed_for(std::string_view policy, std::string_view prompt_id) {
  if (policy == "none") return std::nullopt;
  if (policy.starts_with("fixed:")) {
    try {
      return std::stoll(std::string(policy.substr(6)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  // per-prompt: FNV-1a of the prompt id, folded into the 31-bit range every vendor takes.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : prompt_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<int64_t>(h % 2147483648ULL);
}

Result<GenerationPlan> plan_generation(store::Store& store, ProviderSet& providers,
                                       const GenerateOptions& options) {
  GenerationPlan plan;
  auto track = store.find_track(options.track_id);
  if (!track) return std::unexpected(track.error());
  if (!*track) return fail("not_found", fmt::format("no track \"{}\"", options.track_id));
  plan.track = **track;
  const store::Track& t = plan.track;

  auto models = store.list_models();
  if (!models) return std::unexpected(models.error());
  for (const std::string& id : options.model_ids) {
    if (std::none_of(models->begin(), models->end(), [&](const auto& m) { return m.id == id; })) {
      return fail("not_found", fmt::format("no model \"{}\"", id));
    }
  }
  auto prompts = store.list_prompts(t.id);
  if (!prompts) return std::unexpected(prompts.error());
  for (const std::string& id : options.prompt_ids) {
    if (std::none_of(prompts->begin(), prompts->end(), [&](const auto& p) { return p.id == id; })) {
      return fail("not_found", fmt::format("no prompt \"{}\" in track {}", id, t.id));
    }
  }
  auto clips = store.list_clips(t.id);
  if (!clips) return std::unexpected(clips.error());
  std::set<std::pair<std::string, std::string>> have;
  for (const auto& c : *clips) have.insert({c.prompt_id, c.model_id});
  auto stored_jobs = store.list_jobs(t.id);
  if (!stored_jobs) return std::unexpected(stored_jobs.error());
  plan.stored_jobs = std::move(*stored_jobs);

  struct Entrant {
    const store::Model* model;
    ModelGeneration generation;
    Provider* provider;
  };
  std::vector<Entrant> entrants;
  for (const store::Model& m : *models) {
    const bool named = !options.model_ids.empty() && wanted(options.model_ids, m.id);
    if (!options.model_ids.empty() && !named) continue;
    if (!named && m.generation.empty()) continue;  // not generated: imported by hand
    if (m.status == store::ModelStatus::Retired) {
      if (named) {
        plan.problems.push_back(
            {"", m.id, "retired", fmt::format("model {} is retired: it gets no new clips", m.id)});
      }
      continue;
    }
    auto g = generation_of(m, t.task);
    if (!g) {
      plan.problems.push_back({"", m.id, g.error().code, g.error().message});
      continue;
    }
    auto provider = providers.get(g->provider);
    if (!provider) {
      plan.problems.push_back({"", m.id, provider.error().code,
                               fmt::format("model {}: {}", m.id, provider.error().message)});
      continue;
    }
    entrants.push_back({&m, std::move(*g), *provider});
    plan.model_ids.push_back(m.id);
  }

  for (const store::Prompt& p : *prompts) {
    if (!wanted(options.prompt_ids, p.id)) continue;
    plan.prompt_ids.push_back(p.id);
    std::filesystem::path source;
    if (!p.source_hash.empty()) {
      if (auto path = media::stored_path(options.media_dir, p.source_hash)) source = *path;
    }
    for (const Entrant& e : entrants) {
      if (have.contains({p.id, e.model->id})) {
        ++plan.clips_already;
        continue;
      }
      if (t.task != store::Task::TextToVideo && source.empty()) {
        plan.problems.push_back(
            {p.id, e.model->id, "no_source",
             fmt::format("prompt {}: its source ({}) is not in the media folder {}", p.id,
                         p.source_hash.empty() ? "none" : p.source_hash,
                         options.media_dir.string())});
        continue;
      }
      GenerationRequest r;
      r.task = t.task;
      r.provider_model = e.generation.provider_model;
      r.prompt_text = p.text;
      r.source = source;
      r.source_mime = p.source_mime;
      r.duration_s = t.duration_s;
      r.width = t.width;
      r.height = t.height;
      r.aspect = t.aspect;
      r.audio = t.audio;
      r.seed = seed_for(t.seed, p.id);
      r.fixed_parameters = e.generation.parameters;
      r.watermark = t.watermark;
      r.track_id = t.id;
      r.prompt_id = p.id;
      r.model_id = e.model->id;
      auto planned = e.provider->plan(r);
      if (!planned) {
        plan.problems.push_back({p.id, e.model->id, planned.error().code, planned.error().message});
        continue;
      }
      plan.jobs.push_back({p.id, e.model->id, e.generation.provider, e.generation.provider_model,
                           r.seed, r, std::move(*planned)});
    }
  }
  return plan;
}

}  // namespace paddock::generate
