// A vote answered with success survives: a clean restart loses nothing, and after kill -9
// while votes are flowing every acknowledged vote is in the database exactly once.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api.hpp"
#include "paddock_server.hpp"
#include "store/records.hpp"
#include "store/testing/stored_votes.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

using store::test_support::expect_stored_once;
using store::test_support::stored_votes;

Headers admin() {
  return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

TEST(Durability, ARestartLosesNothing) {
  TestArena arena;
  int64_t last = 0;
  std::string pending_ticket, cookie;
  {
    PaddockServer server(arena.server_options());
    auto c = server.client();
    for (int i = 0; i < 50; ++i) {
      auto b = new_battle(c);
      last = body_json(cast_vote(c, b.ticket, "left")).at("vote_id");
    }
    pending_ticket = new_battle(c).ticket;  // issued, not yet voted on
    cookie = c.session_cookie();
    wait_for_board(c, "track=t2v", last);
    EXPECT_EQ(server.stop(), 0) << server.log();
    EXPECT_NE(server.log().find("the database is closed"), std::string::npos) << server.log();
  }
  PaddockServer server(arena.server_options());
  auto c = server.client();
  auto stats = body_json(c.get("/api/admin/stats", admin()));
  EXPECT_EQ(stats.at("votes"), 50);
  EXPECT_EQ(stats.at("battles"), 51);  // every issued battle was written on the way down
  auto board = wait_for_board(c, "track=t2v", last);
  EXPECT_EQ(board.at("votes"), 50);
  // The ticket key lives in the database: a battle from before the restart can be voted on.
  c.set_session_cookie(cookie);
  auto r = cast_vote(c, pending_ticket, "right");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST(Durability, EveryAcknowledgedVoteSurvivesKill9ExactlyOnce) {
  TestArena arena;
  auto server = std::make_unique<PaddockServer>(arena.server_options());
  const uint16_t port = server->port();
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<int64_t, std::string> acknowledged;  // vote id -> the ticket voted with
  std::atomic<int> failures{0};

  std::vector<std::thread> voters;
  for (int t = 0; t < 6; ++t) {
    voters.emplace_back([&, t] {
      try {
        HttpClient c("127.0.0.1", port);
        c.set_retry(false);
        c.set_timeout(std::chrono::seconds(5));
        while (!stop.load()) {
          auto b = new_battle(c);
          auto r = cast_vote(c, b.ticket, t % 2 ? "left" : "tie");
          if (r.status != 201) {
            ++failures;
            continue;
          }
          std::lock_guard lock(mutex);
          acknowledged.emplace(body_json(r).at("vote_id").get<int64_t>(), b.ticket);
        }
      } catch (const std::exception&) {
        // The server died under us: whatever was not answered was not acknowledged.
      }
    });
  }
  // Let votes flow, then kill the server in the middle of it.
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 300) break;
  }
  server->kill();
  stop = true;
  for (auto& v : voters) v.join();
  ASSERT_GT(acknowledged.size(), 50u) << "too few votes flowed before the kill";
  EXPECT_EQ(failures.load(), 0);

  auto votes = stored_votes(arena.db().string());
  std::set<int64_t> seen_ids;
  for (const auto& [battle, id] : expect_stored_once(votes)) {
    seen_ids.insert(id);
  }
  for (const auto& [id, ticket] : acknowledged) {
    EXPECT_EQ(seen_ids.count(id), 1u) << "acknowledged vote " << id << " was lost";
  }
  EXPECT_GE(votes.size(), acknowledged.size());

  // The database opens again and the server serves it.
  PaddockServer again(arena.server_options());
  auto c = again.client();
  EXPECT_EQ(c.get("/healthz").status, 200);
  auto board = wait_for_board(c, "track=t2v", acknowledged.rbegin()->first);
  EXPECT_EQ(board.at("votes").get<std::size_t>(), votes.size());
}

}  // namespace
}  // namespace paddock::testing
