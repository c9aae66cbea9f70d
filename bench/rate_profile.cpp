// The work of `paddock rate` without the program around it: read a vote log, compute the
// board, print the phase times. It links only the votelog and rating layers, so it starts
// in milliseconds (the paddock program loads the media and database libraries, about 175
// shared objects) and runs under `valgrind --tool=callgrind`, whose instruction counts are
// the before/after figures of bench/README.md (wall times on the shared machine are noisy).
//
//   bench_rate_profile LOG [ROUNDS [THREADS]]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rating/rating.hpp"
#include "votelog/votelog.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s LOG [ROUNDS [THREADS]]\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  paddock::votelog::ReadOptions read;
  paddock::rating::BoardOptions options;
  options.bootstrap_rounds = argc > 2 ? std::atoi(argv[2]) : 1000;
  options.threads = argc > 3 ? std::atoi(argv[3]) : 0;
  read.threads = options.threads;
  paddock::rating::VoteTable votes;
  auto report = paddock::votelog::read_vote_log(argv[1], read, votes);
  if (!report) {
    std::fprintf(stderr, "%s\n", report.error().message.c_str());
    return 1;
  }
  const double parse = std::chrono::duration<double>(Clock::now() - start).count();
  auto board = paddock::rating::compute_board(votes, options);
  if (!board) {
    std::fprintf(stderr, "%s\n", board.error().message.c_str());
    return 1;
  }
  const auto& t = board->timings;
  std::printf(
      "votes %zu, parse %.3f s, aggregate %.3f s, fit %.3f s, bootstrap %.3f s, total %.3f s\n",
      votes.size(), parse, t.aggregate, t.fit, t.bootstrap,
      std::chrono::duration<double>(Clock::now() - start).count());
  std::printf("first model %s %.6f [%.6f, %.6f]\n", board->models[0].model.c_str(),
              board->models[0].rating, board->models[0].ci_low, board->models[0].ci_high);
  return 0;
}
