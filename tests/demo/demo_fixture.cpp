#include "demo_fixture.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "store/open_store.hpp"

namespace paddock::demo_test {

namespace fs = std::filesystem;

testing::ProcessResult paddock(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {PADDOCK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ProcessOptions options;
  options.timeout = timeout;
  return testing::run_process(argv, options);
}

namespace {

// One cache folder per paddock binary: a rebuilt binary may build a different demo.
fs::path cache_folder() {
  fs::path root;
  if (const char* env = std::getenv("PADDOCK_TEST_DEMO_CACHE"); env && *env) {
    root = env;
  } else {
    root = fs::temp_directory_path() / "paddock-test-demo-cache";
  }
  const auto size = fs::file_size(PADDOCK_BINARY);
  const auto mtime = fs::last_write_time(PADDOCK_BINARY).time_since_epoch().count();
  char name[64];
  std::snprintf(name, sizeof name, "%llx-%llx", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime));
  return root / name;
}

// Test processes run in parallel and share the cache: the first one builds, the others wait
// for it; a reuse check by one (`paddock demo --prepare-only` on a complete demo takes its
// own lock file for a moment) must not overlap another's copy, so both hold this lock.
class CacheLock {
 public:
  explicit CacheLock(const fs::path& cache) {
    const fs::path lock_file = cache / "lock";
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw std::runtime_error("cannot lock " + lock_file.string());
    }
  }
  ~CacheLock() { ::close(fd_); }
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_ = -1;
};

fs::path prepare_shared_demo() {
  const fs::path cache = cache_folder();
  fs::create_directories(cache);
  CacheLock lock(cache);
  const fs::path dir = cache / "demo";
  auto r = paddock({"demo", "--prepare-only", "--dir", dir.string()});
  if (r.exit_code != 0) {
    throw std::runtime_error("paddock demo --prepare-only failed (exit " +
                             std::to_string(r.exit_code) + "):\n" + r.err);
  }
  return dir;
}

}  // namespace

const fs::path& shared_demo() {
  static const fs::path dir = prepare_shared_demo();
  return dir;
}

void copy_demo(const fs::path& to) {
  const fs::path& demo = shared_demo();
  CacheLock lock(demo.parent_path());
  fs::copy(demo, to, fs::copy_options::recursive);
  fs::remove(to / "demo.lock");
}

std::unique_ptr<store::Store> open_demo_db(const fs::path& dir) {
  store::StoreOptions options;
  options.create_if_missing = false;
  auto s = store::open_store((dir / "demo.db").string(), options);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

rating::BoardOptions board_options(const std::string& weights) {
  rating::BoardOptions o;
  o.bootstrap_rounds = 200;
  if (weights != "as_voted") {
    auto w = rating::parse_category_weights(weights);
    if (!w) throw std::runtime_error(w.error().message);
    o.weights = *w;
  }
  return o;
}

rating::Board board_of(store::Store& store, const std::string& track,
                       const rating::BoardOptions& options) {
  auto models = store.list_models();
  if (!models) throw std::runtime_error(models.error().message);
  std::map<std::string, std::string> names;
  for (const auto& m : *models) names[m.id] = m.display_name;
  auto votes = store.list_votes({.track_id = track});
  if (!votes) throw std::runtime_error(votes.error().message);
  rating::VoteTable table;
  for (const auto& v : *votes) {
    rating::Outcome outcome = v.choice == store::Choice::Left    ? rating::Outcome::AWins
                              : v.choice == store::Choice::Right ? rating::Outcome::BWins
                              : v.choice == store::Choice::Tie   ? rating::Outcome::Tie
                                                                 : rating::Outcome::BothBad;
    table.add(table.intern_model(names[v.left_model]), table.intern_model(names[v.right_model]),
              outcome, table.intern_category_set(v.categories),
              static_cast<double>(v.created_at_ms) / 1000);
  }
  auto board = rating::compute_board(table, options);
  if (!board) throw std::runtime_error(board.error().message);
  return std::move(*board);
}

const rating::ModelRow& row(const rating::Board& board, const std::string& model) {
  for (const auto& r : board.models) {
    if (r.model == model) return r;
  }
  ADD_FAILURE() << model << " is not on the board";
  static const rating::ModelRow none;
  return none;
}

std::vector<std::string> top(const rating::Board& board, size_t n) {
  std::vector<std::string> names;
  for (size_t i = 0; i < n && i < board.models.size(); ++i) names.push_back(board.models[i].model);
  return names;
}

}  // namespace paddock::demo_test
