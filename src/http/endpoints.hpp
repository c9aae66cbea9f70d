#pragma once
// The endpoints of docs/http-api.md, and what they share. Private to the http layer:
// dispatcher.cpp routes to these functions after its common checks.

#include <string>
#include <string_view>

#include "arena/arena.hpp"
#include "http/client_address.hpp"
#include "http/dispatcher.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/static_files.hpp"
#include "http/work_queue.hpp"

namespace paddock::http {

struct Env {
  Env(arena::Arena& a, WorkQueue& b, DispatcherOptions o, std::vector<std::string> routes)
      : arena(a),
        blocking(b),
        options(std::move(o)),
        metrics(std::move(routes)),
        session_battles(options.limits.session_battles),
        session_votes(options.limits.session_votes),
        address_battles(options.limits.address_battles),
        address_votes(options.limits.address_votes),
        admin_failures(options.limits.admin_failures),
        static_files(options.web_root),
        trusted_proxies(options.trust_forwarded_for && options.trusted_proxies.empty()
                            ? *parse_address_ranges("127.0.0.0/8, ::1")
                            : options.trusted_proxies) {}

  arena::Arena& arena;
  WorkQueue& blocking;
  DispatcherOptions options;
  Metrics metrics;
  RateLimiter session_battles, session_votes, address_battles, address_votes;
  RateLimiter admin_failures;  // per address: wrong admin tokens
  StaticFiles static_files;
  std::vector<AddressRange> trusted_proxies;  // empty: X-Forwarded-For is not read
};

// One request being answered, with what the dispatcher learned about it.
struct Exchange {
  Request request;
  std::string session;      // session id (32 hex digits); empty on routes without sessions
  std::string address;      // client address
  std::string address_key;  // what per-address limits count it under (its IPv6 /64, ...)
};

using Endpoint = void (*)(Env&, Exchange&, const Responder&);

// The HTTP status of an error code (docs/http-api.md); 500 for codes it does not know.
int status_for(std::string_view code);
// An error response for an Error, with the status its code calls for. Store failures
// ("db_busy", "db_unreachable", ...) become 503 "unavailable".
Response error_for(const Error& error);
// Takes a token from both buckets; 0, or the seconds to wait.
int take_tokens(RateLimiter& per_session, RateLimiter& per_address, const Exchange& ex);

// voting_endpoints.cpp
void config_endpoint(Env&, Exchange&, const Responder&);
void tracks_endpoint(Env&, Exchange&, const Responder&);
void battles_endpoint(Env&, Exchange&, const Responder&);
void votes_endpoint(Env&, Exchange&, const Responder&);
// leaderboard_endpoints.cpp
void leaderboard_endpoint(Env&, Exchange&, const Responder&);
void history_endpoint(Env&, Exchange&, const Responder&);
// GET /api/changes: the board's public change log (with --public-change-log).
void changes_endpoint(Env&, Exchange&, const Responder&);
void public_export_endpoint(Env&, Exchange&, const Responder&);
// media_endpoints.cpp
void clip_media_endpoint(Env&, Exchange&, const Responder&);
void source_media_endpoint(Env&, Exchange&, const Responder&);
// admin_endpoints.cpp (the dispatcher has checked the token)
void admin_stats_endpoint(Env&, Exchange&, const Responder&);
void admin_models_endpoint(Env&, Exchange&, const Responder&);
void admin_model_upsert_endpoint(Env&, Exchange&, const Responder&);
void admin_votes_endpoint(Env&, Exchange&, const Responder&);
void admin_void_endpoint(Env&, Exchange&, const Responder&);
void admin_voters_endpoint(Env&, Exchange&, const Responder&);
void admin_export_endpoint(Env&, Exchange&, const Responder&);

}  // namespace paddock::http
