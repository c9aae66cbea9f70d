#pragma once
// What the demo tests share: `paddock demo` run as a user runs it, a demo folder prepared
// once per machine and paddock binary, and the demo's boards computed by the rating engine
// from the stored votes.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rating/rating.hpp"
#include "store/store.hpp"
#include "support/process.hpp"

namespace paddock::demo_test {

// Runs `paddock ARGS...`.
testing::ProcessResult paddock(const std::vector<std::string>& args,
                               std::chrono::seconds timeout = std::chrono::seconds(300));

// A demo folder built by `paddock demo --prepare-only` the first time any test asks for it
// (in $PADDOCK_TEST_DEMO_CACHE, default <temp>/paddock-test-demo-cache, one folder per
// paddock binary), so that every test process after the first finds it ready. Read only:
// copy_demo() it before changing anything.
const std::filesystem::path& shared_demo();

// Copies the shared demo folder to `to` (which must not exist).
void copy_demo(const std::filesystem::path& to);

// Opens the demo database in `dir`.
std::unique_ptr<store::Store> open_demo_db(const std::filesystem::path& dir);

// Board options for the tests: 200 bootstrap rounds (enough for 95% intervals), the
// given weights ("as_voted" or "balanced").
rating::BoardOptions board_options(const std::string& weights = "as_voted");

// The board of one track from the stored votes, models named by their display names.
rating::Board board_of(store::Store& store, const std::string& track,
                       const rating::BoardOptions& options = board_options());

// The row of `model` (a display name); fails the test if it is missing.
const rating::ModelRow& row(const rating::Board& board, const std::string& model);

// The display names of the first n models of a board, best first.
std::vector<std::string> top(const rating::Board& board, size_t n);

}  // namespace paddock::demo_test
