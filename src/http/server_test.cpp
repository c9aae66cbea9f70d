#include "http/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "http/responses.hpp"
#include "http_client.hpp"

namespace paddock::http {
namespace {

using testing::HttpClient;

// Answers by path: /echo echoes the body, /file serves a byte range of a file, /stream sends
// a chunked body in three pieces, /slow answers from another thread after 300 ms, /big
// answers 32 MiB (more than the socket buffers hold).
class TestHandler : public Handler {
 public:
  explicit TestHandler(std::filesystem::path file) : file_(std::move(file)) {}

  void handle(Request&& request, Responder respond) override {
    if (request.path == "/echo") {
      Response r = json_response(200, request.body);
      r.header("X-Peer", request.peer_address);
      return respond(std::move(r));
    }
    if (request.path == "/file") {
      Response r;
      r.header("Content-Type", "application/octet-stream");
      int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
      r.file = Response::FileRange{std::make_shared<FileHandle>(fd), 10, 300'000};
      return respond(std::move(r));
    }
    if (request.path == "/stream") {
      Response r;
      r.header("Content-Type", "text/plain");
      auto n = std::make_shared<int>(0);
      r.stream = [n]() -> Result<std::optional<std::string>> {
        if (*n == 3) return std::optional<std::string>();
        return std::optional<std::string>("piece" + std::to_string((*n)++) + ";");
      };
      return respond(std::move(r));
    }
    if (request.path == "/big") {
      return respond(json_response(200, std::string(32 << 20, 'b')));
    }
    if (request.path == "/slow") {
      std::thread([respond] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        respond(json_response(200, "{\"slow\":true}"));
      }).detach();
      return;
    }
    respond(error_response(404, "not_found", "no such thing"));
  }

 private:
  std::filesystem::path file_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() /
            ("paddock_server_test_" + std::to_string(::getpid()) + ".bin");
    std::ofstream out(file_, std::ios::binary);
    for (int i = 0; i < 400'000; ++i) out.put(static_cast<char>(i * 7 % 251));
    out.close();
    handler_ = std::make_unique<TestHandler>(file_);
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 2;
    options.body_limit = 1024;
    options.idle_timeout = std::chrono::milliseconds(400);
    options.header_timeout = std::chrono::milliseconds(400);
    options.write_timeout = std::chrono::milliseconds(400);
    auto s = Server::start(options, *handler_, blocking_);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(2));
    std::filesystem::remove(file_);
  }
  HttpClient client() { return HttpClient("127.0.0.1", server_->port()); }

  std::filesystem::path file_;
  WorkQueue blocking_{1};
  std::unique_ptr<TestHandler> handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  auto c = client();
  c.set_retry(false);
  auto a = c.post_json("/echo", "{\"a\":1}");
  auto b = c.post_json("/echo", "{\"b\":2}");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{\"a\":1}");
  EXPECT_EQ(b.body, "{\"b\":2}");
  EXPECT_EQ(a.header("X-Peer"), "127.0.0.1");
  EXPECT_FALSE(c.closed_by_peer(std::chrono::milliseconds(50)));
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  auto c = client();
  c.send_raw(
      "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1"
      "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n2");
  EXPECT_EQ(c.read_response().body, "1");
  EXPECT_EQ(c.read_response().body, "2");
}

TEST_F(ServerTest, RefusesADeclaredOversizedBodyWith413AndCloses) {
  auto c = client();
  c.send_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 5000\r\n\r\n" +
      std::string(5000, 'x'));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("\"body_too_large\""), std::string::npos);
  EXPECT_TRUE(r.header("X-Content-Type-Options").has_value());
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(2)));
}

TEST_F(ServerTest, RefusesAnOversizedChunkedBodyWith413) {
  auto c = client();
  std::string chunk(800, 'y');
  c.send_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("\"body_too_large\""), std::string::npos);
}

TEST_F(ServerTest, RefusesOversizedHeadersWith431) {
  auto c = client();
  c.send_raw("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h') + "\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("\"headers_too_large\""), std::string::npos);
  EXPECT_TRUE(r.header("Content-Security-Policy").has_value());
}

TEST_F(ServerTest, AnswersMalformedRequestsWith400) {
  auto c = client();
  c.send_raw("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"bad_request\""), std::string::npos);
}

TEST_F(ServerTest, ClosesIdleConnections) {
  auto c = client();
  c.set_retry(false);
  EXPECT_EQ(c.post_json("/echo", "{}").status, 200);
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(3)));
}

TEST_F(ServerTest, ClosesConnectionsWhoseHeadersNeverFinish) {
  auto c = client();
  c.send_raw("GET /echo HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(3)));
}

TEST_F(ServerTest, ClosesConnectionsWhoseBodyNeverFinishes) {
  auto c = client();
  c.send_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"a\":");
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(3)));
}

TEST_F(ServerTest, ClosesConnectionsThatTrickleTheirHeaders) {
  // A byte every 100 ms never lets the connection go quiet; the header deadline still holds.
  auto c = client();
  const std::string request =
      "GET /echo HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(100, 'p') + "\r\n\r\n";
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (char byte : request) {
    try {
      c.send_raw(std::string(1, byte));
    } catch (const std::exception&) {
      closed = true;  // the server closed it and the write failed
      break;
    }
    if (c.closed_by_peer(std::chrono::milliseconds(100))) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(ServerTest, GivesUpOnAClientThatStopsReading) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server_->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  // The answer is being written (it cannot all fit in the socket buffers) ...
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (server_->in_flight() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(server_->in_flight(), 1);
  // ... until the write timeout ends it, although the client never read a byte.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_->in_flight() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server_->in_flight(), 0);
  ::close(fd);
}

TEST_F(ServerTest, StreamsAFileRange) {
  auto c = client();
  auto r = c.get("/file");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body.size(), 300'000u);
  for (int i = 0; i < 300'000; ++i) {
    ASSERT_EQ(static_cast<unsigned char>(r.body[i]), (i + 10) * 7 % 251) << i;
  }
}

TEST_F(ServerTest, HeadGivesTheLengthWithoutTheBody) {
  auto c = client();
  auto r = c.request("HEAD", "/file");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), "300000");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(c.get("/echo").status, 200);  // the connection is still in step
}

TEST_F(ServerTest, SendsStreamedBodiesChunked) {
  auto c = client();
  auto r = c.get("/stream");
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r.body, "piece0;piece1;piece2;");
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinish) {
  auto c = client();
  c.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server_->stop(std::chrono::seconds(5));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  server_.reset();
}

TEST_F(ServerTest, StopClosesIdleConnections) {
  auto c = client();
  c.set_retry(false);
  EXPECT_EQ(c.get("/echo").status, 200);
  auto started = std::chrono::steady_clock::now();
  server_->stop(std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(1)));
  server_.reset();
}

TEST(ServerStart, ReportsAnAddressInUse) {
  WorkQueue blocking(1);
  TestHandler handler("/nonexistent");
  ServerOptions options;
  options.port = 0;
  auto first = Server::start(options, handler, blocking);
  ASSERT_TRUE(first);
  options.port = (*first)->port();
  auto second = Server::start(options, handler, blocking);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "listen_failed");
  EXPECT_NE(second.error().message.find(std::to_string(options.port)), std::string::npos);
}

}  // namespace
}  // namespace paddock::http
