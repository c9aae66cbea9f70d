#include "arena/admin_json.hpp"

#include "arena/catalog.hpp"

namespace paddock::arena {

using nlohmann::json;

json model_json(const store::Model& m) {
  auto name = public_name(m);
  return {{"id", m.id},
          {"display_name", m.display_name},
          {"organization", m.organization},
          {"status", store::to_string(m.status)},
          {"codename", m.codename},
          {"public_name", name ? json(*name) : json(nullptr)},
          {"generation",
           m.generation.empty() ? json(nullptr) : json::parse(m.generation, nullptr, false)}};
}

json model_changed_json(const ModelChanged& changed) {
  return {{"result", store::to_string(changed.upsert)}, {"model", model_json(changed.after)}};
}

json vote_json(const store::Vote& v) {
  return {{"vote_id", v.id},
          {"battle_id", v.battle_id},
          {"track", v.track_id},
          {"prompt", v.prompt_id},
          {"left_model", v.left_model},
          {"right_model", v.right_model},
          {"categories", v.categories},
          {"choice", store::to_string(v.choice)},
          {"left_watch_ms", v.left_watch_ms},
          {"right_watch_ms", v.right_watch_ms},
          {"decision_ms", v.decision_ms},
          {"session", v.session},
          {"address", v.address},
          {"created_at", v.created_at_ms},
          {"voided", v.voided},
          {"void_reason", v.void_reason}};
}

json counts_json(const store::Counts& c) {
  return {{"tracks", c.tracks},
          {"models", c.models},
          {"prompts", c.prompts},
          {"clips", c.clips},
          {"battles", c.battles},
          {"votes", c.votes},
          {"voided_votes", c.voided_votes}};
}

}  // namespace paddock::arena
