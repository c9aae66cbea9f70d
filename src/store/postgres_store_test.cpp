// What the PostgreSQL store promises beyond the conformance suite: clear errors while the
// server is unreachable, recovery when it is back, nothing acknowledged lost across a
// restart, a crash of the server or of a writer, and no password in what it prints.

#include "store/postgres_store.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/testing/crash_load.hpp"
#include "store/testing/must.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "store/testing/sample_data.hpp"
#include "store/testing/stored_votes.hpp"

namespace paddock::store {
namespace {

using namespace std::chrono_literals;
using test_support::must;
using test_support::sample_vote;
using test_support::shared_postgres_cluster;

const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new test_support::PostgresEnvironment);

std::vector<Vote> votes(const std::string& prefix, int n) {
  std::vector<Vote> out;
  for (int i = 0; i < n; ++i) out.push_back(sample_vote(prefix + std::to_string(i)));
  return out;
}

// Votes written in batches by a background thread, like a server's writer, remembering
// what was acknowledged and which errors came back.
class BackgroundWriter {
 public:
  explicit BackgroundWriter(Store& store, std::string prefix)
      : store_(store), prefix_(std::move(prefix)), thread_([this] { loop(); }) {}
  ~BackgroundWriter() { finish(); }
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  void finish() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  size_t acknowledged_count() {
    std::lock_guard lock(mutex_);
    return acknowledged_.size();
  }
  void wait_for_more(size_t than, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (acknowledged_count() <= than && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
  }
  std::map<std::string, int64_t> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::set<std::string> error_codes() {
    std::lock_guard lock(mutex_);
    return error_codes_;
  }

 private:
  void loop() {
    int next = 0;
    while (running_) {
      const auto batch = votes(prefix_ + std::to_string(next) + "-", 8);
      auto r = store_.insert_votes(batch);
      std::lock_guard lock(mutex_);
      if (!r) {
        error_codes_.insert(r.error().code);
        std::this_thread::sleep_for(5ms);
        continue;  // the same batch again, as a client retries: nothing may be stored twice
      }
      for (size_t i = 0; i < batch.size(); ++i) acknowledged_[batch[i].battle_id] = (*r)[i].id;
      ++next;
    }
  }

  Store& store_;
  const std::string prefix_;
  std::atomic<bool> running_{true};
  std::mutex mutex_;
  std::map<std::string, int64_t> acknowledged_;
  std::set<std::string> error_codes_;
  std::thread thread_;  // last: starts after the members it uses
};

void expect_all_present_once(Store& store, const std::map<std::string, int64_t>& acknowledged) {
  test_support::expect_acknowledged_stored_once(must(store.list_votes({})), acknowledged);
}

// One test holds the server down while the others would need it, so the outage tests
// use their own database and run one after another (gtest runs tests in sequence).
TEST(PostgresStore, CallsDuringAnOutageFailAsUnreachableAndRecoverAfter) {
  auto& cluster = shared_postgres_cluster();
  const std::string url = cluster.create_database();
  auto store = must(open_postgres_store(url, {.busy_timeout_ms = 2000, .connections = 4}));
  must(store->set_setting("signing_key", "shared"));

  BackgroundWriter writer(*store, "outage-");
  writer.wait_for_more(40, 20s);
  must(cluster.stop());

  // while it is down: every kind of call answers db_unreachable, promptly
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store->ping().error().code, "db_unreachable");
  auto read = store->get_setting("signing_key");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, "db_unreachable");
  EXPECT_NE(read.error().message.find(store->describe()), std::string::npos);
  EXPECT_EQ(store->insert_votes(votes("during-", 2)).error().code, "db_unreachable");
  EXPECT_EQ(store->counts().error().code, "db_unreachable");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  const size_t during = writer.acknowledged_count();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(writer.acknowledged_count(), during);  // nothing acknowledged while down

  must(cluster.start_server());
  writer.wait_for_more(during + 40, 20s);
  writer.finish();
  EXPECT_GT(writer.acknowledged_count(), during);
  EXPECT_EQ(writer.error_codes(), std::set<std::string>{"db_unreachable"});

  EXPECT_TRUE(store->ping().has_value());
  EXPECT_EQ(must(store->get_setting("signing_key")), "shared");
  expect_all_present_once(*store, writer.acknowledged());
}

TEST(PostgresStore, RestartMidUseLosesNothingAndTheNextCallsSucceed) {
  auto& cluster = shared_postgres_cluster();
  const std::string url = cluster.create_database();
  auto store = must(open_postgres_store(url, {.connections = 4}));
  BackgroundWriter writer(*store, "restart-");
  writer.wait_for_more(40, 20s);
  must(cluster.restart());
  // the pooled connections died with the old server; calls replace them and succeed
  EXPECT_TRUE(store->ping().has_value());
  EXPECT_TRUE(store->insert_votes(votes("after-restart-", 3)).has_value());
  const size_t after = writer.acknowledged_count();
  writer.wait_for_more(after + 40, 20s);
  writer.finish();
  for (const auto& code : writer.error_codes()) EXPECT_EQ(code, "db_unreachable");
  expect_all_present_once(*store, writer.acknowledged());
}

TEST(PostgresStore, KilledWriterAndCrashedServerLoseNoAcknowledgedVote) {
  auto& cluster = shared_postgres_cluster();
  const std::string url = cluster.create_database();
  std::map<std::string, int64_t> acknowledged;
  // a writer process killed mid-load
  auto first = test_support::load_and_kill(PADDOCK_STORE_CRASH_WRITER, url, "a-", 8, 200, 30s);
  ASSERT_TRUE(first.killed);
  EXPECT_TRUE(first.errors.empty()) << first.errors.front();
  acknowledged.insert(first.acknowledged.begin(), first.acknowledged.end());
  // the server crashing (SIGKILL, then crash recovery) under a second writer's load
  std::thread crash([&] {
    std::this_thread::sleep_for(700ms);
    EXPECT_TRUE(cluster.kill_server().has_value());
    EXPECT_TRUE(cluster.start_server().has_value());
  });
  auto second = test_support::load_and_kill(PADDOCK_STORE_CRASH_WRITER, url, "b-", 8, 100000, 6s);
  crash.join();
  EXPECT_TRUE(second.killed);
  EXPECT_FALSE(second.errors.empty()) << "the writer never noticed the crash";
  for (const auto& e : second.errors) EXPECT_NE(e.find("db_unreachable"), std::string::npos) << e;
  acknowledged.insert(second.acknowledged.begin(), second.acknowledged.end());

  auto store = must(open_postgres_store(url));
  expect_all_present_once(*store, acknowledged);
}

TEST(PostgresStore, VoteLockHeldElsewhereGivesDbBusyAfterTheTimeout) {
  auto& cluster = shared_postgres_cluster();
  const std::string url = cluster.create_schema();
  auto store = must(open_postgres_store(url, {.busy_timeout_ms = 300}));
  PGconn* other = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(other), CONNECTION_OK);
  // what another server does while it stores a batch
  PQclear(PQexec(other, "BEGIN"));
  PQclear(PQexec(other, "SELECT pg_advisory_xact_lock(31649325753180418)"));

  const auto start = std::chrono::steady_clock::now();
  auto refused = store->insert_votes(votes("b", 2));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "db_busy");
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 5s);
  EXPECT_TRUE(must(store->list_votes({})).empty());  // reads do not wait

  PQclear(PQexec(other, "COMMIT"));
  PQfinish(other);
  EXPECT_EQ(must(store->insert_votes(votes("b", 2))).size(), 2u);
}

TEST(PostgresStore, WorksOverTcpAsWellAsTheUnixSocket) {
  auto& cluster = shared_postgres_cluster();
  const std::string socket_url = cluster.create_database();
  const std::string name = socket_url.substr(socket_url.find("@/") + 2,
                                             socket_url.find('?') - socket_url.find("@/") - 2);
  auto over_tcp = must(open_postgres_store(cluster.tcp_url(name)));
  EXPECT_EQ(over_tcp->describe(),
            fmt::format("postgresql://postgres@127.0.0.1:{}/{}", cluster.port(), name));
  must(over_tcp->insert_votes(votes("tcp-", 3)));
  auto over_socket = must(open_postgres_store(socket_url));
  EXPECT_EQ(must(over_socket->counts()).votes, 3);
}

TEST(PostgresStore, UnreachableServerAtOpenIsAClearErrorWithoutThePassword) {
  const auto start = std::chrono::steady_clock::now();
  auto refused = open_postgres_store("postgresql://arena:hunter2@127.0.0.1:1/paddock",
                                     {.connect_timeout_s = 2});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "db_unreachable");
  EXPECT_NE(refused.error().message.find("postgresql://arena@127.0.0.1:1/paddock"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("hunter2"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);

  auto via_open_store = open_store("postgres://127.0.0.1:1/paddock", {.connect_timeout_s = 2});
  ASSERT_FALSE(via_open_store.has_value());
  EXPECT_EQ(via_open_store.error().code, "db_unreachable");
}

TEST(PostgresStore, MalformedUrlIsRefused) {
  auto refused = open_postgres_store("postgresql://host:notaport:/x?%zz");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "invalid_argument");
}

TEST(PostgresStore, DescriptionsKeepWhereButNotThePassword) {
  EXPECT_EQ(describe_postgres_url("postgresql://arena:s3cret@db.internal:5433/paddock"),
            "postgresql://arena@db.internal:5433/paddock");
  EXPECT_EQ(describe_postgres_url("postgres://db/paddock?password=s3cret&sslmode=require"),
            "postgresql://db/paddock?sslmode=require");
  EXPECT_EQ(describe_postgres_url("postgresql://u@/arena?host=/run/postgresql&port=5432"),
            "postgresql://u@/arena?host=%2Frun%2Fpostgresql&port=5432");
  EXPECT_EQ(describe_postgres_url("postgresql:///arena?options=-c%20search_path%3Dt1"),
            "postgresql:///arena?options=-c%20search_path%3Dt1");
}

}  // namespace
}  // namespace paddock::store
