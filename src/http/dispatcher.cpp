#include "http/dispatcher.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cmath>

#include "base/text.hpp"
#include "http/endpoints.hpp"
#include "http/responses.hpp"
#include "http/session_cookie.hpp"

namespace paddock::http {
namespace {

using Clock = std::chrono::steady_clock;

enum MethodBits : unsigned { kGet = 1, kHead = 2, kPost = 4 };

struct Route {
  std::string_view path;
  bool prefix;  // path is a prefix ("/media/c/"), else exact
  unsigned methods;
  std::string_view label;  // metrics label
  Endpoint endpoint;
  bool blocking;  // runs on the work queue (database reads)
  bool session;   // gets (and may set) the session cookie
  bool admin;     // needs the admin token
};

void healthz_endpoint(Env& env, Exchange&, const Responder& respond) {
  if (!env.arena.store().ping()) {
    return respond(json_response(503, "{\"status\":\"unavailable\",\"db\":\"unreachable\"}"));
  }
  respond(json_response(200, "{\"status\":\"ok\",\"db\":\"ok\"}"));
}

void metrics_endpoint(Env& env, Exchange&, const Responder& respond) {
  Response r;
  r.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.header("Cache-Control", "no-store");
  auto w = env.arena.writer_stats();
  std::string extra;
  auto metric = [&extra](const char* name, const char* type, const char* help, auto value) {
    extra += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  metric("paddock_leaderboard_last_vote_id", "gauge",
         "Id of the last vote the leaderboards include.", env.arena.leaderboards().last_vote_id());
  metric("paddock_vote_commits_total", "counter", "Group commits of votes.", w.vote_commits);
  metric("paddock_vote_commit_votes_total", "counter", "Votes in those commits.",
         w.votes_committed);
  metric("paddock_vote_commit_seconds_total", "counter", "Time spent committing votes.",
         fmt::format("{:.6f}", w.vote_commit_seconds));
  metric("paddock_vote_commit_largest_batch", "gauge", "Most votes stored by one commit.",
         w.largest_vote_batch);
  extra +=
      "# HELP paddock_vote_commit_duration_seconds Time each group commit of votes took.\n"
      "# TYPE paddock_vote_commit_duration_seconds histogram\n";
  for (const auto& [bound, count] : w.vote_commit_histogram) {
    std::string le = std::isinf(bound) ? "+Inf" : fmt::format("{}", bound);
    extra +=
        fmt::format("paddock_vote_commit_duration_seconds_bucket{{le=\"{}\"}} {}\n", le, count);
  }
  extra += fmt::format("paddock_vote_commit_duration_seconds_sum {:.6f}\n", w.vote_commit_seconds);
  extra += fmt::format("paddock_vote_commit_duration_seconds_count {}\n",
                       w.vote_commit_histogram.empty() ? 0 : w.vote_commit_histogram.back().second);
  metric("paddock_vote_commit_failed_votes_total", "counter",
         "Votes answered unavailable because their commit failed.", w.votes_failed);
  metric("paddock_battles_refused_total", "counter",
         "Battles not issued because too many waited to be recorded.", w.battles_refused);
  metric("paddock_battles_pending", "gauge", "Issued battles not yet written to the database.",
         w.battles_pending);
  r.body = env.metrics.render(extra);
  respond(std::move(r));
}

// Routes in match order. Labels double as the metrics' route names.
constexpr std::array kRoutes{
    Route{"/api/config", false, kGet | kHead, "/api/config", config_endpoint, false, true, false},
    Route{"/api/tracks", false, kGet | kHead, "/api/tracks", tracks_endpoint, false, true, false},
    Route{"/api/battles", false, kPost, "/api/battles", battles_endpoint, false, true, false},
    Route{"/api/votes", false, kPost, "/api/votes", votes_endpoint, false, true, false},
    Route{"/api/leaderboard", false, kGet | kHead, "/api/leaderboard", leaderboard_endpoint, false,
          true, false},
    Route{"/api/leaderboard/history", false, kGet | kHead, "/api/leaderboard/history",
          history_endpoint, false, true, false},
    Route{"/api/votes/export", false, kGet | kHead, "/api/votes/export", public_export_endpoint,
          true, true, false},
    Route{"/api/admin/stats", false, kGet | kHead, "/api/admin/stats", admin_stats_endpoint, true,
          false, true},
    Route{"/api/admin/models", false, kGet | kHead, "/api/admin/models", admin_models_endpoint,
          true, false, true},
    Route{"/api/admin/models", false, kPost, "/api/admin/models", admin_model_upsert_endpoint, true,
          false, true},
    Route{"/api/admin/votes", false, kGet | kHead, "/api/admin/votes", admin_votes_endpoint, true,
          false, true},
    Route{"/api/admin/votes/void", false, kPost, "/api/admin/votes/void", admin_void_endpoint, true,
          false, true},
    Route{"/api/admin/export", false, kGet | kHead, "/api/admin/export", admin_export_endpoint,
          true, false, true},
    Route{"/media/c/", true, kGet | kHead, "/media/c", clip_media_endpoint, false, false, false},
    Route{"/media/s/", true, kGet | kHead, "/media/s", source_media_endpoint, false, false, false},
    Route{"/healthz", false, kGet | kHead, "/healthz", healthz_endpoint, true, false, false},
    Route{"/metrics", false, kGet | kHead, "/metrics", metrics_endpoint, false, false, false},
};
constexpr std::size_t kStaticRoute = kRoutes.size();
constexpr std::size_t kUnknownApiRoute = kRoutes.size() + 1;

std::vector<std::string> route_labels() {
  std::vector<std::string> labels;
  for (const auto& r : kRoutes) labels.emplace_back(r.label);
  labels.emplace_back("static");
  labels.emplace_back("unknown");
  return labels;
}

unsigned method_bit(Method m) {
  switch (m) {
    case Method::Get:
      return kGet;
    case Method::Head:
      return kHead;
    case Method::Post:
      return kPost;
    default:
      return 0;
  }
}

std::string allow_header(std::string_view path) {
  unsigned bits = 0;
  for (const auto& r : kRoutes) {
    if (!r.prefix && r.path == path) bits |= r.methods;
  }
  std::string allow;
  auto add = [&](unsigned bit, std::string_view name) {
    if (!(bits & bit)) return;
    if (!allow.empty()) allow += ", ";
    allow += name;
  };
  add(kGet, "GET");
  add(kHead, "HEAD");
  add(kPost, "POST");
  return allow;
}

bool json_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  return equals_ignoring_case(trim(ct.substr(0, semi)), "application/json");
}

bool same_origin(std::string_view origin, std::string_view host) {
  if (host.empty()) return false;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) == scheme && origin.substr(scheme.size()) == host) {
      return true;
    }
  }
  return false;
}

// Constant-time comparison of a presented token with the configured one.
bool token_matches(std::string_view presented, std::string_view expected) {
  unsigned char a[32], b[32];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(presented.data()),
                     presented.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

std::string client_address(const Request& r, bool trust_forwarded_for) {
  if (trust_forwarded_for && !r.forwarded_for.empty()) {
    std::string_view list(r.forwarded_for);
    auto comma = list.rfind(',');
    auto last = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
    if (!last.empty() && last.size() <= 64) return std::string(last);
  }
  return r.peer_address;
}

// Runs an endpoint; an exception escaping it (a library's, never ours by design) becomes a
// 500 instead of ending an io thread.
void run_endpoint(Endpoint endpoint, Env& env, Exchange& ex, const Responder& done) {
  try {
    endpoint(env, ex, done);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", ex.request.path, ex.request.query, e.what());
    done(error_response(500, "internal", "the server failed to answer this request"));
  }
}

}  // namespace

struct Dispatcher::State {
  State(arena::Arena& a, WorkQueue& b, DispatcherOptions o)
      : env(a, b, std::move(o), route_labels()), sessions(a.keys().session) {}
  Env env;
  SessionCodec sessions;
};

Dispatcher::Dispatcher(arena::Arena& arena, WorkQueue& blocking, DispatcherOptions options)
    : state_(std::make_unique<State>(arena, blocking, std::move(options))) {}

Dispatcher::~Dispatcher() = default;

Metrics& Dispatcher::metrics() {
  return state_->env.metrics;
}

int status_for(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, int>, 27> kStatus{{
      {"bad_request", 400},
      {"invalid_json", 400},
      {"invalid_choice", 400},
      {"bad_weights", 400},
      {"bad_format", 400},
      {"unauthorized", 401},
      {"cross_site", 403},
      {"bad_ticket", 403},
      {"foreign_ticket", 403},
      {"not_found", 404},
      {"unknown_track", 404},
      {"unknown_model", 404},
      {"admin_disabled", 404},
      {"method_not_allowed", 405},
      {"no_battle", 409},
      {"already_voted", 409},
      {"expired_ticket", 410},
      {"body_too_large", 413},
      {"unsupported_media_type", 415},
      {"range_not_satisfiable", 416},
      {"rate_limited", 429},
      {"internal", 500},
      {"unavailable", 503},
      {"invalid_argument", 400},
      {"conflict", 409},
      {"db_busy", 503},
      {"db_unreachable", 503},
  }};
  for (const auto& [c, s] : kStatus) {
    if (c == code) return s;
  }
  return 500;
}

Response error_for(const Error& error) {
  int status = status_for(error.code);
  if (error.code.rfind("db_", 0) == 0 || error.code == "io_error" || error.code == "unavailable") {
    Response r =
        error.code == "unavailable"
            ? error_response(503, "unavailable", error.message)
            : error_response(503, "unavailable", "the database cannot be reached; try again");
    r.header("Retry-After", "1");
    return r;
  }
  if (status == 500) return error_response(500, "internal", error.message);
  return error_response(status, error.code, error.message);
}

int take_tokens(RateLimiter& per_session, RateLimiter& per_address, const Exchange& ex) {
  auto now = RateLimiter::Clock::now();
  int wait = per_address.take(ex.address, now);
  if (wait) return wait;
  return per_session.take(ex.session, now);
}

void Dispatcher::handle(Request&& request, Responder respond) {
  auto started = Clock::now();
  Env& env = state_->env;

  std::size_t route_index = kStaticRoute;
  const Route* route = nullptr;
  bool path_known = false;
  for (std::size_t i = 0; i < kRoutes.size(); ++i) {
    const auto& r = kRoutes[i];
    bool match = r.prefix ? request.path.starts_with(r.path) : request.path == r.path;
    if (!match) continue;
    path_known = true;
    if (r.methods & method_bit(request.method)) {
      route = &r;
      route_index = i;
      break;
    }
  }
  bool api = request.path.starts_with("/api/") || request.path == "/api";
  bool media = request.path.starts_with("/media/") || request.path == "/media";
  if (!route && !path_known && (api || media)) route_index = kUnknownApiRoute;

  bool wants_session = route ? route->session : !api && !media;
  std::optional<Session> fresh;
  Exchange ex;
  ex.address = client_address(request, env.options.trust_forwarded_for);
  if (wants_session) {
    std::optional<Session> known;
    if (auto value = find_cookie(request.cookie, kSessionCookie)) {
      known = state_->sessions.verify(*value);
    }
    if (!known) {
      fresh = state_->sessions.mint();
      known = fresh;
    }
    ex.session = known->id;
  }

  // Everything answered from here on goes through `finish`: headers, cookie, metrics.
  auto finish = [&env, route_index, started, fresh, secure = env.options.secure_cookies,
                 respond = std::move(respond)](Response&& r) {
    if (fresh) r.header("Set-Cookie", session_set_cookie(*fresh, secure));
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    env.metrics.observe(route_index, r.status, seconds);
    respond(std::move(r));
  };

  if (!route) {
    if (path_known) {
      Response r = error_response(405, "method_not_allowed", "this path does not take that method");
      r.header("Allow", allow_header(request.path));
      return finish(std::move(r));
    }
    if (api || media) return finish(error_response(404, "not_found", "no such endpoint"));
    if (request.method != Method::Get && request.method != Method::Head) {
      Response r = error_response(405, "method_not_allowed", "pages are read with GET");
      r.header("Allow", "GET, HEAD");
      return finish(std::move(r));
    }
    return finish(env.static_files.serve(request));
  }

  if (route->admin) {
    if (env.options.admin_token.empty()) {
      return finish(error_response(404, "admin_disabled",
                                   "administration is off: no admin token is configured"));
    }
    std::string_view auth(request.authorization);
    constexpr std::string_view kBearer = "Bearer ";
    if (!auth.starts_with(kBearer) ||
        !token_matches(auth.substr(kBearer.size()), env.options.admin_token)) {
      Response r = error_response(401, "unauthorized", "a valid admin bearer token is required");
      r.header("WWW-Authenticate", "Bearer");
      return finish(std::move(r));
    }
  }

  if (changes_state(request.method)) {
    if (request.sec_fetch_site == "cross-site" ||
        (!request.origin.empty() && !same_origin(request.origin, request.host))) {
      return finish(error_response(403, "cross_site", "cross-site requests are refused"));
    }
    if (!json_content_type(request.content_type)) {
      return finish(error_response(415, "unsupported_media_type",
                                   "the body must be JSON (Content-Type: application/json)"));
    }
  }

  ex.request = std::move(request);
  Endpoint endpoint = route->endpoint;
  Responder done = std::move(finish);
  if (!route->blocking) return run_endpoint(endpoint, env, ex, done);
  env.blocking.post([&env, endpoint, ex = std::move(ex), done = std::move(done)]() mutable {
    run_endpoint(endpoint, env, ex, done);
  });
}

}  // namespace paddock::http
