#include "cli/run_app.hpp"

namespace paddock::cli {

int parse_and_run(CLI::App& app, const int& exit_code, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand failed and has said why
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace paddock::cli
