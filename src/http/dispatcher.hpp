#pragma once
// paddock's HTTP handler: routes each request to its endpoint (docs/http-api.md) and applies
// what every request goes through: sessions, cross-site request checks, rate limits,
// security headers, metrics, and running database work off the io threads.

#include <filesystem>
#include <memory>
#include <string>

#include "arena/arena.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "http/work_queue.hpp"

namespace paddock::http {

struct RateLimits {
  // Requests per minute (also the burst size) per session and per client address; 0 lifts
  // the limit.
  double session_battles = 120;
  double session_votes = 30;
  double address_battles = 1200;
  double address_votes = 300;
};

struct DispatcherOptions {
  std::filesystem::path web_root;
  std::string admin_token;  // empty: the admin endpoints are off
  bool secure_cookies = false;
  // Take the client address from the last X-Forwarded-For entry (behind a reverse proxy).
  bool trust_forwarded_for = false;
  std::string unlock = "played_once";  // "played_once" | "none", for /api/config
  bool demo = false;
  RateLimits limits;
  std::string version = "0.1.0";
};

class Dispatcher : public Handler {
 public:
  Dispatcher(arena::Arena& arena, WorkQueue& blocking, DispatcherOptions options);
  ~Dispatcher() override;

  void handle(Request&& request, Responder respond) override;

  Metrics& metrics();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Renderers the arena's leaderboard cache uses to turn boards into API JSON
// (docs/http-api.md, "Leaderboards").
std::string render_board_json(const arena::BoardSnapshot& snapshot);
std::string render_history_json(const arena::HistorySnapshot& snapshot);

}  // namespace paddock::http
