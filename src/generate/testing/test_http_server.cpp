// Beast reads the requests; the answers are written as raw bytes, so a test can send
// whatever a misbehaving server would.

#include "generate/testing/test_http_server.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <stdexcept>

#include "base/text.hpp"

namespace paddock::generate::testing {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct TestHttpServer::Sockets {
  net::io_context context;
  tcp::acceptor acceptor{context};
};

struct Exchange::Connection {
  TestHttpServer& server;
  tcp::socket socket;
};

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equals_ignoring_case(key, name)) return value;
  }
  return std::nullopt;
}

bool Exchange::write(std::string_view bytes) {
  if (connection_.server.stopping_) return false;
  boost::system::error_code ec;
  net::write(connection_.socket, net::buffer(bytes.data(), bytes.size()), ec);
  if (ec) return false;
  bytes_written_ += static_cast<std::int64_t>(bytes.size());
  return true;
}

bool Exchange::write_head(int status, const Fields& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " Test\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Connection: close\r\n\r\n";
  return write(head);
}

void Exchange::respond(int status, std::string_view body, const Fields& headers) {
  Fields all = headers;
  all.emplace_back("Content-Length", std::to_string(body.size()));
  if (write_head(status, all)) write(body);
}

bool Exchange::write_chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return write(size) && write(data) && write("\r\n");
}

bool Exchange::write_last_chunk() {
  return write("0\r\n\r\n");
}

bool Exchange::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(connection_.server.mutex_);
  return !connection_.server.stop_signal_.wait_for(
      lock, duration, [this] { return connection_.server.stopping_.load(); });
}

TestHttpServer::TestHttpServer(Handler handler, std::string address)
    : handler_(std::move(handler)), address_(std::move(address)), sockets_(new Sockets) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address_, ec);
  if (ec) throw std::runtime_error("test server: bad address " + address_);
  const tcp::endpoint endpoint(ip, 0);
  auto& acceptor = sockets_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(64, ec);
  if (ec)
    throw std::runtime_error("test server: cannot listen on " + address_ + ": " + ec.message());
  port_ = acceptor.local_endpoint().port();
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // shutdown(2) wakes a thread blocked in accept, read or write on these sockets.
    ::shutdown(sockets_->acceptor.native_handle(), SHUT_RDWR);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_signal_.notify_all();
  acceptor_.join();
  for (std::thread& thread : threads_) thread.join();
}

std::string TestHttpServer::url(std::string_view path) const {
  const bool v6 = address_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) +
         std::string(path);
}

int TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(received_.size());
}

std::vector<ReceivedRequest> TestHttpServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void TestHttpServer::accept_loop() {
  while (!stopping_) {
    tcp::socket socket(sockets_->context);
    boost::system::error_code ec;
    sockets_->acceptor.accept(socket, ec);
    if (ec) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    open_fds_.push_back(socket.native_handle());
    auto connection =
        std::make_shared<Exchange::Connection>(Exchange::Connection{*this, std::move(socket)});
    threads_.emplace_back([this, connection] { serve(*connection); });
  }
}

void TestHttpServer::serve(Exchange::Connection& connection) {
  boost::beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  boost::system::error_code ec;
  bhttp::read(connection.socket, buffer, parser, ec);
  if (!ec) {
    const auto& message = parser.get();
    ReceivedRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = message.body();
    {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
    }
    Exchange exchange(connection);
    handler_(request, exchange);
  }
  {
    std::lock_guard lock(mutex_);
    std::erase(open_fds_, connection.socket.native_handle());
    connection.socket.shutdown(tcp::socket::shutdown_send, ec);
    connection.socket.close(ec);
  }
  ++finished_;
}

}  // namespace paddock::generate::testing
