#include "paddock_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace paddock::testing {

std::filesystem::path paddock_binary() {
  return PADDOCK_BINARY;
}

PaddockServer::PaddockServer(Options options) {
  std::vector<std::string> args{paddock_binary().string(), "serve"};
  if (options.location_flags) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0", "--db", options.db.string(), "--media",
                             options.media.string()});
  }
  if (options.location_flags && !options.web_root.empty()) {
    args.push_back("--web-root");
    args.push_back(options.web_root.string());
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  if (!options.command.empty()) {
    args = {paddock_binary().string()};
    args.insert(args.end(), options.command.begin(), options.command.end());
  }
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (entry.starts_with("PADDOCK_")) continue;  // the test decides the configuration
    env.push_back(entry);
  }
  for (const auto& [k, v] : options.env) env.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(126);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(err_pipe[1], 2);
    if (options.open_files_limit > 0) {
      rlimit limit{options.open_files_limit, options.open_files_limit};
      if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(125);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  err_fd_ = err_pipe[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(err_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard lock(mutex_);
      log_.append(buf, static_cast<std::size_t>(n));
    }
  });

  static constexpr std::string_view kListening = "listening on http://127.0.0.1:";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      auto at = log_.find(kListening);
      if (at != std::string::npos) {
        std::size_t digits = at + kListening.size();
        std::size_t end = digits;
        while (end < log_.size() && std::isdigit(static_cast<unsigned char>(log_[end]))) ++end;
        if (end > digits && end < log_.size()) {
          port_ = static_cast<uint16_t>(std::stoi(log_.substr(digits, end - digits)));
          return;
        }
      }
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      reader_.join();
      throw std::runtime_error("paddock serve exited before listening:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
  throw std::runtime_error("paddock serve did not listen within 20 s:\n" + log());
}

PaddockServer::~PaddockServer() {
  if (pid_ > 0) stop();
  if (reader_.joinable()) reader_.join();
  if (err_fd_ >= 0) ::close(err_fd_);
}

int PaddockServer::wait_for_exit(int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int PaddockServer::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return wait_for_exit(20);
}

void PaddockServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(20);
}

std::string PaddockServer::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::string PaddockServer::log_with(std::string_view text,
                                    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string now = log();
    if (now.find(text) != std::string::npos || std::chrono::steady_clock::now() >= deadline) {
      return now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace paddock::testing
