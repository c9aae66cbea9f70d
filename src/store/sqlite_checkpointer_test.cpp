// The background checkpointer: it copies the log into the database beside the commits, and
// under steady writing the log still stops growing.

#include "store/sqlite_checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace paddock::store {
namespace {

sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(sql + ": " + message);
  }
}

// One transaction that dirties about one page: a row of 3000 bytes.
void write_a_page(sqlite3* db) {
  exec(db, "INSERT INTO t (v) VALUES (randomblob(3000))");
}

class Checkpointer : public ::testing::Test {
 protected:
  void SetUp() override {
    writer_ = open_db(path_);
    exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
    exec(writer_, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
  }
  void TearDown() override { sqlite3_close_v2(writer_); }

  std::uintmax_t wal_bytes() const { return std::filesystem::file_size(path_ + "-wal"); }
  std::uintmax_t db_bytes() const { return std::filesystem::file_size(path_); }

  paddock::testing::TempDir dir_{"paddock-checkpointer-test"};
  std::string path_ = dir_.file("ckpt.db");
  sqlite3* writer_ = nullptr;
};

TEST_F(Checkpointer, CopiesTheLogIntoTheDatabaseOnItsOwnThread) {
  const auto before = db_bytes();
  {
    SqliteCheckpointer checkpointer(writer_, open_db(path_), 20, 1000);
    for (int i = 0; i < 40; ++i) write_a_page(writer_);
    // No commit crossed the inline threshold: only the thread can have grown the file.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (checkpointer.completed() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(checkpointer.completed(), 1);
  }
  // The thread woke at 20 log frames, a few commits in (each writes its new leaf page, the
  // table's root and the header page), and copied at least those: several new leaf pages.
  // How many more it saw depends on when it ran, so only that lower bound is certain.
  EXPECT_GE(db_bytes(), before + 4 * 4096);
}

TEST_F(Checkpointer, TheLogStopsGrowingUnderSteadyWriting) {
  constexpr int kInline = 60;
  std::uintmax_t largest = 0;
  {
    SqliteCheckpointer checkpointer(writer_, open_db(path_), 10, kInline);
    for (int i = 0; i < 3000; ++i) {
      write_a_page(writer_);
      if (i % 50 == 0) largest = std::max(largest, wal_bytes());
    }
    largest = std::max(largest, wal_bytes());
  }
  // Without checkpoints the log would hold all 3000 pages (about 12 MB).
  EXPECT_LT(largest, std::uintmax_t{4} * kInline * (4096 + 24)) << "log of " << largest << " bytes";
  sqlite3* reader = open_db(path_);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(reader, "SELECT COUNT(*) FROM t", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 3000);
  sqlite3_finalize(stmt);
  sqlite3_close_v2(reader);
}

TEST_F(Checkpointer, GivesTheWriterSqlitesOwnCheckpointsBack) {
  { SqliteCheckpointer checkpointer(writer_, open_db(path_), 10, 60); }
  // SQLite's automatic checkpoint (1000 pages) is back: the log stops near it.
  for (int i = 0; i < 2500; ++i) write_a_page(writer_);
  EXPECT_LT(wal_bytes(), std::uintmax_t{1100} * (4096 + 24));
}

}  // namespace
}  // namespace paddock::store
