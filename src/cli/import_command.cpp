// paddock import: the command-line face of arena::import_catalog.
#include "cli/import_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "arena/catalog_import.hpp"
#include "cli/progress_bar.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

struct ImportArgs {
  std::string catalog;
  std::string db = "paddock.db";  // the same defaults as paddock serve
  std::string media = "media";
  bool dry_run = false;
  bool reencode = false;  // the default; the flag stays so that older scripts still run
  bool remux = false;
  bool update_models = false;
  int jobs = 0;
};

constexpr const char* kRemuxWarning =
    "paddock import: warning: --remux keeps each clip's own encoding, so codecs, profiles, "
    "frame rates, sizes, time bases and file sizes differ between models: a voter who looks "
    "at a clip's file can tell which model made it (docs/security.md). Import without "
    "--remux for blind battles.";

std::string tally_text(const arena::Tally& t) {
  std::string s;
  auto part = [&](int64_t n, const char* what) {
    if (n == 0) return;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", n, what);
  };
  part(t.inserted, "inserted");
  part(t.updated, "updated");
  part(t.unchanged, "unchanged");
  part(t.checked, "checked");
  part(t.refused, "refused");
  return s.empty() ? "none" : s;
}

void print_summary(const ImportArgs& a, const arena::ImportReport& r) {
  if (r.dry_run) {
    fmt::print("paddock import --dry-run: {} checked; nothing was written\n", a.catalog);
  } else {
    fmt::print("paddock import: {} into {} (media in {})\n", a.catalog, a.db, a.media);
  }
  fmt::print("  tracks   {}\n", tally_text(r.tracks));
  fmt::print("  models   {}\n", tally_text(r.models));
  fmt::print("  prompts  {}\n", tally_text(r.prompts));
  fmt::print("  clips    {}\n", tally_text(r.clips));
  for (const std::string& note : r.notes) fmt::print("note: {}\n", note);
  if (!r.refused.empty()) {
    fmt::print("{} refused{}:\n", r.refused.size(), r.dry_run ? "" : " (the rest was imported)");
    for (const arena::Refusal& x : r.refused) {
      fmt::print("  {} {}: [{}] {}\n", x.kind, x.subject, x.code, x.message);
    }
  }
}

int run_import(const ImportArgs& a) {
  arena::ParsedManifest parsed = arena::read_catalog(a.catalog);
  auto report_problems = [&](const std::vector<std::string>& problems) {
    fmt::print(stderr, "paddock import: {} has {} problem{}; nothing was imported:\n", a.catalog,
               problems.size(), problems.size() == 1 ? "" : "s");
    for (const std::string& p : problems) fmt::print(stderr, "  {}\n", p);
    return 1;
  };

  // References are checked before anything is created, so a catalog with problems leaves
  // no database behind either: a database that is there is opened now (a PostgreSQL one
  // always is), a SQLite file that is not ("not_found") is made once the checks pass.
  std::unique_ptr<store::Store> store;
  store::StoreOptions existing_only;
  existing_only.create_if_missing = false;
  if (auto opened = store::open_store(a.db, existing_only)) {
    store = std::move(*opened);
  } else if (opened.error().code != "not_found") {
    if (!parsed.problems.empty()) report_problems(parsed.problems);
    fmt::print(stderr, "paddock import: {}\n", opened.error().message);
    return 1;
  }
  // Every problem at once: the records' own, duplicates and references.
  auto problems = arena::catalog_problems(parsed, store.get());
  if (!problems) {
    fmt::print(stderr, "paddock import: {}\n", problems.error().message);
    return 1;
  }
  if (!problems->empty()) return report_problems(*problems);
  if (!store && !a.dry_run) {
    auto created = store::open_store(a.db);
    if (!created) {
      fmt::print(stderr, "paddock import: {}\n", created.error().message);
      return 1;
    }
    store = std::move(*created);
  }

  arena::ImportOptions options;
  options.media_dir = a.media;
  options.dry_run = a.dry_run;
  options.remux = a.remux;
  options.update_models = a.update_models;
  options.jobs = a.jobs;
  if (a.remux) fmt::print(stderr, "{}\n", kRemuxWarning);
  ProgressBar bar(stderr, stderr_is_terminal());
  auto report =
      arena::import_catalog(parsed.manifest, store.get(), options, [&](const arena::ImportStep& s) {
        std::string result(arena::to_string(s.outcome));
        if (!s.reason.empty()) result += ": " + s.reason;
        bar.step(s.done, s.total, s.file, result);
      });
  bar.clear();
  if (!report) {
    fmt::print(stderr, "paddock import: {}\n", report.error().message);
    return 1;
  }
  if (!report->problems.empty()) return report_problems(report->problems);
  if (!store) {
    report->notes.push_back("no database at " + a.db +
                            " yet: references were checked against the catalog only");
  }
  print_summary(a, *report);
  return report->complete() ? 0 : 1;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Import tracks, models, prompts and clips (see docs/import-format.md)");
  cmd->add_option("catalog", args->catalog,
                  "a JSON Lines manifest, or a folder with prompts.jsonl and "
                  "TRACK/PROMPT/MODEL.mp4 files")
      ->required()
      ->check(CLI::ExistingPath);
  // The same defaults, and the same variables, as paddock serve.
  cmd->add_option("--db", args->db, "database: an SQLite file or a postgresql:// URL")
      ->envname("PADDOCK_DB")
      ->capture_default_str();
  cmd->add_option("--media", args->media, "media folder clips are stored in")
      ->envname("PADDOCK_MEDIA")
      ->capture_default_str();
  cmd->add_flag("--dry-run", args->dry_run,
                "probe and check everything, write nothing (no database, no media files)");
  auto* remux = cmd->add_flag("--remux", args->remux,
                              "keep each clip's own encoding instead of the house encoding "
                              "(faster, but the encodings can tell voters which model made a "
                              "clip)");
  cmd->add_flag("--reencode", args->reencode,
                "encode every clip with the house encoding (the default; kept for old scripts)")
      ->excludes(remux);
  cmd->add_option("--jobs", args->jobs, "clips encoded at once (default: one per core)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--update-models", args->update_models,
                "let the catalog overwrite models already in the database");
  cmd->callback([args, &exit_code] { exit_code = run_import(*args); });
}

}  // namespace paddock::cli
