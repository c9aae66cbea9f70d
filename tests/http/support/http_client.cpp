#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace paddock::testing {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequal(k, name)) return v;
  }
  return std::nullopt;
}

HttpClient::HttpClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {
  connect();
}

HttpClient::~HttpClient() {
  disconnect();
}

HttpClient::HttpClient(HttpClient&& o) noexcept
    : host_(std::move(o.host_)),
      port_(o.port_),
      fd_(o.fd_),
      buffer_(std::move(o.buffer_)),
      cookie_(std::move(o.cookie_)),
      timeout_(o.timeout_),
      retry_(o.retry_) {
  o.fd_ = -1;
}

void HttpClient::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

void HttpClient::set_timeout(std::chrono::milliseconds t) {
  timeout_ = t;
}

void HttpClient::connect() {
  disconnect();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("not an IPv4 address: " + host_);
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    disconnect();
    throw std::runtime_error("connect to " + host_ + ":" + std::to_string(port_) + ": " +
                             std::strerror(e));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void HttpClient::send_raw(std::string_view bytes) {
  if (fd_ < 0) connect();
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("send: " + std::string(std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::size_t HttpClient::fill() {
  if (fd_ < 0) return 0;
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(timeout_.count()));
  if (r == 0) throw std::runtime_error("timed out waiting for the server");
  char chunk[65536];
  ssize_t n;
  do {
    n = ::recv(fd_, chunk, sizeof chunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return 0;
    throw std::runtime_error("recv: " + std::string(std::strerror(errno)));
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return static_cast<std::size_t>(n);
}

bool HttpClient::closed_by_peer(std::chrono::milliseconds wait) {
  if (fd_ < 0) return true;
  auto saved = timeout_;
  timeout_ = wait;
  bool closed = false;
  try {
    closed = fill() == 0;
  } catch (const std::runtime_error&) {
    closed = false;
  }
  timeout_ = saved;
  return closed;
}

HttpResponse HttpClient::read_response(bool head) {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (fill() == 0) throw std::runtime_error("connection closed before a response");
  }
  HttpResponse r;
  r.raw_headers = buffer_.substr(0, end + 4);
  std::string_view head_text(buffer_.data(), end);
  auto line_end = head_text.find("\r\n");
  std::string_view status_line = head_text.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    throw std::runtime_error("bad status line: " + std::string(status_line));
  }
  r.status = std::stoi(std::string(status_line.substr(9, 3)));
  std::size_t pos = line_end == std::string_view::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    auto e = head_text.find("\r\n", pos);
    if (e == std::string_view::npos) e = head_text.size();
    auto line = head_text.substr(pos, e - pos);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
    r.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    pos = e + 2;
  }
  buffer_.erase(0, end + 4);

  for (auto& [k, v] : r.headers) {
    if (iequal(k, "Set-Cookie") && v.rfind("paddock_session=", 0) == 0) {
      cookie_ = v.substr(0, v.find(';'));
    }
  }
  bool no_body = head || r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
  if (no_body) return r;

  auto te = r.header("Transfer-Encoding");
  auto cl = r.header("Content-Length");
  if (te && iequal(*te, "chunked")) {
    for (;;) {
      std::size_t le;
      while ((le = buffer_.find("\r\n")) == std::string::npos) {
        if (fill() == 0) throw std::runtime_error("connection closed inside a chunk header");
      }
      std::size_t size = std::stoul(buffer_.substr(0, le), nullptr, 16);
      buffer_.erase(0, le + 2);
      while (buffer_.size() < size + 2) {
        if (fill() == 0) throw std::runtime_error("connection closed inside a chunk");
      }
      r.body.append(buffer_, 0, size);
      buffer_.erase(0, size + 2);
      if (size == 0) break;
    }
  } else if (cl) {
    std::size_t size = std::stoul(*cl);
    while (buffer_.size() < size) {
      if (fill() == 0) throw std::runtime_error("connection closed inside a body");
    }
    r.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
  } else {
    while (fill() != 0) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
  }
  if (auto c = r.header("Connection"); c && iequal(*c, "close")) disconnect();
  return r;
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 const Headers& headers, std::string_view body) {
  std::string req;
  req += method;
  req += ' ';
  req += target;
  req += " HTTP/1.1\r\nHost: ";
  req += host_ + ":" + std::to_string(port_) + "\r\n";
  bool has_cookie = false;
  for (const auto& [k, v] : headers) {
    if (iequal(k, "Cookie")) has_cookie = true;
    req += k + ": " + v + "\r\n";
  }
  if (!has_cookie && !cookie_.empty()) req += "Cookie: " + cookie_ + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  bool head = method == "HEAD";
  bool reused = fd_ >= 0;
  if (!reused) connect();
  if (!retry_ || !reused) {
    send_raw(req);
    return read_response(head);
  }
  try {
    send_raw(req);
    return read_response(head);
  } catch (const std::runtime_error&) {
    // The server may have closed an idle kept-alive connection; try once on a fresh one.
    connect();
    send_raw(req);
    return read_response(head);
  }
}

HttpResponse HttpClient::post_json(std::string_view target, std::string_view json,
                                   Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  return request("POST", target, headers, json);
}

}  // namespace paddock::testing
