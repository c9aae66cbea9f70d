#pragma once
// Parsing and running a CLI11 app the same way in both programs (paddock, paddock-full).

#include <CLI/CLI.hpp>

namespace paddock::cli {

inline constexpr const char* kProgramDescription =
    "paddock: a blind-test arena for generative video models";
inline constexpr const char* kProgramVersion = "paddock 0.1.0";

// Parses argv into `app` (whose subcommands set exit_code when they run) and returns the
// process exit code: 0 success, 1 the work failed (the error is printed), 2 bad usage.
int parse_and_run(CLI::App& app, const int& exit_code, int argc, char** argv);

}  // namespace paddock::cli
