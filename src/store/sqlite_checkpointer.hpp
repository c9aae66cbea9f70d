#pragma once
// Private to the SQLite store: checkpoints the write-ahead log from its own connection and
// thread, so a commit does not also copy the log into the database file and wait for that
// copy to reach the disk (SQLite's automatic checkpoint runs inside the commit that crosses
// its threshold, which made every thousandth page of votes wait tens of milliseconds).
//
// The writer connection's automatic checkpoints are replaced by a WAL hook: after each
// commit, a log past kBackgroundPages wakes the checkpointer thread, which copies what it
// can (PASSIVE: it never blocks the writer or readers). Under steady writing the
// background copy never quite reaches the log's end, and SQLite restarts a log from its
// beginning only once all of it is copied; so when the log passes kInlinePages the commit
// that saw it waits for a background pass in progress and finishes the copy itself. That
// copy is short (the background thread has done the bulk), it happens once per
// kInlinePages rather than once per kBackgroundPages, and it keeps the log from growing
// without bound.

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace paddock::store {

class SqliteCheckpointer {
 public:
  static constexpr int kBackgroundPages = 1000;  // SQLite's own default threshold
  static constexpr int kInlinePages = 8000;

  // Takes `own` (a connection to the same database, used only for checkpoints) and installs
  // the hook on `writer`. REQUIRES: `writer` outlives this object; the database is in WAL
  // mode; 0 < background_pages < inline_pages.
  SqliteCheckpointer(sqlite3* writer, sqlite3* own, int background_pages = kBackgroundPages,
                     int inline_pages = kInlinePages);
  // Stops the thread, closes the own connection and gives `writer` SQLite's automatic
  // checkpoints back.
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Background checkpoints completed so far (tests).
  int completed() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  sqlite3* writer_;
  sqlite3* own_;
  const int background_pages_;
  const int inline_pages_;
  int woken_at_ = 0;       // log pages when the hook last woke the thread (commits only)
  std::mutex pass_mutex_;  // held by whoever runs a checkpoint
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  int completed_ = 0;
  std::thread thread_;
};

}  // namespace paddock::store
