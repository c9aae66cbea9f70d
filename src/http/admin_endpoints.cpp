// /api/admin/...: stats, models (list, add, change, reveal, retire), votes (list, void),
// flagged voters (review).
// The dispatcher has already checked the bearer token; these run on the work queue. Every
// rule and default is the arena's (arena/administration.hpp), the same as paddock admin's;
// these only read the request and render the answer (arena/admin_json.hpp).

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "arena/admin_json.hpp"
#include "arena/catalog_rules.hpp"
#include "http/endpoints.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"

namespace paddock::http {
namespace {

using nlohmann::json;

Response json_answer(int status, const json& j) {
  return json_response(status, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The administration's refusals ("invalid") are the request's fault: 400 bad_request.
Response admin_error(const Error& e) {
  if (e.code == "invalid") return error_response(400, "bad_request", e.message);
  return error_for(e);
}

// A query parameter that must be a whole number, if given.
Result<std::optional<int64_t>> whole_number(const QueryParams& query, const char* name) {
  auto text = query.get(name);
  if (!text) return std::optional<int64_t>();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE) {
    return fail("bad_request", std::string("\"") + name + "\" must be a whole number");
  }
  return std::optional<int64_t>(v);
}

}  // namespace

void admin_stats_endpoint(Env& env, Exchange&, const Responder& respond) {
  auto c = env.arena.administration().counts();
  if (!c) return respond(admin_error(c.error()));
  json j = arena::counts_json(*c);
  j["leaderboard_last_vote_id"] = env.arena.leaderboards().last_vote_id();
  respond(json_answer(200, j));
}

void admin_models_endpoint(Env& env, Exchange&, const Responder& respond) {
  auto models = env.arena.administration().models();
  if (!models) return respond(admin_error(models.error()));
  json list = json::array();
  for (const auto& m : *models) list.push_back(arena::model_json(m));
  respond(json_answer(200, json{{"models", std::move(list)}}));
}

void admin_model_upsert_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(error_for(body.error()));
  // The fields of a model in an import manifest, and no others (a typo is refused).
  if (auto known = only_fields(*body, arena::kModelFields); !known) {
    return respond(error_for(known.error()));
  }
  auto id = string_field(*body, "id");
  if (!id) return respond(error_for(id.error()));
  if (!*id) return respond(error_response(400, "bad_request", "\"id\" is required"));

  arena::ModelChange change;
  for (auto [field, target] :
       {std::pair{"display_name", &change.display_name},
        std::pair{"organization", &change.organization}, std::pair{"codename", &change.codename}}) {
    auto v = string_field(*body, field);
    if (!v) return respond(error_for(v.error()));
    *target = std::move(*v);
  }
  auto status = string_field(*body, "status");
  if (!status) return respond(error_for(status.error()));
  if (*status) {
    auto parsed = arena::parse_status(**status);
    if (!parsed) return respond(admin_error(parsed.error()));
    change.status = *parsed;
  }
  auto written =
      env.arena.administration().write_model(arena::ModelWrite::AddOrChange, **id, change);
  if (!written) return respond(admin_error(written.error()));
  respond(json_answer(written->upsert == store::Upsert::Inserted ? 201 : 200,
                      arena::model_changed_json(*written)));
}

void admin_votes_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  arena::VoteListing listing;
  listing.session = query->get("session").value_or("");
  listing.address = query->get("address").value_or("");
  listing.track = query->get("track").value_or("");
  auto limit = whole_number(*query, "limit");
  if (!limit) return respond(error_for(limit.error()));
  listing.limit = limit->value_or(listing.limit);
  auto after = whole_number(*query, "after");
  if (!after) return respond(error_for(after.error()));
  listing.after = after->value_or(listing.after);
  auto votes = env.arena.administration().votes(listing);
  if (!votes) return respond(admin_error(votes.error()));
  json list = json::array();
  for (const auto& v : *votes) list.push_back(arena::vote_json(v));
  respond(json_answer(200, json{{"votes", std::move(list)}}));
}

void admin_void_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  constexpr std::string_view kFields[] = {"session", "address", "track", "reason"};
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(error_for(body.error()));
  if (auto known = only_fields(*body, kFields); !known) return respond(error_for(known.error()));
  arena::VoidRequest request;
  for (auto [field, target] :
       {std::pair{"session", &request.session}, std::pair{"address", &request.address},
        std::pair{"track", &request.track}, std::pair{"reason", &request.reason}}) {
    auto v = string_field(*body, field);
    if (!v) return respond(error_for(v.error()));
    if (*v) *target = std::move(**v);
  }
  auto voided = env.arena.administration().void_votes(request);
  if (!voided) return respond(admin_error(voided.error()));
  respond(json_answer(200, json{{"voided", *voided}}));
}

void admin_voters_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  const auto track = query->get("track").value_or("");
  if (track.empty()) {
    return respond(error_response(400, "bad_request", "say which track: track=ID"));
  }
  if (auto catalog = env.arena.catalog(); !catalog || !catalog->find_track(track)) {
    return respond(error_response(404, "unknown_track", "no track \"" + track + "\""));
  }
  arena::VoterReviewOptions options;
  for (auto [name, target] : {std::pair{"threshold", &options.scoring.threshold},
                              std::pair{"bias_threshold", &options.scoring.bias_threshold}}) {
    const auto text = query->get(name);
    if (!text) continue;
    char* end = nullptr;
    const double v = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !(v > 0) || !std::isfinite(v)) {
      return respond(error_response(400, "bad_request",
                                    std::string("\"") + name + "\" must be a number above 0"));
    }
    *target = v;
  }
  auto min_votes = whole_number(*query, "min_votes");
  if (!min_votes) return respond(error_for(min_votes.error()));
  options.scoring.min_votes = min_votes->value_or(options.scoring.min_votes);
  auto review = env.arena.administration().review_voters(track, options);
  if (!review) return respond(admin_error(review.error()));
  respond(json_answer(200, arena::voter_review_json(*review)));
}

}  // namespace paddock::http
