#include "cli/export_command.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "arena/vote_export.hpp"
#include "arena/watch_weighting.hpp"
#include "base/escaping.hpp"
#include "cli/whole_number.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

struct ExportArgs {
  std::string db;
  std::string track;
  std::optional<int64_t> up_to;  // nullopt: every vote
  std::string format = "jsonl";
  std::string output = "-";
  bool full = false;
  bool clips = false;
  // As paddock serve's --watch-weighting and --watch-share: each vote's weight is written.
  std::string watch_weighting = "off";
  double watch_share = 0.5;
};

// The header of --clips --format csv; JSON Lines objects have the same keys.
constexpr std::string_view kClipColumns[] = {
    "track",   "prompt", "model", "model_name", "clip_hash",    "provider",        "provider_model",
    "task_id", "seed",   "cost",  "currency",   "generation_s", "generated_at_ms", "request"};

// Every clip paddock generate made, with where it came from (docs/export.md). An operator's
// export: it names the real models and their providers.
Result<std::string> clip_provenance(store::Store& store, const std::string& track, bool csv) {
  auto generations = store.list_clip_generations(track);
  if (!generations) return std::unexpected(generations.error());
  auto clips = store.list_clips(track);
  if (!clips) return std::unexpected(clips.error());
  auto models = store.list_models();
  if (!models) return std::unexpected(models.error());
  std::map<std::string, std::string> names, hashes;
  for (const auto& m : *models) names[m.id] = m.display_name;
  for (const auto& c : *clips) hashes[c.track_id + "/" + c.prompt_id + "/" + c.model_id] = c.hash;
  std::string out;
  if (csv) {
    for (size_t i = 0; i < std::size(kClipColumns); ++i) {
      if (i > 0) out += ',';
      out += kClipColumns[i];
    }
    out += '\n';
  }
  for (const auto& g : *generations) {
    using nlohmann::json;
    json row = {{"track", g.track_id},
                {"prompt", g.prompt_id},
                {"model", g.model_id},
                {"model_name", names[g.model_id]},
                {"clip_hash", hashes[g.track_id + "/" + g.prompt_id + "/" + g.model_id]},
                {"provider", g.provider},
                {"provider_model", g.provider_model},
                {"task_id", g.task_id},
                {"seed", g.seed ? json(*g.seed) : json()},
                {"cost", g.cost ? json(*g.cost) : json()},
                {"currency", g.currency},
                {"generation_s", static_cast<double>(g.generation_ms) / 1000},
                {"generated_at_ms", g.generated_at_ms},
                {"request", json::parse(g.request, nullptr, false)}};
    if (!csv) {
      out += row.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      continue;
    }
    for (size_t i = 0; i < std::size(kClipColumns); ++i) {
      if (i > 0) out += ',';
      const json& v = row[std::string(kClipColumns[i])];
      append_csv_cell(out, v.is_null() ? std::string()
                           : v.is_string()
                               ? v.get<std::string>()
                               : v.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    out += '\n';
  }
  return out;
}

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

  if (args.clips) {
    auto text = clip_provenance(**store, args.track, *format == arena::ExportFormat::Csv);
    if (!text) {
      fmt::print(stderr, "paddock export: {}\n", text.error().message);
      return 1;
    }
    if (args.output.empty() || args.output == "-") {
      fmt::print("{}", *text);
      return std::fflush(stdout) == 0 ? 0 : 1;
    }
    const std::filesystem::path partial = args.output + ".partial";
    std::FILE* f = std::fopen(partial.c_str(), "wb");
    const bool written = f && std::fwrite(text->data(), 1, text->size(), f) == text->size();
    const bool closed = f && std::fclose(f) == 0;
    std::error_code ec;
    if (written && closed) std::filesystem::rename(partial, args.output, ec);
    if (!written || !closed || ec) {
      std::filesystem::remove(partial, ec);
      fmt::print(stderr, "paddock export: cannot write {}\n", args.output);
      return 1;
    }
    return 0;
  }

  auto watch_weighting = arena::parse_watch_weighting(args.watch_weighting, args.watch_share);
  if (!watch_weighting) {
    fmt::print(stderr, "paddock export: {}\n", watch_weighting.error().message);
    return 2;
  }
  arena::ExportOptions options;
  options.track_id = args.track;
  options.up_to = args.up_to;
  options.format = *format;
  options.full = args.full;
  options.watch_weighting = *watch_weighting;
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
                  "only votes with an id up to this one (a board's last_vote_id)")
      ->check(whole_number());  // as over HTTP: -1 is an error, not "every vote"
  cmd->add_option("--format", args->format, "jsonl (default) or csv");
  cmd->add_option("--output,-o", args->output, "the file to write (default: standard output)");
  cmd->add_flag("--full", args->full,
                "every vote with real model names, sessions and addresses, voided ones flagged "
                "(for operators; not for publishing)");
  cmd->add_option("--watch-weighting", args->watch_weighting,
                  "write each vote's weight as a server with this --watch-weighting weighs it "
                  "(a weight in (0, 1], or off: the default), so paddock rate reproduces its "
                  "boards");
  cmd->add_option("--watch-share", args->watch_share,
                  "with --watch-weighting: the server's --watch-share (default 0.5)");
  cmd->add_flag("--clips", args->clips,
                "instead of votes: every generated clip with its provenance (provider, model id, "
                "task id, request, seed, cost, generation time; for operators)");
  cmd->callback([args, &exit_code] { exit_code = run_export(*args); });
}

}  // namespace paddock::cli
