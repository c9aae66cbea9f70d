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
          {"void_reason", v.void_reason},
          {"control", v.control.empty() ? json(nullptr) : json(v.control)},
          {"expected", v.expected ? json(store::to_string(*v.expected)) : json(nullptr)}};
}

json control_json(const store::Control& k) {
  return {{"track", k.track_id},
          {"id", k.id},
          {"prompt", k.prompt_id},
          {"intact_model", k.intact_model},
          {"broken_hash", k.broken_hash},
          {"broken_bytes", k.broken_bytes},
          {"note", k.note},
          {"created_at", k.created_at_ms}};
}

json counts_json(const store::Counts& c) {
  return {{"tracks", c.tracks},
          {"models", c.models},
          {"prompts", c.prompts},
          {"clips", c.clips},
          {"battles", c.battles},
          {"votes", c.votes},
          {"voided_votes", c.voided_votes},
          {"controls", c.controls}};
}

json voter_review_json(const TrackVoterReview& r) {
  const auto side = [](const std::string& model, int64_t votes, double excess, double z) {
    if (model.empty()) return json(nullptr);
    return json{{"model", model}, {"votes", votes}, {"excess_wins", excess}, {"z", z}};
  };
  json flagged = json::array();
  for (const auto& f : r.flagged) {
    const auto& s = f.score;
    json flagged_by = json::array();
    if (s.flagged) flagged_by.push_back("votes");
    if (f.attention.flagged) flagged_by.push_back("attention_checks");
    flagged.push_back(
        {{"kind", f.kind},
         {"flagged_by", std::move(flagged_by)},
         {"attention_checks",
          {{"seen", f.attention.seen},
           {"missed", f.attention.missed},
           {"misses_to_flag", f.misses_to_flag},
           {"p_value", f.attention.p_value}}},
         {"key", f.key},
         {"votes", s.votes},
         {"z", s.z},
         {"log_likelihood", s.log_likelihood},
         {"expected", s.expected},
         {"sd", s.sd},
         {"upsets", s.upsets},
         {"bias", s.bias},
         {"favoured", side(f.favoured_model, s.favoured_votes, s.favoured_excess, s.favoured_z)},
         {"opposed", side(f.opposed_model, s.opposed_votes, s.opposed_excess, s.opposed_z)},
         {"addresses", f.addresses},
         {"sessions", f.sessions},
         {"first_vote_id", f.first_vote_id},
         {"last_vote_id", f.last_vote_id}});
  }
  return {{"track", r.track},
          {"threshold", r.options.scoring.threshold},
          {"bias_threshold", r.options.scoring.bias_threshold},
          {"min_votes", r.options.scoring.min_votes},
          {"rounds", r.options.rounds},
          {"honest_miss_rate", r.options.attention.honest_miss_rate},
          {"false_flag_rate", r.options.attention.false_flag_rate},
          {"votes", r.votes},
          {"control_votes", r.control_votes},
          {"sessions", r.sessions},
          {"prefixes", r.prefixes},
          {"sessions_scored", r.sessions_scored},
          {"prefixes_scored", r.prefixes_scored},
          {"flagged_votes", r.flagged_votes},
          {"flagged", std::move(flagged)}};
}

}  // namespace paddock::arena
