// store_crash_writer LOCATION PREFIX BATCH_SIZE
// Test helper: stores batches of votes on battles PREFIX0, PREFIX1, ... as fast as it can,
// forever, and after each acknowledged batch prints one line "ID BATTLE_ID" per stored vote
// on stdout (unbuffered). Crash tests kill it with SIGKILL and then look for every vote it
// acknowledged. A failed batch prints "error CODE MESSAGE" and is retried.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "store/open_store.hpp"
#include "store/testing/sample_data.hpp"

namespace {

void say(const std::string& line) {
  const std::string out = line + "\n";
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = write(STDOUT_FILENO, out.data() + done, out.size() - done);
    if (n <= 0) _exit(3);  // the reader went away
    done += static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_crash_writer LOCATION PREFIX BATCH_SIZE\n");
    return 2;
  }
  const std::string location = argv[1];
  const std::string prefix = argv[2];
  const int batch_size = std::stoi(argv[3]);

  auto store = paddock::store::open_store(location);
  while (!store) {
    say("error " + store.error().code + " " + store.error().message);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store = paddock::store::open_store(location);
  }
  long next = 0;
  while (true) {
    std::vector<paddock::store::Vote> batch;
    for (int i = 0; i < batch_size; ++i) {
      batch.push_back(paddock::store::test_support::sample_vote(prefix + std::to_string(next + i)));
    }
    auto stored = (*store)->insert_votes(batch);
    if (!stored) {
      say("error " + stored.error().code + " " + stored.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;  // the same battles again: a retry must not store anything twice
    }
    std::string lines;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) lines += "\n";
      lines += std::to_string((*stored)[i].id) + " " + batch[i].battle_id;
    }
    say(lines);
    next += batch_size;
  }
}
