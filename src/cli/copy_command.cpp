#include "cli/copy_command.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/progress_bar.hpp"
#include "store/open_store.hpp"
#include "store/store_copy.hpp"

namespace paddock::cli {
namespace {

struct CopyArgs {
  std::string from;
  std::string to;
  bool force_merge = false;
  int64_t page_size = 2000;
};

// A bar while a step runs (on a terminal), and one line per finished step either way, so
// logs get a short record of what was copied.
class CopyProgress {
 public:
  CopyProgress() : bar_(stderr, stderr_is_terminal()), terminal_(stderr_is_terminal()) {}

  void operator()(std::string_view what, int64_t done, int64_t total) {
    if (what == reported_) return;  // that step is done and said so
    if (terminal_) bar_.step(done, total, what, "");
    if (done >= total && what != reported_) {
      bar_.clear();
      fmt::print(stderr, "  {:<9} {}\n", what, done);
      reported_ = what;
    }
  }

  void end() { bar_.clear(); }

 private:
  ProgressBar bar_;
  const bool terminal_;
  std::string reported_;
};

int run_copy(const CopyArgs& args) {
  store::StoreOptions source_options;
  source_options.create_if_missing = false;  // a typo must not copy an empty new file
  auto from = store::open_store(args.from, source_options);
  if (!from) {
    fmt::print(stderr, "paddock copy: source: {}\n", from.error().message);
    return 1;
  }
  auto to = store::open_store(args.to);
  if (!to) {
    fmt::print(stderr, "paddock copy: target: {}\n", to.error().message);
    return 1;
  }
  fmt::print(stderr, "copying {} to {}\n", (*from)->describe(), (*to)->describe());
  CopyProgress progress;
  store::CopyOptions options;
  options.merge = args.force_merge;
  options.page_size = args.page_size;
  options.progress = [&](std::string_view what, int64_t done, int64_t total) {
    progress(what, done, total);
  };
  auto report = store::copy_store(**from, **to, options);
  progress.end();
  if (!report) {
    fmt::print(stderr, "paddock copy: {}\n", report.error().message);
    return 1;
  }
  const store::Counts& n = report->target;
  fmt::print(
      "copied to {}: {} tracks, {} models, {} prompts, {} clips, {} battles, {} votes "
      "({} voided, largest id {}), {} settings; counts checked\n",
      (*to)->describe(), n.tracks, n.models, n.prompts, n.clips, n.battles, n.votes, n.voided_votes,
      n.max_vote_id, n.settings);
  if (report->votes_already_there > 0) {
    fmt::print("{} votes were already in the target and kept as they were\n",
               report->votes_already_there);
  }
  return 0;
}

}  // namespace

void add_copy_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CopyArgs>();
  CLI::App* copy = app.add_subcommand(
      "copy",
      "Copy a whole arena (catalog, battles, votes with their ids and voids, settings) from "
      "one database to another: SQLite file or postgresql:// URL, either way");
  copy->add_option("--from", args->from, "source database: FILE.db or postgresql://...")
      ->required();
  copy->add_option("--to", args->to, "target database, empty (created if a missing file)")
      ->required();
  copy->add_flag("--force-merge", args->force_merge,
                 "copy into a target that already holds data: keep what it has, add the rest");
  copy->add_option("--page-size", args->page_size, "rows per transaction")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  copy->callback([args, &exit_code] { exit_code = run_copy(*args); });
}

}  // namespace paddock::cli
