// GET /api/leaderboard, GET /api/leaderboard/history, GET /api/votes/export, and the JSON
// the leaderboard cache renders boards into.

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "arena/vote_export.hpp"
#include "http/endpoints.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"
#include "votelog/board_output.hpp"

namespace paddock::http {
namespace {

using nlohmann::json;

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

// The rating engine's board as `paddock rate` writes it (one writer: board_to_json), plus
// what the server knows: the track, when and up to which vote, the filter, the track's
// categories, and each model's organization and status.
std::string render_board_json(const arena::BoardSnapshot& s) {
  json j = votelog::board_to_json(s.board);
  j["track"] = s.request.track_id;
  j["computed_at"] = s.computed_at_ms;
  j["last_vote_id"] = s.last_vote_id;
  j["filter"] = {{"categories", s.request.categories},
                 {"weights", s.request.weights},
                 {"languages", s.request.languages},
                 {"control", s.request.control}};
  j["categories"] = s.track_categories;
  j["languages"] = s.track_languages;
  // Sampling shares: each model's share of the battles on this board (every vote is a battle
  // of two, so the shares sum to 1), and each organization's, as The Leaderboard Illusion
  // asks arenas to publish.
  const double slots = 2.0 * static_cast<double>(s.board.votes);
  std::map<std::string, std::pair<int64_t, int64_t>> organizations;  // models, votes
  for (auto& row : j["models"]) {
    auto info = s.models.find(row["model"].get<std::string>());
    const std::string organization = info == s.models.end() ? "" : info->second.organization;
    row["organization"] = organization;
    row["status"] = info == s.models.end() ? "" : info->second.status;
    // With --preliminary-votes: a revealed model's reveal and its votes since.
    if (info != s.models.end() && info->second.revealed_at_ms) {
      row["revealed_at"] = *info->second.revealed_at_ms;
      row["votes_since_reveal"] = info->second.votes_since_reveal.value_or(0);
    }
    // paddock generate's provenance (docs/generate.md); null without generated clips.
    const arena::GenerationStats* g = info == s.models.end() ? nullptr : &info->second.generation;
    json generation = nullptr;
    if (g && g->clips > 0) {
      generation = {{"clips", g->clips},
                    {"mean_cost", g->mean_cost ? json(*g->mean_cost) : json()},
                    {"currency", g->currency.empty() ? json() : json(g->currency)},
                    {"median_generation_s", g->median_seconds ? json(*g->median_seconds) : json()}};
    }
    row["generation"] = std::move(generation);
    const auto votes = row["votes"].get<int64_t>();
    row["sampling_share"] = slots > 0 ? static_cast<double>(votes) / slots : 0.0;
    auto& org = organizations[organization];
    org.first += 1;
    org.second += votes;
  }
  json orgs = json::array();
  for (const auto& [name, counts] : organizations) {
    orgs.push_back(
        {{"organization", name},
         {"models", counts.first},
         {"votes", counts.second},
         {"sampling_share", slots > 0 ? static_cast<double>(counts.second) / slots : 0.0}});
  }
  j["organizations"] = std::move(orgs);
  json pairing = json::array();
  for (const auto& p : s.pairing) {
    pairing.push_back(
        {{"model_a", p.model_a}, {"model_b", p.model_b}, {"probability", p.probability}});
  }
  j["matchmaking"] = {{"mode", s.matchmaking}, {"pairs", std::move(pairing)}};
  // Whether votes cast without watching weigh less (docs/voter-scoring.md); null: all weigh 1.
  j["watch_weighting"] = s.watch_weighting ? json{{"weight", s.watch_weighting->weight},
                                                  {"min_share", s.watch_weighting->min_share}}
                                           : json();
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void changes_endpoint(Env& env, Exchange&, const Responder& respond) {
  if (!env.arena.options().public_change_log) {
    return respond(error_for(Error{"not_found",
                                   "this arena does not publish its change log (paddock serve "
                                   "--public-change-log)"}));
  }
  auto log = env.arena.change_log();
  if (!log) return respond(error_for(log.error()));
  json changes = json::array();
  for (const auto& e : log->events) {
    changes.push_back(
        {{"at", e.at_ms},
         {"kind", store::to_string(e.kind)},
         {"model", e.shown_after.empty() ? e.shown_before : e.shown_after},
         {"organization", e.organization},
         {"from", e.from_status == store::ModelStatus::Hidden
                      ? json()
                      : json(store::to_string(e.from_status))},
         {"to", e.to_status == store::ModelStatus::Hidden ? json("withdrawn")
                                                          : json(store::to_string(e.to_status))},
         {"shown_before", e.shown_before.empty() ? json() : json(e.shown_before)}});
  }
  json voids = json::array();
  int64_t voided = 0;
  for (const auto& v : log->voids) {
    voids.push_back({{"reason", v.reason}, {"votes", v.votes}});
    voided += v.votes;
  }
  json j{{"changes", std::move(changes)}, {"voided_votes", voided}, {"voids", std::move(voids)}};
  respond(json_response(200, j.dump(-1, ' ', false, json::error_handler_t::replace)));
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
                                           query->get("weights").value_or(""),
                                           query->all("language"), query->all("control"));
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
  auto exporter = env.arena.open_export(options);
  if (!exporter) return respond(error_for(exporter.error()));
  std::shared_ptr<arena::VoteExport> shared(std::move(*exporter));

  Response r;
  bool csv = *format == arena::ExportFormat::Csv;
  r.header("Content-Type", csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  // The full export is named for what it is, so it is not mistaken for the public one.
  std::string name = std::string(full ? "paddock-votes-full" : "paddock-votes") +
                     (options.track_id.empty() ? "" : "-" + options.track_id) +
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
