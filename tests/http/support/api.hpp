#pragma once
// Small helpers for talking to paddock's JSON API in tests.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "http_client.hpp"

namespace paddock::testing {

using nlohmann::json;

// The body as JSON; fails the calling test (via exception) if it is not JSON.
json body_json(const HttpResponse& r);

struct IssuedBattle {
  HttpResponse response;
  json body;
  std::string ticket;
  std::string left_url;
  std::string right_url;
};

// POST /api/battles for `track`; throws unless the answer is 201.
IssuedBattle new_battle(HttpClient& client, const std::string& track = "t2v");

// POST /api/votes with the ticket and choice (and watch times).
HttpResponse cast_vote(HttpClient& client, const std::string& ticket, const std::string& choice);

// GET /api/leaderboard?<query> until it answers 200 with last_vote_id >= min_last_vote_id;
// throws after `timeout`.
json wait_for_board(HttpClient& client, const std::string& query, int64_t min_last_vote_id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace paddock::testing
