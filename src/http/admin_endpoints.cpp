// /api/admin/...: stats, models (list, add, change, reveal, retire), votes (list, void).
// The dispatcher has already checked the bearer token; these run on the work queue.

#include <nlohmann/json.hpp>

#include "arena/catalog_rules.hpp"
#include "arena/vote_listing.hpp"
#include "http/endpoints.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"

namespace paddock::http {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultVoteLimit = 100;
constexpr int64_t kMaxVoteLimit = 10'000;

json model_json(const store::Model& m) {
  auto name = arena::public_name(m);
  return {{"id", m.id},
          {"display_name", m.display_name},
          {"organization", m.organization},
          {"status", store::to_string(m.status)},
          {"codename", m.codename},
          {"public_name", name ? json(*name) : json(nullptr)}};
}

Result<int64_t> parse_count(const std::optional<std::string>& text, int64_t fallback, int64_t max,
                            const char* name) {
  if (!text) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < 0 || v > max) {
    return fail("bad_request", std::string("\"") + name + "\" must be a whole number from 0 to " +
                                   std::to_string(max));
  }
  return v;
}

}  // namespace

void admin_stats_endpoint(Env& env, Exchange&, const Responder& respond) {
  auto c = env.arena.store().counts();
  if (!c) return respond(error_for(c.error()));
  json j{{"tracks", c->tracks},
         {"models", c->models},
         {"prompts", c->prompts},
         {"clips", c->clips},
         {"battles", c->battles},
         {"votes", c->votes},
         {"voided_votes", c->voided_votes},
         {"leaderboard_last_vote_id", env.arena.leaderboards().last_vote_id()}};
  respond(json_response(200, j.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void admin_models_endpoint(Env& env, Exchange&, const Responder& respond) {
  auto models = env.arena.store().list_models();
  if (!models) return respond(error_for(models.error()));
  json list = json::array();
  for (const auto& m : *models) list.push_back(model_json(m));
  respond(json_response(
      200, json{{"models", std::move(list)}}.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void admin_model_upsert_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(error_for(body.error()));
  auto id = string_field(*body, "id");
  if (!id) return respond(error_for(id.error()));
  if (!*id || !arena::is_valid_id(**id)) {
    return respond(error_response(400, "bad_request",
                                  "\"id\" is required: 1-64 characters of A-Z a-z 0-9 . _ -"));
  }
  auto existing = env.arena.store().find_model(**id);
  if (!existing) return respond(error_for(existing.error()));

  store::Model m;
  if (*existing) {
    m = **existing;
  } else {
    m.id = **id;
    m.status = store::ModelStatus::Hidden;  // nothing shows until an admin says so
  }
  for (auto [field, target] :
       {std::pair{"display_name", &m.display_name}, std::pair{"organization", &m.organization},
        std::pair{"codename", &m.codename}}) {
    auto v = string_field(*body, field);
    if (!v) return respond(error_for(v.error()));
    if (*v) *target = std::move(**v);
  }
  auto status = string_field(*body, "status");
  if (!status) return respond(error_for(status.error()));
  if (*status) {
    auto parsed = store::parse_model_status(**status);
    if (!parsed) {
      return respond(error_response(
          400, "bad_request",
          "\"status\" must be \"hidden\", \"anonymous\", \"public\" or \"retired\""));
    }
    m.status = *parsed;
  }
  // The same rules as paddock import and paddock admin.
  if (auto valid = arena::validate_model(m); !valid) {
    return respond(error_response(400, "bad_request", valid.error().message));
  }
  auto result = env.arena.store().upsert_model(m);
  if (!result) return respond(error_for(result.error()));
  if (auto s = env.arena.reload_catalog(); !s) return respond(error_for(s.error()));
  json j{{"result", store::to_string(*result)}, {"model", model_json(m)}};
  respond(json_response(*result == store::Upsert::Inserted ? 201 : 200,
                        j.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void admin_votes_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  store::VoteQuery q;
  q.session = query->get("session").value_or("");
  q.address = query->get("address").value_or("");
  q.track_id = query->get("track").value_or("");
  q.include_voided = true;
  auto limit = parse_count(query->get("limit"), kDefaultVoteLimit, kMaxVoteLimit, "limit");
  if (!limit) return respond(error_for(limit.error()));
  auto after = parse_count(query->get("after"), 0, INT64_MAX, "after");
  if (!after) return respond(error_for(after.error()));
  q.limit = *limit;
  q.after_id = *after;
  auto votes = env.arena.store().list_votes(q);
  if (!votes) return respond(error_for(votes.error()));
  json list = json::array();
  for (const auto& v : *votes) {
    list.push_back(arena::vote_listing_json(v));
  }
  respond(json_response(
      200, json{{"votes", std::move(list)}}.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void admin_void_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(error_for(body.error()));
  store::VoteQuery q;
  for (auto [field, target] : {std::pair{"session", &q.session}, std::pair{"address", &q.address},
                               std::pair{"track", &q.track_id}}) {
    auto v = string_field(*body, field);
    if (!v) return respond(error_for(v.error()));
    if (*v) *target = std::move(**v);
  }
  if (q.session.empty() && q.address.empty()) {
    return respond(error_response(400, "bad_request", "give a \"session\" or an \"address\""));
  }
  auto reason = string_field(*body, "reason");
  if (!reason) return respond(error_for(reason.error()));
  auto voided = env.arena.store().void_votes(q, reason->value_or("voided by an administrator"));
  if (!voided) return respond(error_for(voided.error()));
  if (*voided > 0) env.arena.votes_voided();
  respond(json_response(
      200, json{{"voided", *voided}}.dump(-1, ' ', false, json::error_handler_t::replace)));
}

}  // namespace paddock::http
