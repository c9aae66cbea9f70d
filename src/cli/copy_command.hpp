#pragma once
// `paddock copy --from A --to B`: moves a whole arena between databases (docs/storage.md).

#include <CLI/CLI.hpp>

namespace paddock::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_copy_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
