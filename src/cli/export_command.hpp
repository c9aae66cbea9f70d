#pragma once
// `paddock export`: the vote log in the common battle format (docs/export.md).

#include <CLI/CLI.hpp>

namespace paddock::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_export_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
