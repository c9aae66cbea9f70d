#include "sys/work_in_order.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sys/thread_name.hpp"

namespace paddock::sys {
namespace {

// What the workers and the calling thread share.
struct Board {
  std::mutex mutex;
  std::condition_variable finished;  // some work(i) returned
  std::size_t next = 0;              // the next index to hand out
  bool stop = false;                 // hand out no more
  std::vector<char> done;            // done[i]: work(i) returned
  std::vector<std::exception_ptr> errors;
};

}  // namespace

void for_each_in_order(std::size_t count, int threads, const std::function<void(std::size_t)>& work,
                       const std::function<bool(std::size_t)>& finish,
                       std::string_view thread_name) {
  if (threads <= 1 || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) {
      work(i);
      if (!finish(i)) return;
    }
    return;
  }
  Board board;
  board.done.assign(count, 0);
  board.errors.resize(count);
  const std::string name(thread_name);
  auto worker = [&board, &work, &name, count] {
    name_this_thread(name);
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(board.mutex);
        if (board.stop || board.next >= count) return;
        i = board.next++;
      }
      std::exception_ptr error;
      try {
        work(i);
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard lock(board.mutex);
        board.done[i] = 1;
        board.errors[i] = error;
      }
      board.finished.notify_all();
    }
  };

  std::vector<std::thread> pool;
  // Stops handing out work and waits for the threads, however this function is left.
  struct Joiner {
    Board& board;
    std::vector<std::thread>& pool;
    ~Joiner() {
      {
        std::lock_guard lock(board.mutex);
        board.stop = true;
      }
      for (std::thread& t : pool) t.join();
    }
  } joiner{board, pool};
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(threads), count);
  for (std::size_t t = 0; t < n; ++t) pool.emplace_back(worker);

  for (std::size_t i = 0; i < count; ++i) {
    std::exception_ptr error;
    {
      std::unique_lock lock(board.mutex);
      board.finished.wait(lock, [&] { return board.done[i] != 0; });
      error = board.errors[i];
    }
    if (error) std::rethrow_exception(error);  // the joiner waits for the others first
    if (!finish(i)) return;
  }
}

}  // namespace paddock::sys
