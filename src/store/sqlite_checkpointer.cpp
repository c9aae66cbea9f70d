#include "store/sqlite_checkpointer.hpp"

#include "sys/thread_name.hpp"

namespace paddock::store {

SqliteCheckpointer::SqliteCheckpointer(sqlite3* writer, sqlite3* own, int background_pages,
                                       int inline_pages)
    : writer_(writer), own_(own), background_pages_(background_pages), inline_pages_(inline_pages) {
  // A connection opens the log only with its first read; until then a checkpoint on it is
  // a no-op.
  sqlite3_exec(own_, "SELECT COUNT(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  thread_ = std::thread([this] {
    sys::name_this_thread("paddock-ckpt");
    run();
  });
  sqlite3_wal_hook(writer_, &SqliteCheckpointer::on_commit, this);
}

SqliteCheckpointer::~SqliteCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, SqliteCheckpointer::kBackgroundPages);  // removes our hook
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  sqlite3_close_v2(own_);
}

int SqliteCheckpointer::completed() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

int SqliteCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* c = static_cast<SqliteCheckpointer*>(self);
  if (pages >= c->inline_pages_) {
    // Waits for a background pass in progress (SQLite would refuse a second checkpointer),
    // then copies what that pass left. Errors (a reader holding an old snapshot) only mean
    // the log stays long for now; the commit itself has succeeded either way.
    std::lock_guard pass(c->pass_mutex_);
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  // One background pass per background_pages new pages, as SQLite's own checkpoints would
  // do: back-to-back passes would only compete with the commits for the disk.
  if (pages < c->woken_at_) c->woken_at_ = 0;  // the log was restarted
  if (pages >= c->background_pages_ && pages - c->woken_at_ >= c->background_pages_) {
    c->woken_at_ = pages;
    std::lock_guard lock(c->mutex_);
    if (!c->wanted_) {
      c->wanted_ = true;
      c->wake_.notify_one();
    }
  }
  return SQLITE_OK;
}

void SqliteCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    {
      std::lock_guard pass(pass_mutex_);
      sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    lock.lock();
    ++completed_;
  }
}

}  // namespace paddock::store
