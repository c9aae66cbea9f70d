#pragma once
#include <CLI/CLI.hpp>

namespace paddock::cli {

// `paddock rate`: a leaderboard from vote logs (docs/rate.md).
void add_rate_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
