// The fault test: votes flow into two servers on one PostgreSQL database; one server is
// killed with kill -9 and the database is restarted while they flow. Clients behave like
// browsers behind a load balancer: a vote whose answer did not come (or said "unavailable")
// is sent again, to whichever server is alive, until it is acknowledged or refused as
// already voted. Afterwards every acknowledged vote is stored exactly once, no vote is
// stored twice, and nothing is stored that no client cast.

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api.hpp"
#include "paddock_server.hpp"
#include "postgres_arena.hpp"
#include "store/testing/postgres_cluster.hpp"

namespace paddock::testing {
namespace {

using Clock = std::chrono::steady_clock;

// What the clients saw, shared by their threads.
struct Tally {
  std::mutex mutex;
  std::map<int64_t, int> acknowledged;  // vote id -> how many 201s named it
  int resolved = 0;      // retries told already_voted after an attempt whose answer was lost
  int abandoned = 0;     // votes given up on with no answer (stored or not: unknown)
  int lost_answers = 0;  // attempts with no answer or 503: the reason for a retry
  std::vector<std::string> surprises;  // answers that must never happen

  std::size_t acknowledged_count() {
    std::lock_guard lock(mutex);
    return acknowledged.size();
  }
};

class Voter {
 public:
  Voter(std::array<uint16_t, 2> ports, int home, const std::array<std::atomic<bool>, 2>& alive,
        Tally& tally)
      : ports_(ports), home_(home), alive_(alive), tally_(tally) {}

  void run(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      auto ticket = battle();
      if (!ticket) continue;
      vote(*ticket);
    }
  }

 private:
  // The server for the n-th attempt: home first, then alternating, skipping a dead one.
  int server_for(int attempt) const {
    int s = attempt % 2 ? 1 - home_ : home_;
    return alive_[s].load() ? s : 1 - s;
  }

  HttpClient& client(int server) {
    if (!clients_[server]) {
      clients_[server].emplace("127.0.0.1", ports_[server]);
      clients_[server]->set_retry(false);  // a lost answer must be seen, not papered over
      clients_[server]->set_timeout(std::chrono::seconds(5));
    }
    if (!cookie_.empty()) clients_[server]->set_session_cookie(cookie_);
    return *clients_[server];
  }

  std::optional<std::string> battle() {
    int s = server_for(0);
    try {
      auto b = new_battle(client(s));
      cookie_ = client(s).session_cookie();
      return b.ticket;
    } catch (const std::exception&) {
      clients_[s].reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return std::nullopt;
    }
  }

  void vote(const std::string& ticket) {
    const char* choice = ++votes_ % 3 ? "left" : "right";
    bool answer_lost = false;
    auto give_up_at = Clock::now() + std::chrono::seconds(30);
    for (int attempt = 0; Clock::now() < give_up_at; ++attempt) {
      int s = server_for(attempt);
      HttpResponse r;
      try {
        r = cast_vote(client(s), ticket, choice);
      } catch (const std::exception&) {
        clients_[s].reset();  // no answer: the vote may or may not be stored
        answer_lost = true;
        note_lost();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (r.status == 503) {  // not stored, or its commit's outcome unknown: retry
        answer_lost = true;
        note_lost();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      std::lock_guard lock(tally_.mutex);
      if (r.status == 201) {
        ++tally_.acknowledged[body_json(r).at("vote_id").get<int64_t>()];
        return;
      }
      if (r.status == 409 && body_json(r).at("error").at("code") == "already_voted") {
        if (answer_lost) {
          ++tally_.resolved;
        } else {
          tally_.surprises.push_back("already_voted on a first attempt: " + r.body);
        }
        return;
      }
      tally_.surprises.push_back(std::to_string(r.status) + " " + r.body);
      return;
    }
    std::lock_guard lock(tally_.mutex);
    ++tally_.abandoned;
  }

  void note_lost() {
    std::lock_guard lock(tally_.mutex);
    ++tally_.lost_answers;
  }

  std::array<uint16_t, 2> ports_;
  int home_;
  const std::array<std::atomic<bool>, 2>& alive_;
  Tally& tally_;
  std::array<std::optional<HttpClient>, 2> clients_;
  std::string cookie_;
  int votes_ = 0;
};

// Waits until the clients have `n` acknowledged votes (or 30 s pass).
void wait_for_acknowledged(Tally& tally, std::size_t n) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (tally.acknowledged_count() < n && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(TwoServersUnderFaults, Kill9OfAServerAndADatabaseRestartLoseNoAcknowledgedVote) {
  auto& pg = store::test_support::shared_postgres_cluster();
  PostgresArena arena;
  auto a = std::make_unique<PaddockServer>(arena.server_options());
  PaddockServer b(arena.server_options());
  std::array<std::atomic<bool>, 2> alive{true, true};
  Tally tally;
  std::atomic<bool> stop{false};

  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Voter>> voters;
  for (int i = 0; i < 6; ++i) {
    voters.push_back(
        std::make_unique<Voter>(std::array<uint16_t, 2>{a->port(), b.port()}, i % 2, alive, tally));
    threads.emplace_back([&stop, v = voters.back().get()] { v->run(stop); });
  }

  wait_for_acknowledged(tally, 150);
  const std::size_t before_kill = tally.acknowledged_count();
  alive[0] = false;
  a->kill();  // SIGKILL in the middle of the load
  wait_for_acknowledged(tally, before_kill + 150);
  const std::size_t before_restart = tally.acknowledged_count();

  // Server B's health while PostgreSQL restarts under it.
  std::atomic<bool> restarting{true};
  std::set<int> health_seen;
  std::thread health([&] {
    while (restarting.load()) {
      try {
        health_seen.insert(b.client().get("/healthz").status);
      } catch (const std::exception&) {
        health_seen.insert(-1);  // server B stopped answering: never expected
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto restarted = pg.restart();
  restarting = false;
  health.join();
  ASSERT_TRUE(restarted) << restarted.error().message;
  wait_for_acknowledged(tally, before_restart + 150);
  stop = true;
  for (auto& t : threads) t.join();

  std::lock_guard lock(tally.mutex);
  for (const auto& s : tally.surprises) ADD_FAILURE() << s;
  EXPECT_GE(tally.acknowledged.size(), before_restart + 150) << "votes stopped flowing";
  for (int status : health_seen) EXPECT_TRUE(status == 200 || status == 503) << status;
  EXPECT_EQ(b.client().get("/healthz").status, 200);

  auto votes = stored_votes(arena.url());
  std::set<int64_t> ids;
  for (const auto& [battle, id] : store::test_support::expect_stored_once(votes)) ids.insert(id);
  for (const auto& [id, n] : tally.acknowledged) {
    EXPECT_EQ(n, 1) << "vote " << id << " acknowledged " << n << " times";
    EXPECT_EQ(ids.count(id), 1u) << "acknowledged vote " << id << " was lost";
  }
  // Every stored vote is one a client cast: acknowledged, or found already stored when
  // retried, or given up on without an answer.
  const std::size_t known = tally.acknowledged.size() + static_cast<std::size_t>(tally.resolved);
  EXPECT_GE(votes.size(), known);
  EXPECT_LE(votes.size(), known + static_cast<std::size_t>(tally.abandoned));
  RecordProperty("acknowledged", static_cast<int>(tally.acknowledged.size()));
  RecordProperty("lost_answers", tally.lost_answers);
  std::cerr << "acknowledged " << tally.acknowledged.size() << ", lost answers "
            << tally.lost_answers << ", resolved as already voted " << tally.resolved
            << ", abandoned " << tally.abandoned << ", stored " << votes.size()
            << "; /healthz of server B during the restart:";
  for (int status : health_seen) std::cerr << " " << status;
  std::cerr << "\n";

  // A new server on the database agrees with the survivor about the board.
  PaddockServer again(arena.server_options());
  auto on_b = b.client();
  auto on_again = again.client();
  ASSERT_FALSE(votes.empty());
  const int64_t last = votes.back().id;
  auto board_b = wait_for_board(on_b, "track=t2v", last);
  auto board_again = wait_for_board(on_again, "track=t2v", last);
  EXPECT_EQ(board_b.at("votes").get<std::size_t>(), votes.size());
  EXPECT_EQ(board_without_time(board_b), board_without_time(board_again));
}

}  // namespace
}  // namespace paddock::testing
