// What the SQLite store promises beyond the conformance suite: WAL, reads beside writes,
// clear errors for locks, full disks and foreign or damaged files, and no acknowledged vote
// lost when the writer is killed.

#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "store/testing/crash_load.hpp"
#include "store/testing/must.hpp"
#include "store/testing/sample_data.hpp"
#include "store/testing/stored_votes.hpp"
#include "support/temp_dir.hpp"

namespace paddock::store {
namespace {

using namespace std::chrono_literals;
using test_support::must;
using test_support::sample_clip;
using test_support::sample_model;
using test_support::sample_prompt;
using test_support::sample_track;
using test_support::sample_vote;

// A plain SQLite connection beside the store's, standing in for another process.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open failed");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawConnection() { sqlite3_close_v2(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(sql + ": " + message);
    }
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      if (t != nullptr) out = t;
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStore : public ::testing::Test {
 protected:
  paddock::testing::TempDir dir_{"paddock-sqlite-test"};
  std::string path_ = dir_.file("arena.db");
};

std::vector<Vote> votes(const std::string& prefix, int n) {
  std::vector<Vote> out;
  for (int i = 0; i < n; ++i) out.push_back(sample_vote(prefix + std::to_string(i)));
  return out;
}

TEST_F(SqliteStore, UsesWriteAheadLogging) {
  auto store = must(open_sqlite_store(path_));
  must(store->insert_votes(votes("b", 3)));
  RawConnection raw(path_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_EQ(store->describe(), "sqlite:" + path_);
}

TEST_F(SqliteStore, ReadsDoNotWaitBehindAnotherConnectionsWrite) {
  auto store = must(open_sqlite_store(path_));
  must(store->insert_votes(votes("before-", 2)));
  RawConnection other(path_);
  other.exec("BEGIN IMMEDIATE");
  other.exec("INSERT INTO settings (name, value) VALUES ('uncommitted', 'x')");

  // a write from the store now waits for the other connection...
  auto writing = std::async(std::launch::async, [&] { return store->insert_votes(votes("w", 1)); });
  // ...while reads go on, and see only committed data
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(must(store->list_votes({})).size(), 2u);
  EXPECT_EQ(must(store->get_setting("uncommitted")), std::nullopt);
  EXPECT_EQ(must(store->counts()).votes, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(writing.wait_for(200ms), std::future_status::timeout);

  other.exec("COMMIT");
  auto written = writing.get();
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_EQ(must(store->get_setting("uncommitted")), "x");
  EXPECT_EQ(must(store->counts()).votes, 3);
}

TEST_F(SqliteStore, WriteLockHeldElsewhereGivesDbBusyAfterTheTimeout) {
  auto store = must(open_sqlite_store(path_, {.busy_timeout_ms = 300}));
  RawConnection other(path_);
  other.exec("BEGIN IMMEDIATE");

  const auto start = std::chrono::steady_clock::now();
  auto refused = store->insert_votes(votes("b", 4));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "db_busy");
  EXPECT_NE(refused.error().message.find(path_), std::string::npos);
  EXPECT_NE(refused.error().message.find("locked"), std::string::npos);
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(store->set_setting("k", "v").error().code, "db_busy");

  other.exec("ROLLBACK");
  EXPECT_EQ(must(store->insert_votes(votes("b", 4))).size(), 4u);
  EXPECT_EQ(must(store->counts()).votes, 4);
}

TEST_F(SqliteStore, FullDiskGivesDbFullAndLosesNothingAcknowledged) {
  int64_t pages = 0;
  {
    auto store = must(open_sqlite_store(path_));
    must(store->insert_votes(votes("early-", 20)));
    must(store->set_setting("signing_key", "k"));
  }
  {
    RawConnection raw(path_);
    pages = std::stoll(raw.text("PRAGMA page_count"));
  }
  // The database may grow by a few pages only: later batches cannot fit.
  auto store = must(open_sqlite_store(
      path_, {.connection_sql = {"PRAGMA max_page_count=" + std::to_string(pages + 3)}}));
  std::vector<std::string> acknowledged;
  std::optional<Error> full;
  std::vector<Vote> refused_batch;
  for (int batch = 0; batch < 200 && !full; ++batch) {
    auto b = votes("late-" + std::to_string(batch) + "-", 25);
    for (Vote& v : b) v.categories.assign(8, std::string(40, 'c'));  // big rows fill pages
    auto r = store->insert_votes(b);
    if (!r) {
      full = r.error();
      refused_batch = b;
      break;
    }
    for (const Vote& v : b) acknowledged.push_back(v.battle_id);
  }
  ASSERT_TRUE(full.has_value()) << "the database never filled up";
  EXPECT_EQ(full->code, "db_full");
  EXPECT_NE(full->message.find(path_), std::string::npos);
  EXPECT_NE(full->message.find("full"), std::string::npos);

  // reads still work, and the next write fails the same clear way
  EXPECT_EQ(must(store->get_setting("signing_key")), "k");
  EXPECT_EQ(store->insert_votes(refused_batch).error().code, "db_full");
  store.reset();

  auto reopened = must(open_sqlite_store(path_));
  std::set<std::string> stored;
  for (const Vote& v : must(reopened->list_votes({}))) stored.insert(v.battle_id);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(stored.count("early-" + std::to_string(i)));
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id;
  for (const Vote& v : refused_batch) EXPECT_FALSE(stored.count(v.battle_id)) << v.battle_id;
  EXPECT_EQ(stored.size(), 20 + acknowledged.size());
  EXPECT_EQ(must(reopened->insert_votes(refused_batch)).size(), refused_batch.size());
}

TEST_F(SqliteStore, AFileThatIsNotADatabaseIsRefusedAndLeftAlone) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "these are my holiday notes, not a database. ";
  { std::ofstream(path_, std::ios::binary) << text; }
  auto refused = open_sqlite_store(path_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "db_corrupt");
  EXPECT_NE(refused.error().message.find(path_), std::string::npos);
  EXPECT_NE(refused.error().message.find("not a SQLite database"), std::string::npos);
  std::ifstream in(path_, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
}

TEST_F(SqliteStore, ADamagedDatabaseGivesDbCorrupt) {
  {
    auto store = must(open_sqlite_store(path_));
    for (int i = 0; i < 10; ++i) must(store->insert_votes(votes(std::to_string(i) + "-", 50)));
  }  // closing the last connection folds the WAL into the file
  ASSERT_FALSE(std::filesystem::exists(path_ + "-wal"));
  const auto size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 4096u * 8);
  {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(4096 * 2);  // keep the header and the schema page, scribble over the rest
    const std::string junk(size - 4096 * 2, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto store = open_sqlite_store(path_);
  Error error;
  if (!store) {
    error = store.error();
  } else {
    auto listed = (*store)->list_votes({});
    ASSERT_FALSE(listed.has_value());
    error = listed.error();
  }
  EXPECT_EQ(error.code, "db_corrupt");
  EXPECT_NE(error.message.find(path_), std::string::npos);
}

TEST_F(SqliteStore, MissingFileIsNotCreatedWhenAskedNotTo) {
  auto refused = open_sqlite_store(path_, {.create_if_missing = false});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "not_found");
  EXPECT_NE(refused.error().message.find(path_), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(SqliteStore, UnopenablePathGivesIoError) {
  const std::string path = dir_.file("no-such-folder/arena.db");
  auto refused = open_sqlite_store(path);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "io_error");
  EXPECT_NE(refused.error().message.find(path), std::string::npos);
}

TEST_F(SqliteStore, ReimportingAnIdenticalCatalogWritesNothing) {
  auto store = must(open_sqlite_store(path_));
  auto import = [&] {
    std::vector<Upsert> outcomes;
    outcomes.push_back(must(store->upsert_track(sample_track("t2v"))));
    outcomes.push_back(must(store->upsert_model(sample_model("alpha"))));
    outcomes.push_back(must(store->upsert_prompt(sample_prompt("t2v", "p1"))));
    outcomes.push_back(must(store->upsert_clip(sample_clip("t2v", "p1", "alpha"))));
    return outcomes;
  };
  import();
  RawConnection watcher(path_);
  const auto version = watcher.text("PRAGMA data_version");  // changes when others commit
  const auto wal_size = std::filesystem::file_size(path_ + "-wal");
  EXPECT_EQ(import(), std::vector<Upsert>(4, Upsert::Unchanged));
  EXPECT_EQ(watcher.text("PRAGMA data_version"), version);
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), wal_size);

  Model renamed = sample_model("alpha");
  renamed.display_name = "Alpha 2";
  must(store->upsert_model(renamed));
  EXPECT_NE(watcher.text("PRAGMA data_version"), version);
}

TEST_F(SqliteStore, KilledWriterLosesNoAcknowledgedVoteAndStoresNoneTwice) {
  std::map<std::string, int64_t> acknowledged;
  for (int round = 0; round < 3; ++round) {
    const auto load =
        test_support::load_and_kill(PADDOCK_STORE_CRASH_WRITER, path_,
                                    "r" + std::to_string(round) + "-", 8, 150 + 100 * round, 20s);
    ASSERT_TRUE(load.killed) << "the writer stopped on its own";
    EXPECT_TRUE(load.errors.empty()) << load.errors.front();
    EXPECT_GE(load.acknowledged.size(), 150u);
    acknowledged.insert(load.acknowledged.begin(), load.acknowledged.end());
  }
  auto store = must(open_sqlite_store(path_));
  const auto stored = must(store->list_votes({}));
  test_support::expect_acknowledged_stored_once(stored, acknowledged);
  // at most the batch in flight at each kill was stored without being acknowledged
  EXPECT_LE(stored.size(), acknowledged.size() + 3 * 8);
}

}  // namespace
}  // namespace paddock::store
