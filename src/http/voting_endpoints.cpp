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
         {"matchmaking",
          arena::matchmaking_mode_name(env.arena.options().leaderboards.matchmaking.mode)},
         {"version", env.options.version}};
  respond(json_response(200, j.dump(-1, ' ', false, json::error_handler_t::replace)));
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
  respond(json_response(200, json{{"tracks", std::move(tracks)}}.dump(
                                 -1, ' ', false, json::error_handler_t::replace)));
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

  // Written by hand: this is the hottest answer, and its shape is fixed.
  const auto& p = battle->prompt->prompt;
  std::string out;
  out.reserve(battle->ticket.size() + 2 * battle->left_token.size() + p.text.size() + 256);
  out += "{\"ticket\":\"";
  out += battle->ticket;  // base64url: nothing to escape
  out += "\",\"track\":";
  out += json_quote(battle->track_id);
  out += ",\"expires_at\":";
  out += std::to_string(battle->expires_at_ms);
  out += ",\"prompt\":{\"text\":";
  out += json_quote(p.text);
  out += ",\"language\":";
  out += json_quote(p.language);
  out += ",\"categories\":[";
  for (std::size_t i = 0; i < p.categories.size(); ++i) {
    if (i) out += ',';
    out += json_quote(p.categories[i]);
  }
  out += ']';
  if (!p.source_hash.empty()) {
    bool image = p.source_mime.rfind("image/", 0) == 0;
    out += image ? ",\"source_image_url\":\"/media/s/" : ",\"source_video_url\":\"/media/s/";
    out += p.source_hash;  // lowercase hex
    out += '"';
  }
  out += "},\"left\":{\"url\":\"/media/c/";
  out += battle->left_token;
  out += "\"},\"right\":{\"url\":\"/media/c/";
  out += battle->right_token;
  out += "\"}}";
  respond(json_response(201, std::move(out)));
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
    // Written by hand: this runs on the vote writer's thread, between two commits.
    std::string out;
    out.reserve(96 + r->left.name.size() + r->left.organization.size() + r->right.name.size() +
                r->right.organization.size());
    out += "{\"vote_id\":";
    out += std::to_string(r->vote_id);
    out += ",\"left\":{\"model\":";
    out += json_quote(r->left.name);
    out += ",\"organization\":";
    out += json_quote(r->left.organization);
    out += "},\"right\":{\"model\":";
    out += json_quote(r->right.name);
    out += ",\"organization\":";
    out += json_quote(r->right.organization);
    out += "}}";
    respond(json_response(201, std::move(out)));
  });
}

}  // namespace paddock::http
