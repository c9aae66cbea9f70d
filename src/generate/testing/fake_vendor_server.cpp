#include "generate/testing/fake_vendor_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "generate/testing/loopback_client.hpp"
#include "support/media_files.hpp"

#ifndef PADDOCK_FAKE_VENDORS_SERVER
#error "PADDOCK_FAKE_VENDORS_SERVER must name tests/generate/fake_vendors/server.mjs"
#endif
#ifndef PADDOCK_NODE
#error "PADDOCK_NODE must name the node executable"
#endif

namespace paddock::generate::testing {
namespace {

using namespace std::chrono_literals;

std::filesystem::path fresh_folder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "paddock-fake-vendors-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("FakeVendorServer: mkdtemp: ") + std::strerror(errno));
  }
  return pattern;
}

// The first line the child writes, or throws after `timeout`.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) throw std::runtime_error("FakeVendorServer: no port line within the timeout");
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) throw std::runtime_error("FakeVendorServer: the server exited before listening");
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace

FakeVendorServer::FakeVendorServer()
    : media_dir_(fresh_folder()), client_(loopback_client({.allow = {"127.0.0.1"}})) {
  std::filesystem::copy_file(paddock::testing::shared_clip({.duration_s = 1}),
                             media_dir_ / "clip.mp4");
  paddock::testing::make_image(source_png(), 320, 180);
  paddock::testing::make_image(source_jpg(), 320, 180);

  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("FakeVendorServer: pipe: ") + std::strerror(errno));
  }
  std::string node = PADDOCK_NODE;
  std::string server = PADDOCK_FAKE_VENDORS_SERVER;
  std::string media_flag = "--media";
  std::string media = media_dir_.string();
  std::string default_flag = "--default-media";
  std::string default_media = "clip.mp4";
  std::string port_flag = "--port";
  std::string port = "0";
  char* argv[] = {node.data(),      server.data(),       media_flag.data(),
                  media.data(),     default_flag.data(), default_media.data(),
                  port_flag.data(), port.data(),         nullptr};
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("FakeVendorServer: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  pid_ = pid;
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  const std::string line = read_line(stdout_fd_, 20s);
  const auto ready = nlohmann::json::parse(line, nullptr, false);
  if (!ready.is_object() || !ready.contains("port") || !ready["port"].is_number_integer()) {
    throw std::runtime_error("FakeVendorServer: unexpected first line: " + line);
  }
  port_ = ready["port"].get<std::uint16_t>();
}

FakeVendorServer::~FakeVendorServer() {
  // Closing stdin tells the server to exit; a server that lingers is killed.
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  std::error_code ignored;
  std::filesystem::remove_all(media_dir_, ignored);
}

std::string FakeVendorServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::int64_t FakeVendorServer::clip_bytes() const {
  return static_cast<std::int64_t>(std::filesystem::file_size(media_dir_ / "clip.mp4"));
}

nlohmann::json FakeVendorServer::control(std::string method, std::string_view path,
                                         const nlohmann::json& body) const {
  Request request{.method = std::move(method), .url = url(path)};
  if (!body.is_null()) {
    request.body = body.dump();
    request.headers.add("Content-Type", "application/json");
  }
  auto response = client_.send(request);
  if (!response) {
    throw std::runtime_error("FakeVendorServer: " + std::string(path) + ": " +
                             response.error().message);
  }
  if (!response->ok()) {
    throw std::runtime_error("FakeVendorServer: " + std::string(path) + ": HTTP " +
                             std::to_string(response->status) + ": " + response->body);
  }
  return nlohmann::json::parse(response->body, nullptr, false);
}

void FakeVendorServer::behaviour(const nlohmann::json& rules) const {
  control("POST", "/_control/behaviour", rules);
}

nlohmann::json FakeVendorServer::requests(std::string_view vendor) const {
  return control("GET", "/_control/requests?vendor=" + std::string(vendor));
}

nlohmann::json FakeVendorServer::submissions() const {
  return control("GET", "/_control/submissions");
}

void FakeVendorServer::advance_clock(std::chrono::seconds by) const {
  control("POST", "/_control/clock", {{"advance_seconds", by.count()}});
}

}  // namespace paddock::generate::testing
