// Durable votes per second through the Store interface, SQLite beside PostgreSQL, for
// batches of 1, 64 and 512 votes (a server commits what arrived together as one batch).
// PostgreSQL runs in a throwaway cluster with fsync on, started by this program.
//
//   build/release/bench/bench_store_votes [--seconds S]
//
// Prints one line per case: votes/s, batches/s, and the p50/p99 time of one batch, then
// PostgreSQL's rate as a ratio of SQLite's.

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "store/open_store.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "store/testing/sample_data.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using paddock::store::Store;
using paddock::store::Vote;

struct Figures {
  double votes_per_s = 0;
  double batches_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// `writers` threads, each with its own Store (as separate servers would be), insert batches of
// `batch` votes for about `seconds`.
Figures measure(const std::string& location, int batch, int writers, double seconds) {
  std::vector<std::unique_ptr<Store>> stores;
  for (int w = 0; w < writers; ++w) {
    auto s = paddock::store::open_store(location);
    if (!s) {
      fmt::print(stderr, "{}\n", s.error().message);
      std::exit(1);
    }
    stores.push_back(std::move(*s));
  }
  std::vector<std::vector<double>> latencies(writers);
  std::vector<int64_t> stored(writers, 0);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  static std::atomic<int64_t> next_battle{0};
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      while (Clock::now() < deadline) {
        std::vector<Vote> votes;
        votes.reserve(static_cast<size_t>(batch));
        for (int i = 0; i < batch; ++i) {
          votes.push_back(paddock::store::test_support::sample_vote(
              "bench-" + std::to_string(next_battle.fetch_add(1))));
        }
        const auto t0 = Clock::now();
        auto r = stores[w]->insert_votes(votes);
        const auto t1 = Clock::now();
        if (!r) {
          fmt::print(stderr, "{}\n", r.error().message);
          std::exit(1);
        }
        latencies[w].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        stored[w] += batch;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  int64_t votes = 0;
  for (int w = 0; w < writers; ++w) {
    all.insert(all.end(), latencies[w].begin(), latencies[w].end());
    votes += stored[w];
  }
  std::sort(all.begin(), all.end());
  Figures f;
  f.votes_per_s = static_cast<double>(votes) / elapsed;
  f.batches_per_s = static_cast<double>(all.size()) / elapsed;
  f.p50_ms = all[all.size() / 2];
  f.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return f;
}

void print(std::string_view backend, int batch, int writers, const Figures& f) {
  fmt::print(
      "{:<11} batch {:>3}  writers {}  {:>9.0f} votes/s  {:>7.0f} batches/s  "
      "batch p50 {:>7.2f} ms  p99 {:>7.2f} ms\n",
      backend, batch, writers, f.votes_per_s, f.batches_per_s, f.p50_ms, f.p99_ms);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
  }
  paddock::testing::TempDir dir("paddock-bench");
  auto cluster = paddock::store::test_support::PostgresCluster::start({.fsync = true});
  if (!cluster) {
    fmt::print(stderr, "{}\n", cluster.error().message);
    return 1;
  }
  fmt::print("durable vote inserts, {} s per case, {} cores; PostgreSQL with fsync on\n", seconds,
             std::thread::hardware_concurrency());

  std::map<std::pair<int, int>, double> sqlite_rate;
  int n = 0;
  for (const auto& [batch, writers] :
       std::vector<std::pair<int, int>>{{1, 1}, {64, 1}, {512, 1}, {64, 2}}) {
    const auto s =
        measure(dir.file("bench-" + std::to_string(n++) + ".db"), batch, writers, seconds);
    print("sqlite", batch, writers, s);
    sqlite_rate[{batch, writers}] = s.votes_per_s;
    const auto p = measure((*cluster)->create_database(), batch, writers, seconds);
    print("postgresql", batch, writers, p);
    fmt::print("{:<11} batch {:>3}  writers {}  postgresql / sqlite = {:.2f}\n", "ratio", batch,
               writers, p.votes_per_s / s.votes_per_s);
  }
  return 0;
}
