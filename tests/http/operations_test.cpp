// What every response carries (security headers, the session cookie), the front end's
// files, /healthz, /metrics, /api/config and a clean SIGTERM.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "api.hpp"
#include "paddock_server.hpp"
#include "store/open_store.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Operations : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<PaddockServer>(arena_.server_options()); }

  static void expect_security_headers(const HttpResponse& r, const std::string& what) {
    auto csp = r.header("Content-Security-Policy");
    ASSERT_TRUE(csp) << what;
    EXPECT_NE(csp->find("default-src 'self'"), std::string::npos) << what;
    EXPECT_NE(csp->find("frame-ancestors 'none'"), std::string::npos) << what;
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer") << what;
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY") << what;
    EXPECT_EQ(r.header("Cross-Origin-Opener-Policy"), "same-origin") << what;
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(Operations, EveryResponseCarriesTheSecurityHeaders) {
  auto c = server_->client();
  auto b = new_battle(c);
  expect_security_headers(b.response, "a battle");
  expect_security_headers(cast_vote(c, "bad", "left"), "a refused vote");
  expect_security_headers(c.get("/"), "the front page");
  expect_security_headers(c.get("/missing.js"), "a missing file");
  expect_security_headers(c.get(b.left_url, {{"Range", "bytes=0-9"}}), "a clip range");
  expect_security_headers(c.get("/metrics"), "metrics");
  expect_security_headers(c.get("/healthz"), "health");
  expect_security_headers(c.get("/api/nothing"), "an unknown endpoint");
  c.send_raw("GARBAGE\r\n\r\n");
  expect_security_headers(c.read_response(), "a malformed request");
}

TEST_F(Operations, SessionsComeInAnHttpOnlyStrictCookie) {
  HttpClient c("127.0.0.1", server_->port());
  auto first = c.get("/api/config");
  auto cookie = first.header("Set-Cookie");
  ASSERT_TRUE(cookie);
  EXPECT_TRUE(cookie->starts_with("paddock_session="));
  EXPECT_NE(cookie->find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie->find("Path=/"), std::string::npos);
  EXPECT_EQ(cookie->find("Secure"), std::string::npos);
  EXPECT_FALSE(c.get("/api/config").header("Set-Cookie"));  // known session: no new cookie
  c.set_session_cookie("paddock_session=invented");
  EXPECT_TRUE(c.get("/api/config").header("Set-Cookie"));  // invented session: replaced

  TestArena other;
  PaddockServer secure(other.server_options({"--secure-cookies"}));
  auto s = secure.client().get("/api/config");
  EXPECT_NE(s.header("Set-Cookie")->find("; Secure"), std::string::npos);
}

TEST_F(Operations, ServesTheFrontEnd) {
  auto c = server_->client();
  auto index = c.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("Cache-Control"), "no-cache");
  auto page = c.get("/leaderboard/t2v");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, index.body);
  // Asked for by name, index.html is still the page: never stale (docs/http-api.md).
  EXPECT_EQ(c.get("/index.html").header("Cache-Control"), "no-cache");
  auto script = c.get("/assets/app-1a2b3c.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(c.get("/assets/app-1a2b3c.js", {{"If-None-Match", *script.header("ETag")}}).status,
            304);
  EXPECT_EQ(c.get("/missing.js").status, 404);
  EXPECT_EQ(c.request("POST", "/", {{"Content-Type", "application/json"}}, "{}").status, 405);
}

// docs/security.md: API answers are no-store, except the public boards, which a client
// revalidates every time (no-cache, with an ETag) instead of fetching them again.
TEST_F(Operations, ApiAnswersAreNotStoredExceptThePublicBoardsWhichAreRevalidated) {
  auto c = server_->client();
  for (const char* path : {"/api/config", "/api/tracks", "/api/leaderboard?track=nope",
                           "/api/votes/export?track=t2v"}) {
    EXPECT_EQ(c.get(path).header("Cache-Control"), "no-store") << path;
  }
  wait_for_board(c, "track=t2v", 0);
  auto r = c.get("/api/leaderboard?track=t2v");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
  ASSERT_TRUE(r.header("ETag"));
  EXPECT_EQ(c.get("/api/leaderboard?track=t2v", {{"If-None-Match", *r.header("ETag")}}).status,
            304);
  for (int i = 0; i < 100; ++i) {
    r = c.get("/api/leaderboard/history?track=t2v");
    if (r.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
}

// The nice value of each of the process's threads, by thread name, from /proc.
std::map<std::string, std::set<long>> nice_by_thread_name(pid_t pid) {
  const std::filesystem::path tasks = std::filesystem::path("/proc") / std::to_string(pid) / "task";
  std::map<std::string, std::set<long>> nice_of;
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // pid (comm) state ppid ... : field 19 is nice, counted after the closing parenthesis.
    const auto open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    for (int i = 3; i < 19 && rest >> field; ++i) {
    }
    long nice = 0;
    rest >> nice;
    nice_of[text.substr(open + 1, close - open - 1)].insert(nice);
  }
  return nice_of;
}

// docs/running.md: the background threads run at nice +10, the threads a vote waits on at
// the server's own priority. Read from /proc, per thread name.
TEST_F(Operations, BackgroundThreadsRunAtALowerPriority) {
  const char* const background[] = {"paddock-battles", "paddock-boards", "paddock-watch"};
  const char* const foreground[] = {"paddock-io", "paddock-ckpt", "paddock-work"};
  // Each thread names itself and sets its priority when it first runs, which may be a little
  // after the server says it is listening: look again until every one has.
  std::map<std::string, std::set<long>> nice_of;
  const auto settled = [&] {
    if (!nice_of.contains("paddock-votes")) return false;
    const long base = *nice_of.at("paddock-votes").begin();
    const auto is = [&](const char* name, long nice) {
      const auto it = nice_of.find(name);
      return it != nice_of.end() && it->second == std::set<long>{nice};
    };
    return std::all_of(std::begin(background), std::end(background),
                       [&](const char* name) { return is(name, std::min(base + 10, 19L)); }) &&
           std::all_of(std::begin(foreground), std::end(foreground),
                       [&](const char* name) { return is(name, base); });
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    nice_of = nice_by_thread_name(server_->pid());
    if (settled() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(nice_of.contains("paddock-votes"));
  const long base = *nice_of.at("paddock-votes").begin();
  for (const char* name : background) {
    ASSERT_TRUE(nice_of.contains(name)) << name;
    EXPECT_EQ(nice_of.at(name), (std::set<long>{std::min(base + 10, 19L)})) << name;
  }
  for (const char* name : foreground) {
    ASSERT_TRUE(nice_of.contains(name)) << name;
    EXPECT_EQ(nice_of.at(name), std::set<long>{base}) << name;
  }
}

TEST_F(Operations, SendsTheGzippedCopyOfAnAssetToClientsThatAcceptGzip) {
  auto c = server_->client();
  auto plain = c.get("/assets/app-1a2b3c.js");
  EXPECT_EQ(plain.body, "console.log('paddock');\n");
  EXPECT_FALSE(plain.header("Content-Encoding"));
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");

  auto gzipped = c.get("/assets/app-1a2b3c.js", {{"Accept-Encoding", "br, GZIP;q=0.8"}});
  EXPECT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.body, "gzip'd copy of app-1a2b3c.js");
  EXPECT_EQ(gzipped.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gzipped.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(gzipped.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(gzipped.header("ETag"), plain.header("ETag"));  // caches keep both apart
  EXPECT_EQ(c.get("/assets/app-1a2b3c.js",
                  {{"Accept-Encoding", "gzip"}, {"If-None-Match", *gzipped.header("ETag")}})
                .status,
            304);

  // Refused gzip, and ranges, get the original bytes.
  EXPECT_EQ(c.get("/assets/app-1a2b3c.js", {{"Accept-Encoding", "gzip;q=0, *"}}).body, plain.body);
  EXPECT_EQ(c.get("/assets/app-1a2b3c.js", {{"Accept-Encoding", "*;q=0"}}).body, plain.body);
  auto range =
      c.get("/assets/app-1a2b3c.js", {{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-6"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, "console");
  // An HTML page without a copy is sent as it is.
  EXPECT_FALSE(c.get("/", {{"Accept-Encoding", "gzip"}}).header("Content-Encoding"));
}

TEST_F(Operations, ConfigTellsThePagesWhatTheyNeed) {
  auto c = server_->client();
  auto j = body_json(c.get("/api/config"));
  EXPECT_EQ(j.at("unlock"), "played_once");
  EXPECT_EQ(j.at("min_votes"), 50);
  EXPECT_EQ(j.at("demo"), false);
  EXPECT_EQ(j.at("version"), "0.1.0");
}

TEST_F(Operations, HealthAndMetrics) {
  auto c = server_->client();
  auto health = c.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(body_json(health), json({{"status", "ok"}, {"db", "ok"}}));
  auto b = new_battle(c);
  ASSERT_EQ(cast_vote(c, b.ticket, "left").status, 201);
  cast_vote(c, b.ticket, "left");  // already_voted
  cast_vote(c, "forged", "left");  // bad_ticket
  auto m = c.get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_TRUE(m.header("Content-Type")->starts_with("text/plain; version=0.0.4"));
  for (const char* line :
       {"paddock_http_requests_total{route=\"/api/battles\",status=\"201\"} 1",
        "paddock_http_requests_total{route=\"/api/votes\",status=\"409\"} 1",
        "paddock_http_request_duration_seconds_bucket{route=\"/api/votes\",le=\"+Inf\"} 3",
        "paddock_http_request_duration_seconds_count{route=\"/api/battles\"} 1",
        "paddock_battles_issued_total 1", "paddock_votes_stored_total 1",
        "paddock_votes_refused_total{code=\"already_voted\"} 1",
        "paddock_votes_refused_total{code=\"bad_ticket\"} 1"}) {
    EXPECT_NE(m.body.find(line), std::string::npos) << line << "\n" << m.body;
  }
}

TEST_F(Operations, SigtermStopsCleanly) {
  auto c = server_->client();
  auto b = new_battle(c);
  ASSERT_EQ(cast_vote(c, b.ticket, "left").status, 201);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->stop(), 0) << server_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(1)));
  EXPECT_NE(server_->log().find("draining"), std::string::npos) << server_->log();
  EXPECT_NE(server_->log().find("the database is closed"), std::string::npos) << server_->log();
}

TEST_F(Operations, SigtermWhileVotesFlowAnswersWhatItTookAndLosesNothing) {
  const uint16_t port = server_->port();
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<int64_t> acknowledged;
  std::vector<int> statuses;
  std::vector<std::thread> voters;
  for (int t = 0; t < 4; ++t) {
    voters.emplace_back([&] {
      try {
        HttpClient c("127.0.0.1", port);
        c.set_retry(false);
        while (!stop.load()) {
          auto b = new_battle(c);
          auto r = cast_vote(c, b.ticket, "left");
          std::lock_guard lock(mutex);
          statuses.push_back(r.status);
          if (r.status == 201) acknowledged.push_back(body_json(r).at("vote_id"));
        }
      } catch (const std::exception&) {
        // The connection was closed between two requests: the server is going away.
      }
    });
  }
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 100) break;
  }
  EXPECT_EQ(server_->stop(), 0) << server_->log();
  stop = true;
  for (auto& v : voters) v.join();
  ASSERT_GE(acknowledged.size(), 20u);
  // Every answer was a vote stored or a refusal that says to retry; nothing broke.
  for (int status : statuses) EXPECT_TRUE(status == 201 || status == 503) << status;
  auto store = store::open_store(arena_.db().string(), {.create_if_missing = false});
  ASSERT_TRUE(store) << store.error().message;
  auto votes = (*store)->list_votes({});
  ASSERT_TRUE(votes);
  std::set<int64_t> stored;
  for (const auto& v : *votes) stored.insert(v.id);
  for (int64_t id : acknowledged) EXPECT_TRUE(stored.count(id)) << "vote " << id << " was lost";
  EXPECT_NE(server_->log().find("the database is closed"), std::string::npos) << server_->log();
}

TEST_F(Operations, ABadConfigurationIsRefusedWithItsSource) {
  TestArena other;
  auto options = other.server_options({"--listen", "nowhere"});
  EXPECT_THROW(PaddockServer s(options), std::runtime_error);
}

}  // namespace
}  // namespace paddock::testing
