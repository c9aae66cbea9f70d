#pragma once
// paddock's HTTP handler: routes each request to its endpoint (docs/http-api.md) and applies
// what every request goes through: sessions, cross-site request checks, rate limits,
// security headers, metrics, and running database work off the io threads.

#include <filesystem>
#include <memory>
#include <string>

#include "arena/arena.hpp"
#include "http/client_address.hpp"
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
  // Per-address limits count IPv6 clients by this prefix of their address (one subscriber
  // usually holds a whole /64); 128: each address alone.
  int ipv6_prefix = 64;
  // Failed admin authentications per client address per minute (also the burst); beyond
  // it, admin requests from that address are refused with 429 before the token is read.
  double admin_failures = 10;
};

struct DispatcherOptions {
  std::filesystem::path web_root;
  std::string admin_token;  // empty: the admin endpoints are off
  bool secure_cookies = false;
  // Behind reverse proxies: take the client address from X-Forwarded-For as the proxies in
  // `trusted_proxies` added it (client_address.hpp); empty: loopback (127.0.0.0/8, ::1).
  bool trust_forwarded_for = false;
  std::vector<AddressRange> trusted_proxies;
  std::string unlock = "played_once";  // "played_once" | "none", for /api/config
  bool demo = false;
  RateLimits limits;
  std::string version = "0.1.0";
  // Queues apart from the `blocking` one (exports and the pieces they stream), so that an
  // export cannot delay what must stay quick. nullptr: `blocking` runs it too.
  WorkQueue* control_queue = nullptr;  // /healthz and the admin calls other than export
  WorkQueue* file_queue = nullptr;     // opening media and page files (open(2) may block)
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
