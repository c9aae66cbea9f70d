#pragma once
// The paddock program's subcommands. main() only calls run().

namespace paddock::cli {

// Parses argv, runs the chosen subcommand, returns the process exit code:
// 0 success, 1 the work failed (the error is printed), 2 bad usage.
int run(int argc, char** argv);

}  // namespace paddock::cli
