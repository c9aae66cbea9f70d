#pragma once
// paddock generate --track T: clips made by the models' own APIs (docs/generate.md).

namespace CLI {
class App;
}

namespace paddock::cli {

// Adds the "generate" subcommand to `app`; when it runs, its exit code goes to `exit_code`:
// 0 every job of the run is stored (or, with --dry-run, the plan has no problem), 1 some
// job failed, was refused, is in doubt or was left (budget, Ctrl-C), or the store failed,
// 2 bad usage (flags, configuration).
void add_generate_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
