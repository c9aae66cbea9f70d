#include "store/testing/crash_load.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

extern char** environ;  // NOLINT: POSIX

namespace paddock::store::test_support {
namespace {

void take_line(const std::string& line, CrashLoad& load) {
  if (line.starts_with("error ")) {
    load.errors.push_back(line);
    return;
  }
  std::istringstream in(line);
  int64_t id = 0;
  std::string battle;
  if (in >> id >> battle) load.acknowledged[battle] = id;
}

}  // namespace

CrashLoad load_and_kill(const std::string& writer, const std::string& location,
                        const std::string& prefix, int batch_size, int at_least,
                        std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  const std::string batch = std::to_string(batch_size);
  std::vector<char*> argv = {const_cast<char*>(writer.c_str()), const_cast<char*>(location.c_str()),
                             const_cast<char*>(prefix.c_str()), const_cast<char*>(batch.c_str()),
                             nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, writer.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start " + writer);
  }

  CrashLoad load;
  std::string pending;
  auto drain = [&](int wait_ms) -> bool {  // false at end of file
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) return true;
    char buffer[65536];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) return false;
    pending.append(buffer, static_cast<size_t>(n));
    size_t end = 0;
    while ((end = pending.find('\n')) != std::string::npos) {
      take_line(pending.substr(0, end), load);
      pending.erase(0, end + 1);
    }
    return true;
  };

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool open = true;
  while (open && static_cast<int>(load.acknowledged.size()) < at_least &&
         std::chrono::steady_clock::now() < deadline) {
    open = drain(50);
  }
  load.killed = open && kill(pid, SIGKILL) == 0;
  // What it wrote before dying was acknowledged; a last line without its newline was not.
  while (drain(1000)) {
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return load;
}

}  // namespace paddock::store::test_support
