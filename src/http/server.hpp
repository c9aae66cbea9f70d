#pragma once
// The HTTP/1.1 server: accepts connections, reads requests with limits and timeouts, hands
// each one to a Handler and writes what it answers (strings, file ranges streamed from disk,
// or chunked streams). All of Boost.Beast lives behind this header, in server.cpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "http/message.hpp"
#include "http/work_queue.hpp"

namespace paddock::http {

// Answers requests. handle() runs on an io thread and must not block; it may answer later,
// from any thread, through the Responder.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Request&& request, Responder respond) = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  int io_threads = 0;    // 0: one per core
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers (and body)
  std::chrono::milliseconds idle_timeout{30'000};    // waiting for the next request
  std::chrono::milliseconds write_timeout{30'000};   // each write making no progress
  // Open connections at most; one more is answered 503 and closed at once.
  std::size_t max_connections = 10'000;
  // When accept(2) fails for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
  // ENOMEM), accepting pauses this long instead of retrying at once: the pending connection
  // stays in the listen queue, so an immediate retry would fail again in a busy loop.
  std::chrono::milliseconds accept_backoff{100};
};

class Server {
 public:
  // Binds and starts serving on background threads. Errors: "listen_failed" naming the
  // address and the reason. `blocking` runs the pieces of streamed bodies.
  static Result<std::unique_ptr<Server>> start(const ServerOptions& options, Handler& handler,
                                               WorkQueue& blocking);
  virtual ~Server() = default;

  // The port actually bound (useful with port 0).
  virtual uint16_t port() const = 0;
  // Stops accepting, closes idle connections, lets in-flight requests finish (up to
  // `drain_timeout`, then closes what is left) and joins the io threads. Idempotent.
  virtual void stop(std::chrono::milliseconds drain_timeout) = 0;
  // Requests being handled or written right now.
  virtual int64_t in_flight() const = 0;
};

// Every response the server writes gets the security headers of responses.hpp, those the
// server makes itself (400 for malformed requests, 413 for oversized bodies, ...) included.

}  // namespace paddock::http
