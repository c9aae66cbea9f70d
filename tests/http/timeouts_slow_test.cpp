// The fixed connection limits of docs/http-api.md, on the real server with its real values:
// a connection idle for 30 s is closed, and so is one whose request headers take longer
// than 10 s. Slow by nature (about 31 s): ctest label "slow".

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "api.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Seconds until the server closes `c` (waits up to `limit`; returns `limit` if it never does).
double seconds_until_closed(HttpClient& c, Clock::time_point since, std::chrono::seconds limit) {
  while (Clock::now() - since < limit) {
    if (c.closed_by_peer(std::chrono::milliseconds(200))) {
      return std::chrono::duration<double>(Clock::now() - since).count();
    }
  }
  return static_cast<double>(limit.count());
}

TEST(Timeouts, IdleAndSlowConnectionsAreClosedAfterTheDocumentedLimits) {
  TestArena arena;
  PaddockServer server(arena.server_options());

  auto idle = std::async(std::launch::async, [&] {
    auto c = server.client();
    c.set_retry(false);
    EXPECT_EQ(c.get("/healthz").status, 200);
    return seconds_until_closed(c, Clock::now(), std::chrono::seconds(40));
  });
  auto slow = std::async(std::launch::async, [&] {
    auto c = server.client();
    c.send_raw("POST /api/battles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    return seconds_until_closed(c, Clock::now(), std::chrono::seconds(40));
  });
  double idle_s = idle.get();
  double slow_s = slow.get();
  EXPECT_GE(idle_s, 29.0);
  EXPECT_LE(idle_s, 33.0);
  EXPECT_GE(slow_s, 9.0);
  EXPECT_LE(slow_s, 13.0);
  // The server itself is fine.
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

}  // namespace
}  // namespace paddock::testing
