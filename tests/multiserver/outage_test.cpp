// While the database is down a server says so: /healthz answers 503, a vote is refused with
// 503 "unavailable" (and is not stored), the log says what failed; when the database is
// back, the same server recovers without a restart.

#include <gtest/gtest.h>

#include <thread>

#include "api.hpp"
#include "paddock_server.hpp"
#include "postgres_arena.hpp"
#include "store/testing/postgres_cluster.hpp"

namespace paddock::testing {
namespace {

using store::test_support::shared_postgres_cluster;

// Polls GET /healthz until it answers `status` (or 20 s pass); returns the last answer.
HttpResponse wait_for_health(HttpClient& c, int status) {
  HttpResponse r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    r = c.get("/healthz");
    if (r.status == status) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return r;
}

// Brings the shared cluster back even when an assertion ends the test early.
struct RestartOnExit {
  ~RestartOnExit() {
    if (stopped) (void)shared_postgres_cluster().start_server();
  }
  bool stopped = false;
};

TEST(DatabaseOutage, TheServerReportsTheOutageAndAcknowledgesNothingItDidNotStore) {
  PostgresArena arena;
  PaddockServer a(arena.server_options());
  PaddockServer b(arena.server_options());
  auto c = a.client();
  auto before = new_battle(c);
  auto stored = cast_vote(c, before.ticket, "left");
  ASSERT_EQ(stored.status, 201) << stored.body;
  const int64_t first_id = body_json(stored).at("vote_id").get<int64_t>();
  wait_for_board(c, "track=t2v", first_id);
  auto pending = new_battle(c);
  EXPECT_EQ(wait_for_health(c, 200).status, 200);

  RestartOnExit guard;
  ASSERT_TRUE(shared_postgres_cluster().stop());
  guard.stopped = true;

  for (PaddockServer* s : {&a, &b}) {
    auto h = s->client();
    auto health = h.get("/healthz");
    EXPECT_EQ(health.status, 503) << health.body;
    EXPECT_EQ(body_json(health), json({{"status", "unavailable"}, {"db", "unreachable"}}));
  }
  // A vote cannot be stored, so it is refused, whichever server takes it.
  auto refused = cast_vote(c, pending.ticket, "right");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(body_json(refused).at("error").at("code"), "unavailable");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  auto on_b = b.client();
  on_b.set_session_cookie(c.session_cookie());
  EXPECT_EQ(cast_vote(on_b, pending.ticket, "right").status, 503);
  // What needs no database keeps working: boards from memory, battles (recorded later).
  auto board = c.get("/api/leaderboard?track=t2v");
  EXPECT_EQ(board.status, 200);
  EXPECT_EQ(body_json(board).at("last_vote_id"), first_id);
  auto during = new_battle(c);
  // What needs the database says so.
  const Headers admin{{"Authorization", std::string("Bearer ") + kAdminToken}};
  for (const char* target : {"/api/admin/stats", "/api/admin/votes", "/api/votes/export"}) {
    auto r = c.get(target, admin);
    EXPECT_EQ(r.status, 503) << target << ": " << r.body;
    if (r.status == 503) {
      EXPECT_EQ(body_json(r).at("error").at("code"), "unavailable") << target;
    }
  }
  EXPECT_NE(a.log().find("storing 1 votes failed"), std::string::npos) << a.log();
  EXPECT_NE(a.log().find("cannot reach PostgreSQL"), std::string::npos) << a.log();
  auto metrics = c.get("/metrics").body;
  EXPECT_NE(metrics.find("paddock_vote_commit_failed_votes_total 1\n"), std::string::npos)
      << metrics;

  ASSERT_TRUE(shared_postgres_cluster().start_server());
  guard.stopped = false;

  // Both servers recover on their own.
  EXPECT_EQ(wait_for_health(c, 200).status, 200);
  EXPECT_EQ(wait_for_health(on_b, 200).status, 200);
  auto votes = stored_votes(arena.url());
  ASSERT_EQ(votes.size(), 1u) << "a refused vote was stored";
  auto retried = cast_vote(on_b, pending.ticket, "right");
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(cast_vote(c, during.ticket, "tie").status, 201);
  votes = stored_votes(arena.url());
  ASSERT_EQ(votes.size(), 3u);
  EXPECT_EQ(votes[1].choice, store::Choice::Right);
  // The battles issued during the outage reach the database once it is back.
  auto db = arena.open();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int64_t battles = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto counts = db->counts();
    ASSERT_TRUE(counts) << counts.error().message;
    battles = counts->battles;
    if (battles >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(battles, 3);
}

}  // namespace
}  // namespace paddock::testing
