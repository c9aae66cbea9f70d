#pragma once
// Test support: a real HTTP/1.1 server on a loopback address, started by a test, whose
// answers the test writes — whole replies, or raw bytes for the replies a provider or an
// attacker might send (a body cut short, a chunked body that never ends, a reply that
// trickles, a redirect to anywhere). One thread per connection; every connection is closed
// after one exchange.
//
//   TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
//     exchange.respond(200, R"({"ok":true})", {{"Content-Type", "application/json"}});
//   });
//   client.send({.url = server.url("/v1/tasks")});

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace paddock::generate::testing {

struct ReceivedRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/path?query" (or an absolute URL when sent to a proxy)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header named `name` (ASCII case ignored), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

// The answering side of one connection.
class Exchange {
 public:
  // A whole reply with Content-Length and "Connection: close".
  void respond(int status, std::string_view body, const Fields& headers = {});
  // A status line and headers (add "Content-Length" or "Transfer-Encoding: chunked"
  // yourself), then the empty line.
  bool write_head(int status, const Fields& headers);
  // Raw bytes. Returns false once the client has gone (or the server is stopping).
  bool write(std::string_view bytes);
  // One chunk of a chunked body; write_last_chunk() ends the body.
  bool write_chunk(std::string_view data);
  bool write_last_chunk();
  // Sleeps, but returns false at once if the server is stopping.
  bool pause(std::chrono::milliseconds duration);
  // Body bytes (and raw bytes) written so far on this connection.
  std::int64_t bytes_written() const { return bytes_written_; }

 private:
  friend class TestHttpServer;
  struct Connection;
  explicit Exchange(Connection& connection) : connection_(connection) {}
  Connection& connection_;
  std::int64_t bytes_written_ = 0;
};

using Handler = std::function<void(const ReceivedRequest&, Exchange&)>;

class TestHttpServer {
 public:
  // Listens on `address` (a loopback address: "127.0.0.1", "127.0.0.2", "::1") on a port
  // the system picks. Throws std::runtime_error if it cannot.
  explicit TestHttpServer(Handler handler, std::string address = "127.0.0.1");
  // Closes every connection (pauses return false, writes fail) and joins all threads.
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://<address>:<port>" + path ("[::1]" for IPv6).
  std::string url(std::string_view path = "/") const;
  // Requests read so far, and the last one (for checking what the client sent).
  int requests() const;
  std::vector<ReceivedRequest> received() const;
  // Connections whose handler has returned.
  int finished() const { return finished_.load(); }

 private:
  struct Sockets;
  void accept_loop();
  void serve(Exchange::Connection& connection);

  Handler handler_;
  std::string address_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Sockets> sockets_;  // Asio's io_context and acceptor, kept out of this header
  std::atomic<bool> stopping_{false};
  std::atomic<int> finished_{0};
  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  std::vector<int> open_fds_;
  std::vector<ReceivedRequest> received_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;

  friend class Exchange;
};

}  // namespace paddock::generate::testing
