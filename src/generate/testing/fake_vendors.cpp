#include "generate/testing/fake_vendors.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "generate/http_client.hpp"

extern char** environ;

namespace paddock::generate::testing {
namespace {

const Client& control_client() {
  static const Client client = [] {
    ClientOptions options;
    options.allow = {"127.0.0.1"};
    auto c = Client::create(options);
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }();
  return client;
}

nlohmann::json exchange(const std::string& method, const std::string& url,
                        const std::string& body) {
  Request r;
  r.method = method;
  r.url = url;
  if (!body.empty()) {
    r.body = body;
    r.headers.add("Content-Type", "application/json");
  }
  auto reply = control_client().send(r);
  if (!reply) throw std::runtime_error("fake vendors: " + reply.error().message);
  if (!reply->ok()) {
    throw std::runtime_error("fake vendors: " + method + " " + url + ": HTTP " +
                             std::to_string(reply->status) + ": " + reply->body);
  }
  auto j = nlohmann::json::parse(reply->body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(reply->body) : j;
}

}  // namespace

std::string node_program() {
  return PADDOCK_NODE;
}

std::filesystem::path fake_vendors_script() {
  return PADDOCK_FAKE_VENDORS;
}

FakeVendors::FakeVendors(Options options) : options_(std::move(options)) {
  start();
}

FakeVendors::~FakeVendors() {
  try {
    stop(false);
  } catch (...) {
  }
}

void FakeVendors::start() {
  std::vector<std::string> args = {node_program(), fake_vendors_script().string(),
                                   "--media",      options_.media.string(),
                                   "--port",       std::to_string(options_.port)};
  if (!options_.state.empty()) {
    args.push_back("--state");
    args.push_back(options_.state.string());
  }
  if (!options_.default_media.empty()) {
    args.push_back("--default-media");
    args.push_back(options_.default_media);
  }
  for (const auto& [vendor, key] : options_.keys) {
    args.push_back("--key");
    args.push_back(vendor + "=" + key);
  }
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("fake vendors: pipe failed");
  }
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fake vendors: fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_fd_ = in[1];
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  ::close(out[0]);
  auto ready = nlohmann::json::parse(line, nullptr, false);
  if (!ready.is_object() || !ready.contains("port")) {
    stop(true);
    throw std::runtime_error("fake vendors did not start: \"" + line + "\"");
  }
  port_ = ready["port"].get<int>();
  options_.port = port_;  // a restart comes back on the same port
}

void FakeVendors::stop(bool hard) {
  if (pid_ <= 0) return;
  ::kill(pid_, hard ? SIGKILL : SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

void FakeVendors::restart() {
  stop(false);
  start();
}

std::string FakeVendors::base(std::string_view vendor) const {
  return url("/" + std::string(vendor));
}

std::string FakeVendors::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

nlohmann::json FakeVendors::get(std::string_view path) const {
  return exchange("GET", url(path), "");
}

nlohmann::json FakeVendors::post(std::string_view path, const nlohmann::json& body) const {
  return exchange("POST", url(path), body.dump());
}

nlohmann::json FakeVendors::requests(std::string_view vendor) const {
  return get(vendor.empty() ? "/_control/requests"
                            : "/_control/requests?vendor=" + std::string(vendor));
}

}  // namespace paddock::generate::testing
