#pragma once
// `paddock serve`: the arena server (docs/running.md).

#include <CLI/CLI.hpp>

namespace paddock::cli {

struct ServeSettings;

// Serves the arena with these settings until SIGINT or SIGTERM, then drains and closes the
// database; returns the exit code (0 stopped cleanly, 1 could not start). paddock serve and
// paddock demo both serve through it.
int serve(const ServeSettings& settings);

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
