// GET /api/config, GET /api/tracks, POST /api/battles, POST /api/votes.

#include <nlohmann/json.hpp>

#include "http/endpoints.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"

namespace paddock::http {
namespace {

using nlohmann::json;

constexpr int64_t kMaxWatchMs = 24LL * 60 * 60 * 1000;

Response refuse_vote(Env& env, const Error& e) {
  env.metrics.vote_refused(e.code);
  return error_for(e);
}

}  // namespace

void config_endpoint(Env& env, Exchange&, const Responder& respond) {
  json j{{"demo", env.options.demo},
         {"unlock", env.options.unlock},
         {"min_votes", env.arena.options().leaderboards.min_votes},
         {"version", env.options.version}};
  respond(json_response(200, j.dump()));
}

void tracks_endpoint(Env& env, Exchange&, const Responder& respond) {
  auto catalog = env.arena.catalog();
  json tracks = json::array();
  for (const auto& t : catalog->tracks()) {
    const auto& s = t.summary;
    tracks.push_back({{"id", s.track.id},
                      {"name", s.track.name},
                      {"task", store::to_string(s.track.task)},
                      {"audio", s.track.audio},
                      {"duration_s", s.track.duration_s},
                      {"aspect", s.track.aspect},
                      {"width", s.track.width},
                      {"height", s.track.height},
                      {"models", s.models},
                      {"prompts", s.prompts},
                      {"clips", s.clips},
                      {"categories", t.categories}});
  }
  respond(json_response(200, json{{"tracks", std::move(tracks)}}.dump()));
}

void battles_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  if (int wait = take_tokens(env.session_battles, env.address_battles, ex)) {
    return respond(rate_limited_response(wait));
  }
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(error_for(body.error()));
  auto track = string_field(*body, "track");
  if (!track) return respond(error_for(track.error()));
  if (!*track) return respond(error_response(400, "bad_request", "\"track\" is required"));

  auto battle = env.arena.issue_battle(**track, ex.session, ex.address);
  if (!battle) return respond(error_for(battle.error()));
  env.metrics.battle_issued();

  const auto& p = battle->prompt->prompt;
  json prompt{{"text", p.text}, {"language", p.language}, {"categories", p.categories}};
  if (!p.source_hash.empty()) {
    bool image = p.source_mime.rfind("image/", 0) == 0;
    prompt[image ? "source_image_url" : "source_video_url"] = "/media/s/" + p.source_hash;
  }
  json j{{"ticket", battle->ticket},
         {"track", battle->track_id},
         {"expires_at", battle->expires_at_ms},
         {"prompt", std::move(prompt)},
         {"left", {{"url", "/media/c/" + battle->left_token}}},
         {"right", {{"url", "/media/c/" + battle->right_token}}}};
  respond(json_response(201, j.dump()));
}

void votes_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  if (int wait = take_tokens(env.session_votes, env.address_votes, ex)) {
    env.metrics.vote_refused("rate_limited");
    return respond(rate_limited_response(wait));
  }
  auto body = parse_json_object(ex.request.body);
  if (!body) return respond(refuse_vote(env, body.error()));
  auto ticket = string_field(*body, "ticket");
  if (!ticket) return respond(refuse_vote(env, ticket.error()));
  if (!*ticket) return respond(refuse_vote(env, {"bad_request", "\"ticket\" is required"}));
  auto choice = string_field(*body, "choice");
  if (!choice || !*choice) {
    return respond(refuse_vote(
        env, {"invalid_choice", "choice must be \"left\", \"right\", \"tie\" or \"both_bad\""}));
  }
  auto left_watch = count_field(*body, "left_watch_ms", 0, kMaxWatchMs);
  auto right_watch = count_field(*body, "right_watch_ms", 0, kMaxWatchMs);
  auto decision = count_field(*body, "decision_ms", 0, kMaxWatchMs);
  for (const auto* r : {&left_watch, &right_watch, &decision}) {
    if (!*r) return respond(refuse_vote(env, r->error()));
  }

  arena::Ballot ballot;
  ballot.ticket = std::move(**ticket);
  ballot.choice = std::move(**choice);
  ballot.left_watch_ms = *left_watch;
  ballot.right_watch_ms = *right_watch;
  ballot.decision_ms = *decision;
  ballot.session = ex.session;
  ballot.address = ex.address;
  env.arena.cast_vote(std::move(ballot), [&env, respond](Result<arena::VoteReceipt> r) {
    if (!r) return respond(refuse_vote(env, r.error()));
    env.metrics.vote_stored();
    json j{{"vote_id", r->vote_id},
           {"left", {{"model", r->left.name}, {"organization", r->left.organization}}},
           {"right", {{"model", r->right.name}, {"organization", r->right.organization}}}};
    respond(json_response(201, j.dump()));
  });
}

}  // namespace paddock::http
