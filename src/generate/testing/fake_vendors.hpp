#pragma once
// Test support: the fake vendor server (tests/generate/fake_vendors/server.mjs, see its
// README) as a child process of the test, on 127.0.0.1, with its control API.
//
//   FakeVendors fake({.media = dir / "media"});          // clips the test made with ffmpeg
//   provider config: base_url = fake.base("dashscope"), allow_addresses = {"127.0.0.1"}
//   fake.behaviour({{"vendor", "dashscope"}, {"outcome", "fail"}});
//   auto sent = fake.get("/_control/requests?vendor=dashscope");
//
// The fake exits when the test process dies (its stdin is a pipe from here). Every
// function throws std::runtime_error when the fake does not answer as it should.

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::generate::testing {

class FakeVendors {
 public:
  struct Options {
    std::filesystem::path media;    // --media: the clips results are served from
    std::filesystem::path state{};  // --state FILE: survives restarts
    std::string default_media{};    // --default-media NAME
    std::vector<std::pair<std::string, std::string>> keys{};  // --key vendor=secret
    int port = 0;                                             // 0: a free one
  };

  explicit FakeVendors(Options options);
  ~FakeVendors();
  FakeVendors(const FakeVendors&) = delete;
  FakeVendors& operator=(const FakeVendors&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/<vendor>", a provider's base URL.
  std::string base(std::string_view vendor) const;
  std::string url(std::string_view path) const;

  nlohmann::json get(std::string_view path) const;
  nlohmann::json post(std::string_view path, const nlohmann::json& body) const;
  // POST /_control/behaviour.
  void behaviour(const nlohmann::json& rules) const { post("/_control/behaviour", rules); }
  // Requests the fake logged for `vendor` (every vendor if empty).
  nlohmann::json requests(std::string_view vendor = {}) const;

  // Stops the fake (SIGTERM, or SIGKILL when `hard`) and waits for it.
  void stop(bool hard = false);
  // Starts it again with the same options (and the same port unless it is taken).
  void restart();

 private:
  void start();

  Options options_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// The node program and the server script, as CMake found them.
std::string node_program();
std::filesystem::path fake_vendors_script();

}  // namespace paddock::generate::testing
