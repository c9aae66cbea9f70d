#pragma once
// `paddock serve`: the arena server (docs/running.md).

#include <CLI/CLI.hpp>

namespace paddock::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
