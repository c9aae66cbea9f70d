#include "cli/commands.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "cli/admin_command.hpp"
#include "cli/copy_command.hpp"
#include "cli/demo_command.hpp"
#include "cli/export_command.hpp"
#include "cli/generate_command.hpp"
#include "cli/import_command.hpp"
#include "cli/rate_command.hpp"
#include "cli/run_app.hpp"
#include "cli/serve_command.hpp"
#include "cli/simulate_command.hpp"

namespace paddock::cli {

int run(int argc, char** argv) {
  CLI::App app{kProgramDescription};
  app.set_version_flag("--version", kProgramVersion);
  app.require_subcommand(1);
  // Each subcommand registers itself here: add_<name>_command(app, exit_code); the one
  // that runs sets exit_code.
  int exit_code = 0;
  add_import_command(app, exit_code);
  add_admin_command(app, exit_code);
  add_demo_command(app, exit_code);
  add_copy_command(app, exit_code);
  add_rate_command(app, exit_code);
  add_simulate_command(app, exit_code);
  add_serve_command(app, exit_code);
  add_export_command(app, exit_code);
  add_generate_command(app, exit_code);

  return parse_and_run(app, exit_code, argc, argv);
}

}  // namespace paddock::cli
