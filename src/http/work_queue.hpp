#pragma once
// A few threads that run jobs which may block (database reads, file generation), so that
// the io threads never wait on them.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace paddock::http {

class WorkQueue {
 public:
  // Starts `threads` worker threads (at least one).
  explicit WorkQueue(std::size_t threads);
  // Runs the jobs already queued, then joins the threads.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues a job; it runs on one of the worker threads. Jobs posted after shutdown() run
  // on the caller's thread, so nothing posted is ever dropped.
  void post(std::function<void()> job);
  // Lets the queued jobs finish and joins the threads. Idempotent.
  void shutdown();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace paddock::http
