#pragma once
// A small blocking HTTP/1.1 client over a plain socket, for tests: it sends exactly the bytes
// a test asks for (malformed requests included) and parses what comes back without trying to
// be forgiving, so a server mistake shows up as a test failure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header with this name (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  // Everything received, for "this never appears anywhere" checks.
  std::string raw_headers;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // Connects to host:port (IPv4 literal). Throws std::runtime_error if it cannot.
  HttpClient(std::string host, uint16_t port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) = delete;
  HttpClient(const HttpClient&) = delete;

  // Sends a request on the kept-alive connection (reconnecting if the server closed it) and
  // reads the answer. Sends the session cookie it was given earlier unless `headers` has a
  // Cookie. Throws std::runtime_error on I/O failure or a malformed answer.
  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {});
  HttpResponse get(std::string_view target, const Headers& headers = {}) {
    return request("GET", target, headers);
  }
  // POST with Content-Type: application/json.
  HttpResponse post_json(std::string_view target, std::string_view json, Headers headers = {});

  // Writes raw bytes on the connection (connecting first if needed).
  void send_raw(std::string_view bytes);
  // Reads one response; `head` says whether it answers a HEAD request.
  HttpResponse read_response(bool head = false);
  // True if the server has closed the connection (waits up to `wait` for it).
  bool closed_by_peer(std::chrono::milliseconds wait);

  // The session cookie value ("paddock_session=..."), empty until the server sets one.
  const std::string& session_cookie() const { return cookie_; }
  void set_session_cookie(std::string cookie) { cookie_ = std::move(cookie); }
  void set_timeout(std::chrono::milliseconds t);
  // Whether request() retries once on a fresh connection when a kept-alive one fails (on by
  // default; tests that count acknowledgements turn it off).
  void set_retry(bool retry) { retry_ = retry; }
  void disconnect();

 private:
  void connect();
  std::size_t fill();  // reads more bytes into buffer_; 0 on EOF

  std::string host_;
  uint16_t port_;
  int fd_ = -1;
  std::string buffer_;
  std::string cookie_;
  std::chrono::milliseconds timeout_{15'000};
  bool retry_ = true;
};

}  // namespace paddock::testing
