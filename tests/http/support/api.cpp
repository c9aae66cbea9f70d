#include "api.hpp"

#include <stdexcept>
#include <thread>

namespace paddock::testing {

json body_json(const HttpResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    throw std::runtime_error("not JSON (status " + std::to_string(r.status) + "): " + r.body);
  }
  return j;
}

IssuedBattle new_battle(HttpClient& client, const std::string& track) {
  IssuedBattle b;
  b.response = client.post_json("/api/battles", json{{"track", track}}.dump());
  if (b.response.status != 201) {
    throw std::runtime_error("POST /api/battles answered " + std::to_string(b.response.status) +
                             ": " + b.response.body);
  }
  b.body = body_json(b.response);
  b.ticket = b.body.at("ticket").get<std::string>();
  b.left_url = b.body.at("left").at("url").get<std::string>();
  b.right_url = b.body.at("right").at("url").get<std::string>();
  return b;
}

HttpResponse cast_vote(HttpClient& client, const std::string& ticket, const std::string& choice) {
  json body{{"ticket", ticket},
            {"choice", choice},
            {"left_watch_ms", 1000},
            {"right_watch_ms", 1100},
            {"decision_ms", 2500}};
  return client.post_json("/api/votes", body.dump());
}

json wait_for_board(HttpClient& client, const std::string& query, int64_t min_last_vote_id,
                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.get("/api/leaderboard?" + query);
    last = std::to_string(r.status) + " " + r.body.substr(0, 300);
    if (r.status == 200) {
      auto j = body_json(r);
      if (j.at("last_vote_id").get<int64_t>() >= min_last_vote_id) return j;
    } else if (r.status != 202) {
      throw std::runtime_error("GET /api/leaderboard?" + query + " answered " + last);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("the board for " + query + " never reached vote " +
                           std::to_string(min_last_vote_id) + "; last answer: " + last);
}

}  // namespace paddock::testing
