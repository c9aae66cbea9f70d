#include "arena/vote_writer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "sys/thread_name.hpp"

namespace paddock::arena {

VoteWriter::VoteWriter(store::Store& store, std::size_t max_batch, Committed committed)
    : store_(store),
      max_batch_(std::max<std::size_t>(1, max_batch)),
      committed_(std::move(committed)) {
  thread_ = std::thread([this] {
    sys::name_this_thread("paddock-votes");
    run();
  });
}

VoteWriter::~VoteWriter() {
  stop();
}

void VoteWriter::submit(store::Vote vote, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(vote), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(fail("unavailable", "the server is shutting down; the vote was not stored"));
}

void VoteWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

VoteWriter::Stats VoteWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void VoteWriter::run() {
  std::vector<Pending> batch;
  std::vector<store::Vote> votes;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been answered
      if (queue_.size() <= max_batch_) {
        batch.swap(queue_);
      } else {
        auto split = queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
        queue_.erase(queue_.begin(), split);
      }
    }
    votes.clear();
    votes.reserve(batch.size());
    for (auto& p : batch) votes.push_back(std::move(p.vote));
    auto started = std::chrono::steady_clock::now();
    auto results = store_.insert_votes(votes);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bool committed = results && results->size() == batch.size();
    {
      std::lock_guard lock(mutex_);
      if (committed) {
        ++stats_.commits;
        stats_.votes += batch.size();
        stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, batch.size());
      } else {
        stats_.failed_votes += batch.size();
      }
      stats_.commit_seconds += took;
      std::size_t bucket = 0;
      while (bucket < kCommitBuckets.size() && took > kCommitBuckets[bucket]) ++bucket;
      ++stats_.commit_buckets[bucket];
    }
    if (!committed) {
      std::string why =
          results ? "the store answered for a different number of votes" : results.error().message;
      spdlog::error("storing {} votes failed: {}", batch.size(), why);
      for (auto& p : batch) {
        p.done(fail("unavailable", "the vote could not be stored; try again"));
      }
    } else {
      int64_t last = 0;
      for (const auto& r : *results) {
        if (r.outcome == store::VoteInsert::Stored) last = std::max(last, r.id);
      }
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done((*results)[i]);
      if (committed_) committed_(last);
    }
    batch.clear();
  }
}

}  // namespace paddock::arena
