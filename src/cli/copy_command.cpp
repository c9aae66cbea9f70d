#include "cli/copy_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "store/store.hpp"
#include "store/store_copy.hpp"

namespace paddock::cli {
namespace {

struct CopyArgs {
  std::string from;
  std::string to;
  bool force_merge = false;
  int64_t page_size = 2000;
};

// On a terminal one line per step, rewritten in place as the step advances; otherwise one
// line per finished step, so logs stay readable.
class CopyProgress {
 public:
  CopyProgress() : terminal_(isatty(fileno(stderr)) != 0) {}

  void operator()(std::string_view what, int64_t done, int64_t total) {
    const bool finished = done >= total;
    if (terminal_) {
      if (what != current_ && !current_.empty()) std::fputc('\n', stderr);
      const int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
      fmt::print(stderr, "\r  {:<9} {:>10} / {:<10} {:>3}%", what, done, total, percent);
      std::fflush(stderr);
    } else if (finished && what != reported_) {
      fmt::print(stderr, "  {:<9} {}\n", what, done);
      reported_ = what;
    }
    current_ = what;
  }

  void end() {
    if (terminal_ && !current_.empty()) std::fputc('\n', stderr);
  }

 private:
  const bool terminal_;
  std::string current_;
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
