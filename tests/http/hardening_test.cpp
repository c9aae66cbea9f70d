// The server's defences against abusive clients (docs/security.md, "Hardening"), each tried
// against the real server on loopback.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api.hpp"
#include "expect_error.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Hardening : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    server_ = std::make_unique<PaddockServer>(arena_.server_options(std::move(extra)));
  }
  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

std::string chunked_post_head() {
  return "POST /api/battles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n";
}

TEST_F(Hardening, AChunkedBodyBeyondTheBodyLimitIsTooLarge) {
  start();
  auto c = server_->client();
  // 70 chunks of 1 KiB: more than the 64 KiB limit a Content-Length body has.
  std::string chunk = "400\r\n" + std::string(1024, ' ') + "\r\n";
  std::string raw = chunked_post_head();
  for (int i = 0; i < 70; ++i) raw += chunk;
  raw += "0\r\n\r\n";
  c.send_raw(raw);
  auto r = c.read_response();
  expect_error(r, 413, "body_too_large");
  EXPECT_NE(r.body.find("65536-byte limit"), std::string::npos) << r.body;
}

TEST_F(Hardening, AnEndlessChunkHeaderIsRefusedOnceItPassesTheLimits) {
  start();
  auto c = server_->client();
  // A chunk extension that never ends is not body, so the body limit alone never stops it:
  // the bytes read for one request are bounded too (headers + body limits). Without that
  // bound the server reads on until its deadline and never answers.
  std::string raw = chunked_post_head() + "1;ext=" + std::string(1024 * 1024, 'a');
  c.send_raw(raw);
  auto r = c.read_response();
  expect_error(r, 413, "body_too_large");
}

// An answer, or nullopt if the server closed or reset the connection instead.
std::optional<HttpResponse> try_get(HttpClient& c, std::string_view target) {
  try {
    return c.get(target);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TEST_F(Hardening, ConnectionsBeyondTheCapAreRefusedUntilOneCloses) {
  start({"--max-connections", "3"});
  std::vector<HttpClient> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(server_->client());
    ASSERT_EQ(open.back().get("/healthz").status, 200);  // kept alive
  }
  auto extra = server_->client();
  extra.set_retry(false);
  auto refused = try_get(extra, "/healthz");
  // A 503 naming the reason, or a closed connection if the reset beat it: never served.
  if (refused) expect_error(*refused, 503, "unavailable");

  open.front().disconnect();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {  // the server notices the close at once
    auto again = server_->client();
    again.set_retry(false);
    auto r = try_get(again, "/healthz");
    served = r && r->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
  // The others stay served (the first one is closed; asking on it would reconnect, and that
  // may race the server's noticing that `again` closed).
  for (std::size_t i = 1; i < open.size(); ++i) EXPECT_EQ(open[i].get("/healthz").status, 200);
}

// CPU time (user + system) the process has used, from /proc/<pid>/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
  }
  return std::chrono::milliseconds(ticks * 1000 / sysconf(_SC_CLK_TCK));
}

int open_descriptors(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

TEST_F(Hardening, OutOfDescriptorsTheAcceptLoopBacksOffAndRecovers) {
#if defined(__SANITIZE_ADDRESS__)
  // UBSan's vptr check tests that a vtable is readable through a pipe of its own; with every
  // descriptor taken that fails, so it reports valid objects as having an invalid vptr and
  // stops the server, wherever the next virtual call happens to be. The optimized build runs
  // this test.
  GTEST_SKIP() << "the sanitizers' runtime needs descriptors this test takes away";
#endif
  // Find out what the idle server holds, then start one that has room for two connections.
  // More I/O threads than this machine's cores: each one's poller must exist before the
  // descriptors run out (a lane that made its poller lazily once ended the server here).
  start({"--threads", "8"});
  int idle = open_descriptors(server_->pid());
  server_.reset();
  auto options = arena_.server_options({"--threads", "8"});
  options.open_files_limit = static_cast<unsigned long>(idle + 2);
  server_ = std::make_unique<PaddockServer>(options);
  ASSERT_LE(open_descriptors(server_->pid()), idle + 2);

  // Connections beyond the limit wait in the listen queue; the server cannot take them.
  std::vector<HttpClient> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(server_->client());
    clients.back().set_retry(false);
    clients.back().set_timeout(std::chrono::milliseconds(2000));
    clients.back().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // settle into EMFILE
  auto before = cpu_time(server_->pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto spent = cpu_time(server_->pid()) - before;
  // A busy retry loop burns a core (1500 ms here); backing off costs next to nothing.
  EXPECT_LT(spent.count(), 300) << server_->log();
  EXPECT_NE(server_->log_with("cannot accept connections").find("cannot accept connections"),
            std::string::npos);

  // Closing the served ones frees descriptors: every waiting request gets its answer.
  int answered = 0;
  for (auto& c : clients) {
    try {
      if (c.read_response().status == 200) ++answered;
    } catch (const std::exception&) {
    }
    c.disconnect();
  }
  EXPECT_GE(answered, 1) << server_->log();
  auto fresh = server_->client();
  EXPECT_EQ(fresh.get("/healthz").status, 200);
  // The log line is written before the answer, but this process's reader thread copies it
  // from the pipe in its own time: wait for it.
  EXPECT_NE(server_->log_with("accepting connections again").find("accepting connections again"),
            std::string::npos)
      << server_->log();
}

TEST_F(Hardening, AShortAdminTokenKeepsTheServerFromStarting) {
  auto options = arena_.server_options({"--admin-token", "short-secret-token"});
  try {
    PaddockServer server(options);
    FAIL() << "the server started with a short admin token";
  } catch (const std::runtime_error& e) {
    std::string log = e.what();
    EXPECT_NE(log.find("admin token is too short"), std::string::npos) << log;
    EXPECT_EQ(log.find("short-secret-token"), std::string::npos) << log;  // never shown
  }
}

TEST_F(Hardening, WrongAdminTokensAreThrottledAndAdminActionsLoggedWithoutTheToken) {
  start();
  auto c = server_->client();
  auto bearer = [](const std::string& token) {
    return Headers{{"Authorization", "Bearer " + token}};
  };
  EXPECT_EQ(c.get("/api/admin/stats?x=1", bearer(kAdminToken)).status, 200);
  for (int i = 0; i < 10; ++i) {
    expect_error(c.get("/api/admin/stats", bearer("guess-" + std::to_string(i))), 401,
                 "unauthorized");
  }
  // The eleventh try within the minute is refused before the token is looked at: even the
  // right one gets no answer, so guessing cannot go faster than the limit.
  auto throttled = c.get("/api/admin/stats", bearer(kAdminToken));
  expect_error(throttled, 429, "rate_limited");
  EXPECT_TRUE(throttled.header("Retry-After"));

  auto log = server_->log_with("refused, wrong or missing token");
  EXPECT_NE(log.find("admin GET /api/admin/stats query \"x=1\""), std::string::npos) << log;
  EXPECT_NE(log.find("refused, wrong or missing token"), std::string::npos) << log;
  EXPECT_EQ(log.find(kAdminToken), std::string::npos) << log;
  EXPECT_EQ(log.find("guess-3"), std::string::npos) << log;
}

TEST_F(Hardening, ErrorMessagesQuoteOnlyAShortPrintableExcerptOfTheInput) {
  start();
  auto c = server_->client();
  std::string track = "<script>\x01" + std::string(5000, 'x');
  auto r = c.post_json("/api/battles", json{{"track", track}}.dump());
  expect_error(r, 404, "unknown_track");
  auto message = body_json(r)["error"]["message"].get<std::string>();
  EXPECT_LT(message.size(), 100u) << message;
  EXPECT_NE(message.find("\\x01"), std::string::npos) << message;
  EXPECT_EQ(message.find('\x01'), std::string::npos) << message;
}

Headers forwarded(const std::string& value) {
  return {{"X-Forwarded-For", value}};
}

// The address the server recorded for the last vote (admin vote list).
std::string recorded_address(HttpClient& c) {
  auto votes = body_json(c.get("/api/admin/votes?limit=1000",
                               {{"Authorization", std::string("Bearer ") + kAdminToken}}))
                   .at("votes");
  return votes.empty() ? "" : votes.back().at("address").get<std::string>();
}

std::string vote_from(HttpClient& c, const std::string& xff) {
  auto b = c.post_json("/api/battles", R"({"track":"t2v"})", forwarded(xff));
  if (b.status != 201) return "battle " + std::to_string(b.status);
  auto ticket = body_json(b).at("ticket").get<std::string>();
  auto v = c.post_json("/api/votes", json{{"ticket", ticket}, {"choice", "left"}}.dump(),
                       forwarded(xff));
  if (v.status != 201) return "vote " + std::to_string(v.status) + " " + v.body;
  return recorded_address(c);
}

TEST_F(Hardening, ForwardedForIsReadFromTheRightAndOnlyAsTrustedProxiesWroteIt) {
  start({"--trust-forwarded-for", "--trusted-proxy", "127.0.0.0/8"});
  auto c = server_->client();
  // The loopback proxy appended the address it saw; the client's own entry is ignored.
  EXPECT_EQ(vote_from(c, "6.6.6.6, 203.0.113.5"), "203.0.113.5");
  // Every header line counts, in order.
  auto b = c.post_json("/api/battles", R"({"track":"t2v"})",
                       {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.7"}});
  ASSERT_EQ(b.status, 201);
  auto v = c.post_json("/api/votes",
                       json{{"ticket", body_json(b).at("ticket")}, {"choice", "left"}}.dump(),
                       {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.7"}});
  ASSERT_EQ(v.status, 201) << v.body;
  EXPECT_EQ(recorded_address(c), "198.51.100.7");
  // Garbage (not UTF-8, not an address) is never taken: the proxy's own address is.
  EXPECT_EQ(vote_from(c, "203.0.113.5, \xff\xfe<x>"), "127.0.0.1");
  // And the battle recorder is not blocked by it: battles keep being recorded.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(vote_from(c, "\xc3\x28"), "127.0.0.1");
  EXPECT_EQ(server_->log().find("will retry"), std::string::npos) << server_->log();
}

TEST_F(Hardening, ForwardedForFromAnUntrustedPeerIsIgnored) {
  start({"--trust-forwarded-for", "--trusted-proxy", "10.0.0.0/8"});
  auto c = server_->client();
  EXPECT_EQ(vote_from(c, "203.0.113.5"), "127.0.0.1");  // 127.0.0.1 is not a trusted proxy
}

TEST_F(Hardening, AddressLimitsCountAnIpv6SlashSixtyFourAsOneClient) {
  start({"--trust-forwarded-for", "--address-battles-per-minute", "3"});
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    HttpClient fresh("127.0.0.1", server_->port());  // a new session each time
    // A new address each time, all in one /64.
    auto r = fresh.post_json("/api/battles", R"({"track":"t2v"})",
                             forwarded("2001:db8:1:2::" + std::to_string(i + 1)));
    if (r.status == 429) ++refused;
  }
  EXPECT_EQ(refused, 3);
  // Another /64 has its own allowance.
  HttpClient other("127.0.0.1", server_->port());
  EXPECT_EQ(
      other.post_json("/api/battles", R"({"track":"t2v"})", forwarded("2001:db8:1:3::1")).status,
      201);
}

TEST_F(Hardening, AVoteBeforeTheClipsCouldHaveBeenWatchedIsTooEarly) {
  // The test clips last 1 s; three times that is the minimum, so the vote sent at once is
  // early even if this process stalls for a second or two between the battle and the vote.
  start({"--min-watch-fraction", "3"});
  auto c = server_->client();
  auto b = new_battle(c);
  auto early = cast_vote(c, b.ticket, "left");
  expect_error(early, 409, "too_early");
  EXPECT_NE(body_json(early)["error"]["message"].get<std::string>().find("at least 3000 ms"),
            std::string::npos)
      << early.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(cast_vote(c, b.ticket, "left").status, 201);  // the same ticket, once watched
}

}  // namespace
}  // namespace paddock::testing
