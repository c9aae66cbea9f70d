// The only translation unit that includes Boost.Beast/Asio: they are slow to compile, and
// everything above this file sees plain Request/Response values instead.

#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/responses.hpp"
#include "sys/thread_name.hpp"

namespace paddock::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// sendfile(2) calls per turn before a file response lets other connections on its thread run.
constexpr int kSendfileTurns = 8;
constexpr std::size_t kSendfileChunk = 1024 * 1024;
constexpr std::chrono::seconds kLingerTimeout{1};
// An idle connection keeps its body buffer for the next answer up to this size.
constexpr std::size_t kKeptBodyBytes = 64 * 1024;
// Room in the read buffer beyond the header and body limits: chunk sizes and the next
// pipelined request's first bytes.
constexpr std::size_t kReadSlack = 16 * 1024;

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::Get;
    case bhttp::verb::head:
      return Method::Head;
    case bhttp::verb::post:
      return Method::Post;
    case bhttp::verb::put:
      return Method::Put;
    case bhttp::verb::patch:
      return Method::Patch;
    case bhttp::verb::delete_:
      return Method::Delete;
    case bhttp::verb::options:
      return Method::Options;
    default:
      return Method::Other;
  }
}

class Connection;

// The security headers of responses.hpp as header lines, made once.
const std::string& security_header_lines() {
  static const std::string lines = [] {
    std::string out;
    for (auto [name, value] : security_headers()) {
      out.append(name.data(), name.size());
      out += ": ";
      out.append(value.data(), value.size());
      out += "\r\n";
    }
    return out;
  }();
  return lines;
}

// One io_context run by one thread; the connections it owns are only touched from there.
struct IoLane {
  net::io_context ioc{1};
  std::mutex mutex;  // guards `connections` (a connection may be destroyed on another thread)
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
};

struct ServerState {
  ServerOptions options;
  Handler* handler = nullptr;
  WorkQueue* blocking = nullptr;
  std::atomic<bool> draining{false};
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> in_flight{0};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, ServerState& state, IoLane& lane)
      : stream_(std::move(socket)),
        state_(state),
        lane_(lane),
        // Bounded: a chunked body's framing (chunk extensions, trailers) is not body, so the
        // parser's body limit alone would let one request fill memory until its deadline.
        buffer_(state.options.header_limit + state.options.body_limit + kReadSlack) {}

  ~Connection() {
    std::lock_guard lock(lane_.mutex);
    lane_.connections.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(lane_.mutex);
      lane_.connections.emplace(this, weak_from_this());
    }
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      auto address = remote.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      }
      peer_address_ = address.to_string();
    }
    wait_for_request();
  }

  // Called on this connection's thread when the server drains.
  void close_if_idle() {
    if (phase_ == Phase::Idle) close();
  }
  void close_now() { close(); }

 private:
  enum class Phase { Idle, Reading, Handling, Writing, Closed };

  void wait_for_request() {
    if (state_.draining.load()) return close();
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    phase_ = Phase::Idle;
    stream_.expires_after(state_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    phase_ = Phase::Reading;
    parser_.emplace();
    parser_->body_limit(state_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(state_.options.header_limit));
    stream_.expires_after(state_.options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return close();
    }
    if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
      return fail_request(
          413, "body_too_large",
          "request body exceeds the " + std::to_string(state_.options.body_limit) + "-byte limit");
    }
    if (ec == bhttp::error::header_limit) {
      return fail_request(431, "headers_too_large", "the request headers are too large");
    }
    if (ec) return fail_request(400, "bad_request", "malformed HTTP request: " + ec.message());
    auto length = parser_->content_length();
    if (length && *length > state_.options.body_limit) {
      return fail_request(413, "body_too_large",
                          "request body of " + std::to_string(*length) + " bytes exceeds the " +
                              std::to_string(state_.options.body_limit) + "-byte limit");
    }
    if (parser_->is_done()) return dispatch();
    auto& header = parser_->get();
    auto expect = header.find(bhttp::field::expect);
    if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue),
                       [self = shared_from_this()](beast::error_code wec, std::size_t) {
                         if (wec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(state_.options.header_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          // buffer_overflow: the framing of a chunked body (extensions, trailers) went on
          // past what any body within the limit needs.
          if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
            return self->fail_request(413, "body_too_large",
                                      "request body exceeds the " +
                                          std::to_string(self->state_.options.body_limit) +
                                          "-byte limit");
          }
          if (ec == beast::error::timeout || ec == net::error::eof ||
              ec == bhttp::error::partial_message || ec == net::error::connection_reset) {
            return self->close();
          }
          if (ec) {
            return self->fail_request(400, "bad_request",
                                      "malformed HTTP request body: " + ec.message());
          }
          self->dispatch();
        });
  }

  // Answers a request the server could not read, and closes the connection afterwards.
  void fail_request(int status, std::string_view code, std::string message) {
    keep_alive_ = false;
    head_request_ = false;
    version_ = 11;
    state_.in_flight.fetch_add(1);
    Response r = error_response(status, code, message);
    r.close = true;
    write(std::move(r));
  }

  void dispatch() {
    phase_ = Phase::Handling;
    stream_.expires_never();
    auto& m = parser_->get();
    keep_alive_ = m.keep_alive();
    version_ = m.version();
    head_request_ = m.method() == bhttp::verb::head;

    Request r;
    r.method = to_method(m.method());
    r.target = std::string(m.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    auto field = [&m](bhttp::field f) {
      auto it = m.find(f);
      return it == m.end() ? std::string() : std::string(it->value());
    };
    auto named = [&m](std::string_view name) {
      auto it = m.find(beast::string_view(name.data(), name.size()));
      return it == m.end() ? std::string() : std::string(it->value());
    };
    r.host = field(bhttp::field::host);
    r.content_type = field(bhttp::field::content_type);
    r.cookie = field(bhttp::field::cookie);
    r.origin = field(bhttp::field::origin);
    r.range = field(bhttp::field::range);
    r.if_range = field(bhttp::field::if_range);
    r.if_none_match = field(bhttp::field::if_none_match);
    r.accept_encoding = field(bhttp::field::accept_encoding);
    r.authorization = field(bhttp::field::authorization);
    r.sec_fetch_site = named("Sec-Fetch-Site");
    // Every X-Forwarded-For line, in order, as one list: each proxy may add its own line.
    auto [first, last] = m.equal_range(beast::string_view("X-Forwarded-For"));
    for (auto f = first; f != last; ++f) {
      if (!r.forwarded_for.empty()) r.forwarded_for += ", ";
      r.forwarded_for.append(f->value().data(), f->value().size());
    }
    r.body = std::move(m.body());
    r.peer_address = peer_address_;
    parser_.reset();

    state_.in_flight.fetch_add(1);
    auto self = shared_from_this();
    state_.handler->handle(std::move(r), [self](Response&& response) {
      auto shared = std::make_shared<Response>(std::move(response));
      net::dispatch(self->stream_.get_executor(),
                    [self, shared] { self->write(std::move(*shared)); });
    });
  }

  // The status line and headers, written by hand into head_: the buffer is reused, so
  // answering allocates nothing once it has grown, and Beast's per-field containers are
  // skipped. `length` is the Content-Length to announce (none for 204 and 304 answers and
  // for bodies of unknown length); `chunked` announces a chunked body.
  void serialize_head(const Response& r, std::optional<std::uint64_t> length, bool chunked) {
    head_.clear();
    head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(r.status);
    head_ += ' ';
    auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(r.status)));
    head_.append(reason.data(), reason.size());
    head_ += "\r\n";
    for (const auto& [name, value] : r.headers) {
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    head_ += security_header_lines();
    if (length) {
      head_ += "Content-Length: ";
      head_ += std::to_string(*length);
      head_ += "\r\n";
    }
    if (chunked) head_ += "Transfer-Encoding: chunked\r\n";
    // HTTP/1.1 keeps connections open unless told; HTTP/1.0 closes them unless told.
    if (version_ == 10 && keep_alive_) head_ += "Connection: keep-alive\r\n";
    if (version_ != 10 && !keep_alive_) head_ += "Connection: close\r\n";
    head_ += "\r\n";
  }

  void write(Response&& r) {
    if (phase_ == Phase::Closed) {
      state_.in_flight.fetch_sub(1);
      return;
    }
    phase_ = Phase::Writing;
    if (r.close || state_.draining.load()) keep_alive_ = false;

    if (head_request_ || r.status == 204 || r.status == 304) {
      std::optional<std::uint64_t> length;
      if (r.status != 204 && r.status != 304) {
        if (r.file) {
          length = static_cast<std::uint64_t>(r.file->length);
        } else if (!r.stream) {
          length = r.body.size();
        }
      }
      serialize_head(r, length, false);
      body_.clear();
      return write_head_and_body();
    }
    if (r.file) return send_file(std::move(r));
    if (r.stream) return send_stream(std::move(r));
    serialize_head(r, r.body.size(), false);
    body_ = std::move(r.body);
    write_head_and_body();
  }

  // Writes head_ and body_ piece by piece, so the write timeout applies to each piece (a
  // large answer to a slow client is fine as long as it keeps reading). Head and body
  // usually leave in one sendmsg(2).
  void write_head_and_body() {
    written_ = 0;
    write_more();
  }

  void write_more() {
    const std::size_t head = head_.size();
    std::array<net::const_buffer, 2> pieces;
    if (written_ < head) {
      pieces = {net::buffer(head_.data() + written_, head - written_), net::buffer(body_)};
    } else {
      std::size_t done = written_ - head;
      pieces = {net::buffer(body_.data() + done, body_.size() - done), net::const_buffer()};
    }
    stream_.expires_after(state_.options.write_timeout);
    stream_.async_write_some(pieces,
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               if (ec) return self->finish_response(false);
                               self->written_ += n;
                               if (self->written_ < self->head_.size() + self->body_.size())
                                 return self->write_more();
                               self->finish_response(true);
                             });
  }

  // Writes head_ whole, then calls next(ok).
  template <class Next>
  void write_head(Next next) {
    stream_.expires_after(state_.options.write_timeout);
    net::async_write(
        stream_, net::buffer(head_),
        [self = shared_from_this(), next](beast::error_code ec, std::size_t) { next(*self, !ec); });
  }

  // File bodies go from the page cache to the socket with sendfile(2): no copy through user
  // space, never the whole file in memory. The header goes first through Beast.
  void send_file(Response&& r) {
    serialize_head(r, static_cast<std::uint64_t>(r.file->length), false);
    file_ = std::move(*r.file);
    write_head([](Connection& self, bool ok) {
      if (!ok) return self.finish_file(false);
      self.send_file_body();
    });
  }

  void send_file_body() {
    auto& socket = stream_.socket();
    beast::error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) return finish_file(false);
    for (int turn = 0; turn < kSendfileTurns && file_.length > 0; ++turn) {
      off_t offset = file_.offset;
      auto want = static_cast<std::size_t>(std::min<int64_t>(file_.length, kSendfileChunk));
      ssize_t n = ::sendfile(socket.native_handle(), file_.file->fd(), &offset, want);
      if (n > 0) {
        file_.offset += n;
        file_.length -= n;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
      // The file shrank or failed under us; the status line is gone, so cut the body short.
      return finish_file(false);
    }
    if (file_.length == 0) return finish_file(true);
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->send_file_body(); });
  }

  // Waits until the socket takes more bytes, at most the write timeout.
  void wait_writable() {
    wait_timer_.expires_after(state_.options.write_timeout);
    wait_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the socket became writable
      if (auto self = weak.lock()) self->stream_.socket().cancel();
    });
    stream_.socket().async_wait(tcp::socket::wait_write,
                                [self = shared_from_this()](beast::error_code ec) {
                                  self->wait_timer_.cancel();
                                  if (ec) return self->finish_file(false);
                                  self->send_file_body();
                                });
  }

  void finish_file(bool ok) {
    file_ = {};
    finish_response(ok);
  }

  void send_stream(Response&& r) {
    serialize_head(r, std::nullopt, true);
    stream_body_ = std::move(r.stream);
    write_head([](Connection& self, bool ok) {
      if (!ok) return self.finish_response(false);
      self.next_piece();
    });
  }

  void next_piece() {
    auto self = shared_from_this();
    state_.blocking->post([self] {
      auto piece = std::make_shared<Result<std::optional<std::string>>>();
      try {
        *piece = self->stream_body_();
      } catch (const std::exception& e) {
        *piece = fail("internal", e.what());
      }
      net::post(self->stream_.get_executor(), [self, piece] { self->write_piece(piece); });
    });
  }

  void write_piece(std::shared_ptr<Result<std::optional<std::string>>> piece) {
    if (!*piece) {
      // Headers are out; the only honest signal left is to cut the chunked body short.
      keep_alive_ = false;
      return finish_response(false);
    }
    stream_.expires_after(state_.options.write_timeout);
    auto self = shared_from_this();
    if (!piece->value()) {
      net::async_write(stream_, bhttp::make_chunk_last(),
                       [self](beast::error_code ec, std::size_t) { self->finish_response(!ec); });
      return;
    }
    const std::string& text = *piece->value();
    if (text.empty()) return next_piece();
    net::async_write(stream_, bhttp::make_chunk(net::buffer(text)),
                     [self, piece](beast::error_code ec, std::size_t) {
                       if (ec) return self->finish_response(false);
                       self->next_piece();
                     });
  }

  void finish_response(bool ok) {
    stream_body_ = nullptr;
    if (body_.capacity() > kKeptBodyBytes) std::string().swap(body_);
    state_.in_flight.fetch_sub(1);
    if (!ok) return close();
    if (!keep_alive_) return linger_close();
    wait_for_request();
  }

  // Half-closes and reads what the client still sends for a moment, so that a response sent
  // before the whole request was read (a 413) is not lost to a TCP reset.
  void linger_close() {
    phase_ = Phase::Closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTimeout);
    drain_input();
  }

  void drain_input() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain_input();
                            });
  }

  void close() {
    phase_ = Phase::Closed;
    beast::error_code ec;
    if (stream_.socket().is_open()) {
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }
    if (!counted_closed_) {
      counted_closed_ = true;
      state_.connections.fetch_sub(1);
    }
  }

  beast::tcp_stream stream_;
  ServerState& state_;
  IoLane& lane_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string peer_address_;
  Phase phase_ = Phase::Idle;
  bool keep_alive_ = true;
  bool head_request_ = false;  // answering a HEAD request: headers only
  std::string head_;           // the answer's status line and headers
  std::string body_;           // the answer's body (string answers)
  std::size_t written_ = 0;    // bytes of head_ + body_ written so far
  unsigned version_ = 11;
  bool counted_closed_ = false;
  BodyStream stream_body_;
  Response::FileRange file_;
  net::steady_timer wait_timer_{stream_.get_executor()};
};

class BeastServer final : public Server {
 public:
  BeastServer(const ServerOptions& options, Handler& handler, WorkQueue& blocking) {
    state_.options = options;
    state_.handler = &handler;
    state_.blocking = &blocking;
    int threads = options.io_threads > 0 ? options.io_threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
    if (threads < 1) threads = 1;
    for (int i = 0; i < threads; ++i) {
      lanes_.push_back(std::make_unique<IoLane>());
      // Asio makes a lane's poller (three descriptors) with its first socket. Made now, so a
      // lane first used when descriptors have run out cannot fail (and end the server) there.
      tcp::socket poller_now(lanes_.back()->ioc);
    }
  }

  ~BeastServer() override {
    stop(std::chrono::milliseconds(0));
    // Handlers still queued (answers that arrived after the stop) are destroyed with their
    // io_context here, releasing their connections.
    backoff_timer_.reset();
    acceptor_.reset();
    lanes_.clear();
  }

  Status listen() {
    beast::error_code ec;
    auto address = net::ip::make_address(state_.options.host, ec);
    if (ec) {
      return fail("listen_failed",
                  "cannot listen on " + state_.options.host + ": not an IP address");
    }
    tcp::endpoint endpoint(address, state_.options.port);
    acceptor_ = std::make_unique<tcp::acceptor>(lanes_[0]->ioc);
    auto where = [&] { return state_.options.host + ":" + std::to_string(state_.options.port); };
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen_failed", "cannot listen on " + where() + ": " + ec.message());
    port_ = acceptor_->local_endpoint().port();
    backoff_timer_ = std::make_unique<net::steady_timer>(lanes_[0]->ioc);
    accept();
    for (auto& lane : lanes_) {
      guards_.emplace_back(net::make_work_guard(lane->ioc));
      threads_.emplace_back([l = lane.get()] {
        sys::name_this_thread("paddock-io");
        // A handler that throws must not end the server: log it and keep serving.
        for (;;) {
          try {
            l->ioc.run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("an I/O handler failed: {}", e.what());
          }
        }
      });
    }
    return ok();
  }

  uint16_t port() const override { return port_; }
  int64_t in_flight() const override { return state_.in_flight.load(); }

  void stop(std::chrono::milliseconds drain_timeout) override {
    if (stopped_) return;
    stopped_ = true;
    state_.draining.store(true);
    std::promise<void> closed;
    net::post(lanes_[0]->ioc, [this, &closed] {
      beast::error_code ec;
      acceptor_->close(ec);
      closed.set_value();
    });
    if (!threads_.empty()) closed.get_future().wait();
    for_each_connection([](Connection& c) { c.close_if_idle(); });
    auto deadline = std::chrono::steady_clock::now() + drain_timeout;
    // Requests being handled get their answers; connections that are only reading or
    // lingering are closed afterwards.
    while (state_.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      // Connections that finished their last response may be idle again briefly.
      for_each_connection([](Connection& c) { c.close_if_idle(); });
    }
    for_each_connection([](Connection& c) { c.close_now(); });
    guards_.clear();
    for (auto& lane : lanes_) lane->ioc.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void accept() {
    auto& lane = *lanes_[next_lane_];
    next_lane_ = (next_lane_ + 1) % lanes_.size();
    acceptor_->async_accept(
        lane.ioc.get_executor(), [this, &lane](beast::error_code ec, tcp::socket socket) {
          if (!acceptor_->is_open()) return;
          if (out_of_resources(ec)) return pause_accepting(ec);
          if (accept_pauses_ > 0) {
            spdlog::info("accepting connections again (after {} pauses)", accept_pauses_);
            accept_pauses_ = 0;
          }
          if (!ec) {
            try {
              admit(std::move(socket), lane);
            } catch (const std::exception& e) {  // that connection is lost, not the accept loop
              spdlog::error("cannot take a connection: {}", e.what());
            }
          }
          accept();
        });
  }

  void admit(tcp::socket socket, IoLane& lane) {
    if (static_cast<std::size_t>(state_.connections.load()) >= state_.options.max_connections) {
      return refuse_connection(socket);
    }
    state_.connections.fetch_add(1);
    auto c = std::make_shared<Connection>(std::move(socket), state_, lane);
    net::post(lane.ioc, [c] { c->start(); });
  }

  static bool out_of_resources(const beast::error_code& ec) {
    return ec == net::error::no_descriptors || ec.value() == ENFILE ||
           ec == net::error::no_buffer_space || ec == net::error::no_memory;
  }

  // Runs on the acceptor's thread (lane 0); accepting resumes after the backoff. Logged once
  // per episode, not once per attempt.
  void pause_accepting(const beast::error_code& ec) {
    if (accept_pauses_++ == 0) {
      spdlog::warn("cannot accept connections: {}; retrying every {} ms", ec.message(),
                   state_.options.accept_backoff.count());
    }
    backoff_timer_->expires_after(state_.options.accept_backoff);
    backoff_timer_->async_wait([this](beast::error_code wec) {
      if (wec || !acceptor_->is_open()) return;
      accept();
    });
  }

  // One connection too many: a short 503 written without waiting (the socket's send buffer
  // is empty), then closed, so the client learns why instead of hanging.
  static void refuse_connection(tcp::socket& socket) {
    static const std::string kBusy = [] {
      std::string body =
          R"({"error":{"code":"unavailable","message":"the server has too many connections; try again"}})";
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "Retry-After: 1\r\n" +
             security_header_lines() +
             "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
             body;
    }();
    beast::error_code ec;
    socket.non_blocking(true, ec);
    socket.send(net::buffer(kBusy), 0, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }

  // Runs `f` on every live connection, each on its own lane's thread; returns when done.
  template <class F>
  void for_each_connection(F f) {
    if (threads_.empty()) return;
    std::vector<std::future<void>> done;
    for (auto& lane : lanes_) {
      auto p = std::make_shared<std::promise<void>>();
      done.push_back(p->get_future());
      net::post(lane->ioc, [l = lane.get(), p, f] {
        std::vector<std::shared_ptr<Connection>> live;
        {
          std::lock_guard lock(l->mutex);
          for (auto& [raw, weak] : l->connections) {
            if (auto c = weak.lock()) live.push_back(std::move(c));
          }
        }
        for (auto& c : live) f(*c);
        p->set_value();
      });
    }
    for (auto& d : done) d.wait();
  }

  ServerState state_;
  std::vector<std::unique_ptr<IoLane>> lanes_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::size_t next_lane_ = 0;
  std::unique_ptr<net::steady_timer> backoff_timer_;  // on the acceptor's thread
  uint64_t accept_pauses_ = 0;                        // backoffs since accepting last worked
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options, Handler& handler,
                                              WorkQueue& blocking) {
  // sendfile(2) has no MSG_NOSIGNAL: a client that goes away in the middle of a clip (a
  // browser cancelling a range request) would end the process with SIGPIPE. Ignored, the
  // call fails with EPIPE and only that connection ends.
  ::signal(SIGPIPE, SIG_IGN);
  auto server = std::make_unique<BeastServer>(options, handler, blocking);
  if (auto s = server->listen(); !s) return std::unexpected(s.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace paddock::http
