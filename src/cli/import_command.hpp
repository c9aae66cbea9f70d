#pragma once
// paddock import CATALOG: tracks, models, prompts and clips into the store and media folder.

namespace CLI {
class App;
}

namespace paddock::cli {

// Adds the "import" subcommand to `app`; when it runs, its exit code goes to `exit_code`:
// 0 everything imported, 1 something was refused (the rest was imported) or the catalog
// has problems (nothing was imported) or the store failed, 2 bad usage.
void add_import_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
