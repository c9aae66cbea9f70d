#pragma once
// Records issued battles in the background, in batches, so that handing out a battle never
// waits for the database. Battles still queued when the process is killed are lost (their
// votes are not: a vote carries its battle's facts); stop() writes everything queued.
//
// The queue is bounded: when the database cannot keep up, record() refuses the battle, and
// the caller refuses to issue it, so no issued battle ever goes unrecorded.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace paddock::arena {

class BattleRecorder {
 public:
  // Writes at least every `flush_every` (sooner when many battles wait), at most 256 battles
  // per transaction so that vote commits never wait long behind one.
  BattleRecorder(store::Store& store, std::chrono::milliseconds flush_every,
                 std::size_t max_pending = 100'000);
  ~BattleRecorder();
  BattleRecorder(const BattleRecorder&) = delete;
  BattleRecorder& operator=(const BattleRecorder&) = delete;

  // Queues a battle. Returns false, queuing nothing, if `max_pending` battles are waiting.
  bool record(store::Battle battle);
  // Writes what is queued (one more attempt) and joins the thread. Idempotent.
  void stop();
  // Writes what is queued now and returns when it is stored (or the store failed).
  void flush();

  // Battles refused because the queue was full.
  uint64_t refused() const;
  // Battles waiting to be written.
  std::size_t pending() const;
  // Battles the store refused (malformed), dropped rather than retried forever.
  uint64_t dropped() const;

 private:
  void run();
  // Writes `batch` in chunks. A chunk the database could not take now (busy, unreachable)
  // goes back to the front of the queue; a chunk it refuses is written battle by battle, and
  // the battles it refuses are dropped with a log line, so one bad battle never blocks the
  // rest (retried at the front, it would fail forever).
  void write(std::vector<store::Battle>& batch);
  void write_one_by_one(std::span<const store::Battle> chunk);
  static bool worth_retrying(const Error& e);

  store::Store& store_;
  std::chrono::milliseconds flush_every_;
  std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::vector<store::Battle> queue_;
  bool stopping_ = false;
  uint64_t flush_requests_ = 0;
  uint64_t flushes_done_ = 0;
  uint64_t refused_ = 0;
  uint64_t dropped_ = 0;
  std::size_t writing_ = 0;  // taken from the queue, not yet written
  std::thread thread_;
};

}  // namespace paddock::arena
