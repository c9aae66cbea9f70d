#pragma once
// A real `paddock serve` process for end-to-end tests: started on a free 127.0.0.1 port
// (--listen 127.0.0.1:0, the port read from its log), stopped with SIGTERM or killed with
// SIGKILL, its log kept for failure messages.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http_client.hpp"

namespace paddock::testing {

// The paddock executable under test.
std::filesystem::path paddock_binary();

class PaddockServer {
 public:
  struct Options {
    std::filesystem::path db;
    std::filesystem::path media;
    std::filesystem::path web_root;
    std::vector<std::string> args;  // more flags for `paddock serve`
    std::vector<std::pair<std::string, std::string>> env;
    // Another command line instead of serve (db, media, web_root and args are then unused),
    // e.g. {"demo", "--dir", D, "--listen", "127.0.0.1:0"}; it must log where it listens
    // as serve does.
    std::vector<std::string> command = {};
    // false: none of --listen, --db, --media, --web-root (the defaults apply, relative to
    // `cwd`), and the port is read from the log all the same.
    bool location_flags = true;
    std::filesystem::path cwd;  // empty: the test's own working directory
    // > 0: the server process may hold at most this many descriptors (RLIMIT_NOFILE).
    unsigned long open_files_limit = 0;
  };

  // Starts the server and waits until it listens. Throws std::runtime_error with its log if
  // it exits or does not listen within 20 s.
  explicit PaddockServer(Options options);
  // Stops it with SIGTERM if it is still running (SIGKILL after 20 s).
  ~PaddockServer();
  PaddockServer(const PaddockServer&) = delete;
  PaddockServer& operator=(const PaddockServer&) = delete;

  uint16_t port() const { return port_; }
  HttpClient client() const { return HttpClient("127.0.0.1", port_); }

  // SIGTERM, then waits; returns the exit status (128 + signal if killed by one).
  int stop();
  // SIGKILL, then waits.
  void kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Everything the server logged so far.
  std::string log() const;
  // The log once it holds `text` (a reader thread copies it from the server's pipe, so a
  // line written before an answer may arrive after it), or as it is after `timeout`.
  std::string log_with(std::string_view text,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  int wait_for_exit(int timeout_s);

  pid_t pid_ = -1;
  int err_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::string log_;
  std::thread reader_;
};

}  // namespace paddock::testing
