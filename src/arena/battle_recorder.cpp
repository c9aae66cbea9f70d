#include "arena/battle_recorder.hpp"

#include <spdlog/spdlog.h>

#include <span>

#include "sys/thread_name.hpp"
#include "sys/thread_priority.hpp"

namespace paddock::arena {
namespace {
constexpr std::size_t kEagerBatch = 4096;
constexpr std::size_t kWriteChunk = 256;
}  // namespace

BattleRecorder::BattleRecorder(store::Store& store, std::chrono::milliseconds flush_every,
                               std::size_t max_pending)
    : store_(store), flush_every_(flush_every), max_pending_(max_pending) {
  thread_ = std::thread([this] {
    // Recording may lag behind a burst; answering voters may not.
    sys::name_this_thread("paddock-battles");
    sys::lower_this_thread_priority();
    run();
  });
}

BattleRecorder::~BattleRecorder() {
  stop();
}

bool BattleRecorder::record(store::Battle battle) {
  std::lock_guard lock(mutex_);
  if (queue_.size() >= max_pending_) {
    ++refused_;
    return false;
  }
  queue_.push_back(std::move(battle));
  if (queue_.size() == kEagerBatch) wake_.notify_one();
  return true;
}

void BattleRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BattleRecorder::flush() {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  uint64_t ticket = ++flush_requests_;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return flushes_done_ >= ticket || stopping_; });
}

uint64_t BattleRecorder::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

std::size_t BattleRecorder::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + writing_;
}

bool BattleRecorder::worth_retrying(const Error& e) {
  // The database is away or busy: the same battles may go in later. Anything else (a battle
  // the store refuses as it is) would fail the same way forever.
  return e.code == "db_busy" || e.code == "db_unreachable" || e.code == "io_error" ||
         e.code == "unavailable";
}

void BattleRecorder::write(std::vector<store::Battle>& batch) {
  std::size_t done = 0;
  while (done < batch.size()) {
    std::size_t n = std::min(kWriteChunk, batch.size() - done);
    std::span<const store::Battle> chunk(batch.data() + done, n);
    auto s = store_.insert_battles(chunk);
    if (!s && worth_retrying(s.error())) {
      spdlog::warn("recording {} battles failed (will retry): {}", batch.size() - done,
                   s.error().message);
      std::lock_guard lock(mutex_);
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin() + done),
                    std::make_move_iterator(batch.end()));
      break;
    }
    if (!s) write_one_by_one(chunk);
    done += n;
  }
  batch.clear();
}

void BattleRecorder::write_one_by_one(std::span<const store::Battle> chunk) {
  std::vector<store::Battle> retry;
  for (const auto& battle : chunk) {
    auto s = store_.insert_battles(std::span<const store::Battle>(&battle, 1));
    if (s) continue;
    if (worth_retrying(s.error())) {
      retry.push_back(battle);
      continue;
    }
    // Dropped, not retried: its votes still carry the battle's facts.
    {
      std::lock_guard lock(mutex_);
      ++dropped_;
    }
    spdlog::error("battle {} dropped, the store refuses it: {}", battle.id, s.error().message);
  }
  if (retry.empty()) return;
  std::lock_guard lock(mutex_);
  queue_.insert(queue_.begin(), std::make_move_iterator(retry.begin()),
                std::make_move_iterator(retry.end()));
}

uint64_t BattleRecorder::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void BattleRecorder::run() {
  std::vector<store::Battle> batch;
  for (;;) {
    uint64_t serving;
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, flush_every_, [&] {
        return stopping_ || queue_.size() >= kEagerBatch || flush_requests_ > flushes_done_;
      });
      batch.swap(queue_);
      writing_ = batch.size();
      serving = flush_requests_;
      last = stopping_;
    }
    write(batch);
    {
      std::lock_guard lock(mutex_);
      flushes_done_ = serving;
      writing_ = 0;
      if (last && !queue_.empty()) {
        spdlog::error("{} issued battles could not be recorded before stopping", queue_.size());
      }
    }
    flushed_.notify_all();
    if (last) return;
  }
}

}  // namespace paddock::arena
