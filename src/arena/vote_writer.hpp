#pragma once
// The single thread that writes votes. Votes queue up while the previous commit is in
// flight and go to the store together in the next one (group commit), so throughput grows
// with load while each vote is answered only after its own commit is durable.

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

class VoteWriter {
 public:
  // Called exactly once per vote, on the writer thread: the store's verdict (Stored or
  // Duplicate, with the vote id), or an Error ("unavailable") if the commit failed.
  using Done = std::function<void(Result<store::VoteInsertResult>)>;
  // Called on the writer thread after each successful commit, with the highest vote id
  // stored by it (0 if the batch held only duplicates).
  using Committed = std::function<void(int64_t last_id)>;

  VoteWriter(store::Store& store, std::size_t max_batch, Committed committed);
  ~VoteWriter();
  VoteWriter(const VoteWriter&) = delete;
  VoteWriter& operator=(const VoteWriter&) = delete;

  // Queues a vote. After stop(), answers at once with "unavailable".
  void submit(store::Vote vote, Done done);
  // Commits what is queued, answers it, and joins the thread. Idempotent.
  void stop();

  // Upper bounds (seconds) of the commit-duration histogram buckets.
  static constexpr std::array<double, 12> kCommitBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // What the writer has done so far, for /metrics.
  struct Stats {
    uint64_t commits = 0;       // insert_votes calls that succeeded
    uint64_t votes = 0;         // votes in them (stored or duplicate)
    uint64_t failed_votes = 0;  // votes answered "unavailable"
    double commit_seconds = 0;  // time spent in insert_votes
    uint64_t largest_batch = 0;
    // Commits (failed ones too) by duration: bucket i counts those up to kCommitBuckets[i]
    // and not within an earlier bucket; the last counts the longer ones.
    std::array<uint64_t, kCommitBuckets.size() + 1> commit_buckets{};
  };
  Stats stats() const;

 private:
  struct Pending {
    store::Vote vote;
    Done done;
  };
  void run();

  store::Store& store_;
  std::size_t max_batch_;
  Committed committed_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace paddock::arena
