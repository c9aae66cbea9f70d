#include "cli/front.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/rate_command.hpp"
#include "cli/run_app.hpp"

namespace paddock::cli {

namespace {

constexpr std::string_view kFullProgram = "paddock-full";

// The folder this program was started from (the full program sits beside it).
std::string own_folder() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= path.size()) return ".";
  path.resize(static_cast<std::size_t>(n));
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

int run_front(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "rate") {
    CLI::App app{kProgramDescription};
    app.set_version_flag("--version", kProgramVersion);
    app.require_subcommand(1);
    int exit_code = 0;
    add_rate_command(app, exit_code);
    return parse_and_run(app, exit_code, argc, argv);
  }
  const std::string full = own_folder() + "/" + std::string(kFullProgram);
  ::execv(full.c_str(), argv);
  std::fprintf(stderr, "paddock: cannot run %s: %s (it must sit beside paddock)\n", full.c_str(),
               std::strerror(errno));
  return 1;
}

}  // namespace paddock::cli
