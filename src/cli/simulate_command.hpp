#pragma once
#include <CLI/CLI.hpp>

namespace paddock::cli {

// `paddock simulate`: a synthetic vote log with known true ratings (docs/rate.md).
void add_simulate_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
