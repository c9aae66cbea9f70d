#pragma once
// paddock demo: builds (or reuses) the demo arena in a folder and serves it.

namespace CLI {
class App;
}

namespace paddock::cli {

// Adds the "demo" subcommand to `app`; when it runs, its exit code goes to `exit_code`:
// 0 done (served until stopped, or prepared with --prepare-only), 1 the demo could not be
// built or served, 2 bad usage.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
