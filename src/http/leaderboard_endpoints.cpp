// GET /api/leaderboard, GET /api/leaderboard/history, GET /api/votes/export, and the JSON
// the leaderboard cache renders boards into.

#include <cmath>
#include <nlohmann/json.hpp>

#include "arena/vote_export.hpp"
#include "http/endpoints.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"

namespace paddock::http {
namespace {

using nlohmann::json;

json number_or_null(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

Response computing() {
  Response r = json_response(202, "{\"status\":\"computing\"}");
  r.header("Retry-After", "1");
  return r;
}

Response board_response(const Request& request, const arena::RenderedBoard& board) {
  std::string etag = "\"b" + std::to_string(board.last_vote_id) + "-" +
                     std::to_string(board.computed_at_ms) + "\"";
  if (!request.if_none_match.empty() && request.if_none_match == etag) {
    Response r;
    r.status = 304;
    r.header("ETag", etag);
    r.header("Cache-Control", "no-cache");
    return r;
  }
  Response r;
  r.status = 200;
  r.body = board.text;
  r.header("Content-Type", "application/json");
  r.header("Cache-Control", "no-cache");
  r.header("ETag", etag);
  return r;
}

}  // namespace

std::string render_board_json(const arena::BoardSnapshot& s) {
  const auto& b = s.board;
  json models = json::array();
  for (const auto& m : b.models) {
    auto info = s.models.find(m.model);
    const arena::GenerationStats* g = info == s.models.end() ? nullptr : &info->second.generation;
    json generation = nullptr;
    if (g && g->clips > 0) {
      generation = {{"clips", g->clips},
                    {"mean_cost", g->mean_cost ? json(*g->mean_cost) : json()},
                    {"currency", g->currency.empty() ? json() : json(g->currency)},
                    {"median_generation_s", g->median_seconds ? json(*g->median_seconds) : json()}};
    }
    models.push_back({{"model", m.model},
                      {"generation", std::move(generation)},
                      {"organization", info == s.models.end() ? "" : info->second.organization},
                      {"status", info == s.models.end() ? "" : info->second.status},
                      {"rating", number_or_null(m.rating)},
                      {"ci_low", number_or_null(m.ci_low)},
                      {"ci_high", number_or_null(m.ci_high)},
                      {"rank", m.rank},
                      {"rank_best", m.rank_best},
                      {"rank_worst", m.rank_worst},
                      {"votes", m.votes},
                      {"wins", m.wins},
                      {"losses", m.losses},
                      {"ties", m.ties},
                      {"win_rate", number_or_null(m.win_rate)},
                      {"elo", number_or_null(m.elo)},
                      {"preliminary", m.preliminary}});
  }
  json pairs = json::array();
  for (const auto& p : b.pairs) {
    pairs.push_back({{"model_a", p.model_a},
                     {"model_b", p.model_b},
                     {"votes", p.votes},
                     {"a_wins", p.a_wins},
                     {"b_wins", p.b_wins},
                     {"ties", p.ties},
                     {"predicted_a_win", number_or_null(p.predicted_a_win)}});
  }
  json shares = json::array();
  for (const auto& c : b.categories) {
    shares.push_back({{"category", c.category},
                      {"votes", c.votes},
                      {"voted_share", c.voted_share},
                      {"target_share", c.target_share}});
  }
  json j{{"track", s.request.track_id},
         {"computed_at", s.computed_at_ms},
         {"last_vote_id", s.last_vote_id},
         {"filter", {{"categories", s.request.categories}, {"weights", s.request.weights}}},
         {"method", b.method},
         {"scale", b.scale},
         {"anchor", b.anchor},
         {"votes", b.votes},
         {"seed", b.seed},
         {"bootstrap", b.bootstrap},
         {"ci", b.ci},
         {"weights", b.weights},
         {"prior_used", b.prior_used},
         {"models", std::move(models)},
         {"pairs", std::move(pairs)},
         {"category_shares", std::move(shares)},
         {"notes", b.notes},
         {"categories", s.track_categories}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_history_json(const arena::HistorySnapshot& s) {
  json points = json::array();
  for (std::size_t i = 0; i < s.history.points.size(); ++i) {
    const auto& p = s.history.points[i];
    json ratings = json::object();
    for (std::size_t m = 0; m < s.history.models.size() && m < p.ratings.size(); ++m) {
      if (std::isfinite(p.ratings[m])) ratings[s.history.models[m]] = p.ratings[m];
    }
    points.push_back({{"t", i < s.point_times_ms.size() ? s.point_times_ms[i] : 0},
                      {"last_vote_id", i < s.point_vote_ids.size() ? s.point_vote_ids[i] : 0},
                      {"votes", p.votes},
                      {"ratings", std::move(ratings)}});
  }
  json j{{"track", s.track_id},
         {"computed_at", s.computed_at_ms},
         {"last_vote_id", s.last_vote_id},
         {"models", s.history.models},
         {"points", std::move(points)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void leaderboard_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  auto track = query->get("track");
  if (!track || track->empty()) {
    return respond(error_response(400, "bad_request", "\"track\" is required"));
  }
  auto request = arena::make_board_request(*env.arena.catalog(), *track, query->all("category"),
                                           query->get("weights").value_or(""));
  if (!request) return respond(error_for(request.error()));
  auto lookup = env.arena.leaderboards().board(*request);
  switch (lookup.state) {
    case arena::LeaderboardCache::State::Ready:
      return respond(board_response(ex.request, *lookup.board));
    case arena::LeaderboardCache::State::Failed:
      return respond(error_for(lookup.error));
    case arena::LeaderboardCache::State::Computing:
      return respond(computing());
  }
}

void history_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  auto track = query->get("track");
  if (!track || track->empty()) {
    return respond(error_response(400, "bad_request", "\"track\" is required"));
  }
  if (!env.arena.catalog()->find_track(*track)) {
    return respond(error_response(404, "unknown_track", "no track \"" + *track + "\""));
  }
  auto history = env.arena.leaderboards().history(*track);
  if (!history) return respond(computing());
  respond(board_response(ex.request, *history));
}

// Shared by the public and the admin export.
void export_endpoint(Env& env, Exchange& ex, const Responder& respond, bool full) {
  auto query = QueryParams::parse(ex.request.query);
  if (!query) return respond(error_response(400, "bad_request", "malformed query string"));
  arena::ExportOptions options;
  options.full = full;
  options.track_id = query->get("track").value_or("");
  if (!options.track_id.empty() && !env.arena.catalog()->find_track(options.track_id)) {
    return respond(error_response(404, "unknown_track", "no track \"" + options.track_id + "\""));
  }
  auto format = arena::parse_export_format(query->get("format").value_or("jsonl"));
  if (!format) {
    return respond(error_response(400, "bad_format", "format must be \"jsonl\" or \"csv\""));
  }
  options.format = *format;
  if (auto up_to = query->get("up_to")) {
    char* end = nullptr;
    long long v = std::strtoll(up_to->c_str(), &end, 10);
    if (up_to->empty() || *end != '\0' || v < 0) {
      return respond(error_response(400, "bad_request", "\"up_to\" must be a vote id"));
    }
    options.up_to = v;
  }
  auto exporter = arena::VoteExport::open(env.arena.store(), options);
  if (!exporter) return respond(error_for(exporter.error()));
  std::shared_ptr<arena::VoteExport> shared(std::move(*exporter));

  Response r;
  bool csv = *format == arena::ExportFormat::Csv;
  r.header("Content-Type", csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  std::string name = "paddock-votes" + (options.track_id.empty() ? "" : "-" + options.track_id) +
                     (csv ? ".csv" : ".jsonl");
  r.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.header("Cache-Control", "no-store");
  r.stream = [shared] { return shared->next(); };
  respond(std::move(r));
}

void public_export_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  export_endpoint(env, ex, respond, false);
}

void admin_export_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  export_endpoint(env, ex, respond, true);
}

}  // namespace paddock::http
