#include "http/dispatcher.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cmath>

#include "base/escaping.hpp"
#include "base/text.hpp"
#include "http/endpoints.hpp"
#include "http/responses.hpp"
#include "http/session_cookie.hpp"

namespace paddock::http {
namespace {

using Clock = std::chrono::steady_clock;

enum MethodBits : unsigned { kGet = 1, kHead = 2, kPost = 4 };

// Who a route is for: anyone; voters, whose requests carry (and may get) the session
// cookie; or administrators, who present the admin token.
enum class Caller { Anyone, Voter, Admin };
// Where an endpoint runs: on the io thread; on the work queue (exports and the voter review: long
// database reads); on the control queue (quick database calls that must answer while exports
// stream: health checks, administration); on the file queue (it opens files).
enum class RunsOn { IoThread, WorkQueue, ControlQueue, FileQueue };

struct Route {
  std::string_view path;
  bool prefix = false;  // path is a prefix ("/media/c/"), else exact
  unsigned methods = kGet | kHead;
  std::string_view label;  // metrics label
  Endpoint endpoint = nullptr;
  Caller caller = Caller::Anyone;
  RunsOn runs_on = RunsOn::IoThread;
};

void healthz_endpoint(Env& env, Exchange&, const Responder& respond) {
  if (!env.arena.ping()) {
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
    Route{.path = "/api/config",
          .label = "/api/config",
          .endpoint = config_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/tracks",
          .label = "/api/tracks",
          .endpoint = tracks_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/battles",
          .methods = kPost,
          .label = "/api/battles",
          .endpoint = battles_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/votes",
          .methods = kPost,
          .label = "/api/votes",
          .endpoint = votes_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/leaderboard",
          .label = "/api/leaderboard",
          .endpoint = leaderboard_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/leaderboard/history",
          .label = "/api/leaderboard/history",
          .endpoint = history_endpoint,
          .caller = Caller::Voter},
    Route{.path = "/api/changes",
          .label = "/api/changes",
          .endpoint = changes_endpoint,
          .caller = Caller::Voter,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/votes/export",
          .label = "/api/votes/export",
          .endpoint = public_export_endpoint,
          .caller = Caller::Voter,
          .runs_on = RunsOn::WorkQueue},
    Route{.path = "/api/admin/stats",
          .label = "/api/admin/stats",
          .endpoint = admin_stats_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/admin/models",
          .label = "/api/admin/models",
          .endpoint = admin_models_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/admin/models",
          .methods = kPost,
          .label = "/api/admin/models",
          .endpoint = admin_model_upsert_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/admin/votes",
          .label = "/api/admin/votes",
          .endpoint = admin_votes_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/admin/votes/void",
          .methods = kPost,
          .label = "/api/admin/votes/void",
          .endpoint = admin_void_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/api/admin/voters",
          .label = "/api/admin/voters",
          .endpoint = admin_voters_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::WorkQueue},
    Route{.path = "/api/admin/export",
          .label = "/api/admin/export",
          .endpoint = admin_export_endpoint,
          .caller = Caller::Admin,
          .runs_on = RunsOn::WorkQueue},
    Route{.path = "/media/c/",
          .prefix = true,
          .label = "/media/c",
          .endpoint = clip_media_endpoint,
          .runs_on = RunsOn::FileQueue},
    Route{.path = "/media/s/",
          .prefix = true,
          .label = "/media/s",
          .endpoint = source_media_endpoint,
          .runs_on = RunsOn::FileQueue},
    Route{.path = "/healthz",
          .label = "/healthz",
          .endpoint = healthz_endpoint,
          .runs_on = RunsOn::ControlQueue},
    Route{.path = "/metrics", .label = "/metrics", .endpoint = metrics_endpoint},
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

std::string_view method_name(const Request& r) {
  switch (r.method) {
    case Method::Get:
      return "GET";
    case Method::Head:
      return "HEAD";
    case Method::Post:
      return "POST";
    default:
      return "other";
  }
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
  static constexpr std::array<std::pair<std::string_view, int>, 29> kStatus{{
      {"bad_request", 400},
      {"bad_control", 400},
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
      {"too_early", 409},
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
  int wait = per_address.take(ex.address_key, now);
  if (wait) return wait;
  return per_session.take(ex.session, now);
}

namespace {

// The route a request asked for, if any; `path_known` when its path exists with other
// methods.
struct RouteMatch {
  const Route* route = nullptr;
  std::size_t index = kStaticRoute;  // for metrics
  bool path_known = false;
  bool api = false;  // under /api/ or /media/: never a page
};

RouteMatch match_route(const Request& request) {
  RouteMatch m;
  for (std::size_t i = 0; i < kRoutes.size(); ++i) {
    const auto& r = kRoutes[i];
    bool match = r.prefix ? request.path.starts_with(r.path) : request.path == r.path;
    if (!match) continue;
    m.path_known = true;
    if (r.methods & method_bit(request.method)) {
      m.route = &r;
      m.index = i;
      return m;
    }
  }
  m.api = request.path.starts_with("/api/") || request.path == "/api" ||
          request.path.starts_with("/media/") || request.path == "/media";
  if (!m.path_known && m.api) m.index = kUnknownApiRoute;
  return m;
}

// The answer to a request no route takes: 405 for a known path, 404 under /api/ and
// /media/, else a page (static files, GET and HEAD only).
Response answer_unrouted(Env& env, const Request& request, const RouteMatch& m) {
  if (m.path_known) {
    Response r = error_response(405, "method_not_allowed", "this path does not take that method");
    r.header("Allow", allow_header(request.path));
    return r;
  }
  if (m.api) return error_response(404, "not_found", "no such endpoint");
  if (request.method != Method::Get && request.method != Method::Head) {
    Response r = error_response(405, "method_not_allowed", "pages are read with GET");
    r.header("Allow", "GET, HEAD");
    return r;
  }
  return env.static_files.serve(request);
}

WorkQueue& queue_for(Env& env, RunsOn runs_on) {
  if (runs_on == RunsOn::ControlQueue && env.options.control_queue) {
    return *env.options.control_queue;
  }
  if (runs_on == RunsOn::FileQueue && env.options.file_queue) return *env.options.file_queue;
  return env.blocking;
}

// The refusal of an admin request without the configured token, if it is one. An address
// that failed too often is refused before its token is even compared, so guessing costs
// a minute per few tries.
std::optional<Response> refuse_unauthorized(Env& env, const Request& request, const Exchange& ex) {
  const std::string& address = ex.address;
  if (env.options.admin_token.empty()) {
    return error_response(404, "admin_disabled",
                          "administration is off: no admin token is configured");
  }
  if (int wait = env.admin_failures.wait(ex.address_key)) return rate_limited_response(wait);
  std::string_view auth(request.authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (!auth.starts_with(kBearer) ||
      !token_matches(auth.substr(kBearer.size()), env.options.admin_token)) {
    env.admin_failures.take(ex.address_key);
    spdlog::warn("admin {} {} from {}: refused, wrong or missing token", method_name(request),
                 quoted_excerpt(request.path, 80), address);
    Response r = error_response(401, "unauthorized", "a valid admin bearer token is required");
    r.header("WWW-Authenticate", "Bearer");
    return r;
  }
  // Who (the address: the token is shared, and never logged) did what.
  spdlog::info("admin {} {} query {} body {} from {}", method_name(request), request.path,
               quoted_excerpt(request.query, 200), quoted_excerpt(request.body, 200), address);
  return std::nullopt;
}

// The refusal of a state-changing request from another site or without a JSON body, if it
// is one.
std::optional<Response> refuse_cross_site_or_not_json(const Request& request) {
  if (!changes_state(request.method)) return std::nullopt;
  if (request.sec_fetch_site == "cross-site" ||
      (!request.origin.empty() && !same_origin(request.origin, request.host))) {
    return error_response(403, "cross_site", "cross-site requests are refused");
  }
  if (!json_content_type(request.content_type)) {
    return error_response(415, "unsupported_media_type",
                          "the body must be JSON (Content-Type: application/json)");
  }
  return std::nullopt;
}

// The request's session: its cookie's if valid, else a new one, returned so the answer
// sets it. `id` gets the session id either way.
std::optional<Session> session_of(const SessionCodec& sessions, const Request& request,
                                  std::string& id) {
  std::optional<Session> known;
  if (auto value = find_cookie(request.cookie, kSessionCookie)) known = sessions.verify(*value);
  std::optional<Session> fresh;
  if (!known) known = fresh = sessions.mint();
  id = known->id;
  return fresh;
}

}  // namespace

void Dispatcher::handle(Request&& request, Responder respond) {
  auto started = Clock::now();
  Env& env = state_->env;
  const RouteMatch m = match_route(request);

  // Voters' routes and pages carry the session cookie; a visitor without one gets one.
  Exchange ex;
  ex.address = client_address(request.peer_address,
                              env.options.trust_forwarded_for ? request.forwarded_for : "",
                              env.trusted_proxies);
  ex.address_key = rate_limit_key(ex.address, env.options.limits.ipv6_prefix);
  std::optional<Session> fresh;
  if (m.route ? m.route->caller == Caller::Voter : !m.api) {
    fresh = session_of(state_->sessions, request, ex.session);
  }

  // Everything answered from here on goes through `finish`: headers, cookie, metrics.
  auto finish = [&env, index = m.index, started, fresh, secure = env.options.secure_cookies,
                 respond = std::move(respond)](Response&& r) {
    if (fresh) r.header("Set-Cookie", session_set_cookie(*fresh, secure));
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    env.metrics.observe(index, r.status, seconds);
    respond(std::move(r));
  };

  if (!m.route) {
    // Pages open files: off the io thread, like media.
    return queue_for(env, RunsOn::FileQueue)
        .post([&env, request = std::move(request), m, finish = std::move(finish)]() mutable {
          finish(answer_unrouted(env, request, m));
        });
  }
  if (m.route->caller == Caller::Admin) {
    if (auto refused = refuse_unauthorized(env, request, ex)) {
      return finish(std::move(*refused));
    }
  }
  if (auto refused = refuse_cross_site_or_not_json(request)) return finish(std::move(*refused));

  ex.request = std::move(request);
  Endpoint endpoint = m.route->endpoint;
  Responder done = std::move(finish);
  if (m.route->runs_on == RunsOn::IoThread) return run_endpoint(endpoint, env, ex, done);
  queue_for(env, m.route->runs_on)
      .post([&env, endpoint, ex = std::move(ex), done = std::move(done)]() mutable {
        run_endpoint(endpoint, env, ex, done);
      });
}

}  // namespace paddock::http
