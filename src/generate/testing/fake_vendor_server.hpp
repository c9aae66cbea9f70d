#pragma once
// Test support: the fake video vendors (tests/generate/fake_vendors/server.mjs, see its
// README) as a child process of the test, with a media folder of real clips made with ffmpeg.
// It speaks every vendor's documented task protocol on 127.0.0.1 and validates requests as
// the vendors' documentation says, so an adapter that sends a wrong field fails against it.
//
//   FakeVendorServer fake;                       // node server.mjs --media DIR --port 0
//   fake.behaviour({{"vendor", "ark"}, {"outcome", "fail"}, {"fail_kind", "moderation"}});
//   provider base URL: fake.base("ark")          // "http://127.0.0.1:N/ark"
//   fake.requests("ark")                         // what the fake received (secrets masked)
//
// The server exits when the object goes away (its stdin closes), and also if the test
// process dies. Every method throws std::runtime_error when the fake does not answer as
// expected, so a broken fixture shows up as a test failure that says why.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "generate/http_client.hpp"

namespace paddock::generate::testing {

class FakeVendorServer {
 public:
  // Makes the media folder (clip.mp4: 1 s, 320x180 H.264; source.png and source.jpg: 320x180
  // images for image-to-video) and starts the server. Throws std::runtime_error.
  FakeVendorServer();
  ~FakeVendorServer();
  FakeVendorServer(const FakeVendorServer&) = delete;
  FakeVendorServer& operator=(const FakeVendorServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:N" + path.
  std::string url(std::string_view path = "") const;
  // A vendor's base URL: "http://127.0.0.1:N/<prefix>".
  std::string base(std::string_view prefix) const { return url("/" + std::string(prefix)); }
  const std::filesystem::path& media_dir() const { return media_dir_; }
  std::filesystem::path source_png() const { return media_dir_ / "source.png"; }
  std::filesystem::path source_jpg() const { return media_dir_ / "source.jpg"; }
  // The bytes of the default result clip.
  std::int64_t clip_bytes() const;

  // POST /_control/behaviour with one rule or an array of rules.
  void behaviour(const nlohmann::json& rules) const;
  // GET /_control/requests?vendor=V: every request the fake received for V.
  nlohmann::json requests(std::string_view vendor) const;
  // GET /_control/submissions.
  nlohmann::json submissions() const;
  // POST /_control/clock {"advance_seconds": N}.
  void advance_clock(std::chrono::seconds by) const;

 private:
  nlohmann::json control(std::string method, std::string_view path,
                         const nlohmann::json& body = nullptr) const;

  std::filesystem::path media_dir_;
  int pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  Client client_;
};

}  // namespace paddock::generate::testing
