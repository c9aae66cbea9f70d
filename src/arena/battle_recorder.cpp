#include "arena/battle_recorder.hpp"

#include <spdlog/spdlog.h>

namespace paddock::arena {
namespace {
constexpr std::size_t kEagerBatch = 4096;
}

BattleRecorder::BattleRecorder(store::Store& store, std::chrono::milliseconds flush_every,
                               std::size_t max_pending)
    : store_(store), flush_every_(flush_every), max_pending_(max_pending) {
  thread_ = std::thread([this] { run(); });
}

BattleRecorder::~BattleRecorder() {
  stop();
}

void BattleRecorder::record(store::Battle battle) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(battle));
  if (queue_.size() > max_pending_) {
    queue_.erase(queue_.begin());
    ++dropped_;
  }
  if (queue_.size() == kEagerBatch) wake_.notify_one();
}

void BattleRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
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

uint64_t BattleRecorder::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void BattleRecorder::write(std::vector<store::Battle>& batch) {
  if (batch.empty()) return;
  if (auto s = store_.insert_battles(batch); !s) {
    spdlog::warn("recording {} battles failed (will retry): {}", batch.size(), s.error().message);
    std::lock_guard lock(mutex_);
    // Put them back in front of newer ones, keeping the bound.
    batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.end()));
    queue_.swap(batch);
    if (queue_.size() > max_pending_) {
      auto excess = queue_.size() - max_pending_;
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(excess));
      dropped_ += excess;
    }
  }
  batch.clear();
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
      serving = flush_requests_;
      last = stopping_;
    }
    write(batch);
    {
      std::lock_guard lock(mutex_);
      flushes_done_ = serving;
    }
    flushed_.notify_all();
    if (last) return;
  }
}

}  // namespace paddock::arena
