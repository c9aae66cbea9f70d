#include "cli/export_command.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "arena/vote_export.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

struct ExportArgs {
  std::string db;
  std::string track;
  int64_t up_to = -1;
  std::string format = "jsonl";
  std::string output = "-";
  bool full = false;
};

int run_export(const ExportArgs& args) {
  auto format = arena::parse_export_format(args.format);
  if (!format) {
    fmt::print(stderr, "paddock export: --format must be jsonl or csv, not \"{}\"\n", args.format);
    return 2;
  }
  std::string db = args.db;
  if (db.empty()) {
    const char* env = std::getenv("PADDOCK_DB");
    db = env && *env ? env : "paddock.db";
  }
  store::StoreOptions store_options;
  store_options.create_if_missing = false;
  auto store = store::open_store(db, store_options);
  if (!store) {
    fmt::print(stderr, "paddock export: {}\n", store.error().message);
    return 1;
  }
  if (!args.track.empty()) {
    auto track = (*store)->find_track(args.track);
    if (!track) {
      fmt::print(stderr, "paddock export: {}\n", track.error().message);
      return 1;
    }
    if (!*track) {
      fmt::print(stderr, "paddock export: no track \"{}\" in {}\n", args.track, db);
      return 1;
    }
  }

  arena::ExportOptions options;
  options.track_id = args.track;
  if (args.up_to >= 0) options.up_to = args.up_to;
  options.format = *format;
  options.full = args.full;
  auto exporter = arena::VoteExport::open(**store, options);
  if (!exporter) {
    fmt::print(stderr, "paddock export: {}\n", exporter.error().message);
    return 1;
  }

  bool to_stdout = args.output.empty() || args.output == "-";
  std::filesystem::path target(args.output);
  std::filesystem::path partial = target;
  partial += ".partial";
  std::FILE* out = to_stdout ? stdout : std::fopen(partial.c_str(), "wb");
  if (!out) {
    fmt::print(stderr, "paddock export: cannot write {}: {}\n", partial.string(),
               std::strerror(errno));
    return 1;
  }
  auto cleanup = [&](bool keep) {
    if (to_stdout) return std::fflush(stdout) == 0;
    bool ok = std::fclose(out) == 0;
    if (keep && ok) {
      std::error_code ec;
      std::filesystem::rename(partial, target, ec);
      ok = !ec;
    }
    if (!keep || !ok) std::filesystem::remove(partial);
    return ok;
  };
  for (;;) {
    auto piece = (*exporter)->next();
    if (!piece) {
      cleanup(false);
      fmt::print(stderr, "paddock export: {}\n", piece.error().message);
      return 1;
    }
    if (!*piece) break;
    if (std::fwrite((*piece)->data(), 1, (*piece)->size(), out) != (*piece)->size()) {
      cleanup(false);
      fmt::print(stderr, "paddock export: writing {} failed: {}\n",
                 to_stdout ? "standard output" : target.string(), std::strerror(errno));
      return 1;
    }
  }
  if (!cleanup(true)) {
    fmt::print(stderr, "paddock export: finishing {} failed\n", target.string());
    return 1;
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export",
                                 "Write the votes in the common battle format (JSON Lines or CSV)");
  cmd->add_option("--db", args->db, "the database (default: $PADDOCK_DB or paddock.db)");
  cmd->add_option("--track", args->track, "only this track's votes");
  cmd->add_option("--up-to", args->up_to,
                  "only votes with an id up to this one (a board's last_vote_id)");
  cmd->add_option("--format", args->format, "jsonl (default) or csv");
  cmd->add_option("--output,-o", args->output, "the file to write (default: standard output)");
  cmd->add_flag("--full", args->full,
                "every vote with real model names, sessions and addresses, voided ones flagged "
                "(for operators; not for publishing)");
  cmd->callback([args, &exit_code] { exit_code = run_export(*args); });
}

}  // namespace paddock::cli
