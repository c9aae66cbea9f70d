#pragma once
// Running a program (paddock itself, ffmpeg, ffprobe) and collecting what it printed.
//
//   auto r = paddock::testing::run_process({paddock_binary, "import", "manifest.jsonl"},
//                                          {.cwd = dir.path()});
//   EXPECT_EQ(r.exit_code, 0) << r.err;

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace paddock::testing {

struct ProcessOptions {
  std::filesystem::path cwd;  // empty: the test's own working directory
  // Added to (or replacing in) the test's environment.
  std::vector<std::pair<std::string, std::string>> env = {};
  std::string stdin_text = {};  // written to the program's standard input, which is then closed
  std::chrono::seconds timeout{120};  // the program is killed (SIGKILL) after this long
};

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number if it was killed
  std::string out;     // everything it wrote to stdout
  std::string err;     // everything it wrote to stderr
  bool timed_out = false;
};

// Runs argv[0] (looked up in PATH when it has no '/') with the arguments, waits for it and
// returns its exit code and output. Throws std::runtime_error if it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace paddock::testing
