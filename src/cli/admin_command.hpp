#pragma once
// paddock admin: models, votes and counts of a paddock database.

namespace CLI {
class App;
}

namespace paddock::cli {

// Adds the "admin" subcommand (models list|add|set, votes list|void, stats) to `app`; its
// exit code goes to `exit_code`: 0 done, 1 the store refused or failed, 2 bad usage (a
// vote request the arena refuses included).
void add_admin_command(CLI::App& app, int& exit_code);

}  // namespace paddock::cli
