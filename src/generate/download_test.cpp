// Client::download against a real server on loopback: bodies streamed to a temporary file,
// hashed and capped; nothing left behind on any failure.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "generate/http_client.hpp"
#include "generate/testing/loopback_client.hpp"
#include "generate/testing/test_http_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::generate {
namespace {

using namespace std::chrono_literals;
using testing::Exchange;
using testing::ReceivedRequest;
using testing::TestHttpServer;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kMiB = 1024 * 1024;

// Deterministic, non-repeating bytes, so a misplaced block would change the hash.
std::string clip_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return bytes;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// SHA-256 as the sha256sum tool computes it.
std::string sha256sum(const std::filesystem::path& path) {
  const auto result = paddock::testing::run_process({"sha256sum", path.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out.substr(0, 64);
}

TEST(Download, StreamsTheBodyToAnFsyncedTempFileWithItsHash) {
  const std::string body = clip_bytes(700'000);
  TestHttpServer server([&body](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/chunked") {
      exchange.write_head(200, {{"Transfer-Encoding", "chunked"}});
      for (std::size_t at = 0; at < body.size(); at += 65'536) {
        exchange.write_chunk(std::string_view(body).substr(at, 65'536));
      }
      exchange.write_last_chunk();
    } else {
      exchange.respond(200, body, {{"Content-Type", "video/mp4"}});
    }
  });
  paddock::testing::TempDir dir("paddock-download");
  const Client client = testing::loopback_client();
  for (const char* path : {"/clip.mp4", "/chunked"}) {
    auto download = client.download({.url = server.url(path)}, dir.path(), 1 * kMiB);
    ASSERT_TRUE(download) << download.error().message;
    EXPECT_TRUE(download->ok());
    EXPECT_EQ(download->bytes, 700'000);
    const auto file = download->file.path();
    EXPECT_EQ(file.parent_path(), dir.path());
    EXPECT_TRUE(file.filename().string().starts_with(".paddock-download-"));
    EXPECT_EQ(read_file(file), body);
    EXPECT_EQ(download->sha256, sha256sum(file));
    *download = Download{};  // the temporary file goes with its owner
    EXPECT_FALSE(std::filesystem::exists(file));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// Nothing from a reply names a path: neither the URL's path nor a Content-Disposition file
// name; the file is one paddock names, in the folder it chose, and nothing lands beside it.
TEST(Download, NothingInTheReplyNamesTheFile) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(200, std::string(1000, 'v'),
                     {{"Content-Type", "video/mp4"},
                      {"Content-Disposition", R"(attachment; filename="../escape.mp4")"}});
  });
  paddock::testing::TempDir parent("paddock-download");
  const std::filesystem::path dir = parent.path() / "staging";
  std::filesystem::create_directories(dir);
  const Client client = testing::loopback_client();
  auto download = client.download({.url = server.url("/v/..%2F..%2Fescape.mp4")}, dir, 1000);
  ASSERT_TRUE(download) << download.error().message;
  ASSERT_TRUE(download->ok());
  const auto file = download->file.path();
  EXPECT_EQ(file.parent_path(), dir);
  EXPECT_TRUE(file.filename().string().starts_with(".paddock-download-")) << file;
  EXPECT_EQ(file.filename().string().find("escape"), std::string::npos) << file;
  std::set<std::filesystem::path> beside;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(parent.path())) {
    beside.insert(entry.path());
  }
  EXPECT_EQ(beside, (std::set<std::filesystem::path>{dir, file}));
}

TEST(Download, ReleasedFileStaysAndABodyOfExactlyTheCapIsAccepted) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(200, std::string(1000, 'v'));
  });
  paddock::testing::TempDir dir("paddock-download");
  const Client client = testing::loopback_client();
  auto download = client.download({.url = server.url("/v.mp4")}, dir.path(), 1000);
  ASSERT_TRUE(download) << download.error().message;
  const auto kept = download->file.release();
  *download = Download{};
  EXPECT_EQ(std::filesystem::file_size(kept), 1000u);
}

TEST(Download, FollowsARedirectWithoutWritingItsBody) {
  const std::string body = clip_bytes(5000);
  TestHttpServer server([&body](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/result") {
      exchange.respond(302, "<html>moved to the CDN</html>", {{"Location", "/cdn/v.mp4"}});
    } else {
      exchange.respond(200, body);
    }
  });
  paddock::testing::TempDir dir("paddock-download");
  auto download =
      testing::loopback_client().download({.url = server.url("/result")}, dir.path(), kMiB);
  ASSERT_TRUE(download) << download.error().message;
  EXPECT_EQ(download->redirects, 1);
  EXPECT_EQ(read_file(download->file.path()), body);
}

TEST(Download, ContentLengthOverTheCapIsRefusedBeforeTheBody) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.write_head(200, {{"Content-Length", std::to_string(10 * kMiB)}});
    // The body would take 5 s to come: a client that waited for it would be slow.
    if (exchange.pause(5s)) exchange.write(std::string(10 * kMiB, 'x'));
  });
  paddock::testing::TempDir dir("paddock-download");
  const auto start = Clock::now();
  auto download =
      testing::loopback_client().download({.url = server.url("/huge.mp4")}, dir.path(), kMiB);
  ASSERT_FALSE(download);
  EXPECT_EQ(download.error().code, "too_large") << download.error().message;
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Download, ChunkedBodyGrowingPastTheCapIsCutAtOnce) {
  std::atomic<std::int64_t> sent_when_refused = -1;
  TestHttpServer server([&](const ReceivedRequest&, Exchange& exchange) {
    exchange.write_head(200, {{"Transfer-Encoding", "chunked"}});
    const std::string chunk(16 * 1024, 'z');
    // Up to 5 s of body, 16 KiB every 10 ms, until the client hangs up.
    for (int i = 0; i < 500; ++i) {
      if (!exchange.write_chunk(chunk) || !exchange.pause(10ms)) break;
    }
    sent_when_refused = exchange.bytes_written();
  });
  paddock::testing::TempDir dir("paddock-download");
  const auto start = Clock::now();
  auto download =
      testing::loopback_client().download({.url = server.url("/endless")}, dir.path(), 100 * 1024);
  const auto took = Clock::now() - start;
  ASSERT_FALSE(download);
  EXPECT_EQ(download.error().code, "too_large") << download.error().message;
  EXPECT_LT(took, 2s);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  // The server notices the closed connection within a few chunks.
  const auto deadline = Clock::now() + 3s;
  while (server.finished() < 1 && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server.finished(), 1);
  EXPECT_LT(sent_when_refused.load(), 2 * kMiB);
}

TEST(Download, BodyCutShortIsTruncatedAndLeavesNoFile) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/chunked") {
      exchange.write_head(200, {{"Transfer-Encoding", "chunked"}});
      exchange.write_chunk(std::string(40'000, 'c'));  // and no last chunk
    } else {
      exchange.write_head(200, {{"Content-Length", "100000"}});
      exchange.write(std::string(40'000, 'l'));
    }
  });
  paddock::testing::TempDir dir("paddock-download");
  const Client client = testing::loopback_client();
  for (const char* path : {"/length", "/chunked"}) {
    auto download = client.download({.url = server.url(path)}, dir.path(), kMiB);
    ASSERT_FALSE(download) << path;
    EXPECT_EQ(download.error().code, "truncated") << path << ": " << download.error().message;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  }
}

TEST(Download, StalledBodyTimesOut) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.write_head(200, {{"Content-Length", "100000"}});
    exchange.write(std::string(1000, 's'));
    exchange.pause(10s);
  });
  paddock::testing::TempDir dir("paddock-download");
  const Client client = testing::loopback_client({.allow = {"127.0.0.1"}, .stall_timeout = 1s});
  const auto start = Clock::now();
  auto download = client.download({.url = server.url("/stall")}, dir.path(), kMiB);
  ASSERT_FALSE(download);
  EXPECT_EQ(download.error().code, "timeout") << download.error().message;
  EXPECT_LT(Clock::now() - start, 4s);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Download, ErrorReplyKeepsTheStartOfItsBodyAndNoFile) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/expired") {
      exchange.respond(403,
                       "<Error><Code>AccessDenied</Code><Message>Request has expired"
                       "</Message></Error>");
    } else {
      exchange.respond(500, std::string(10 * kMiB, 'e'));  // far over the cap and the excerpt
    }
  });
  paddock::testing::TempDir dir("paddock-download");
  const Client client = testing::loopback_client();
  const Request expired{.url = server.url("/expired")};
  auto download = client.download(expired, dir.path(), 1000);
  ASSERT_TRUE(download) << download.error().message;
  EXPECT_EQ(download->status, 403);
  EXPECT_FALSE(download->ok());
  EXPECT_TRUE(download->file.empty());
  EXPECT_TRUE(download->error_body.starts_with("<Error><Code>AccessDenied"));
  auto checked = check_status(expired, *download);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "http_error");
  EXPECT_TRUE(checked.error().message.find("HTTP 403") != std::string::npos);

  auto huge = client.download({.url = server.url("/huge-error")}, dir.path(), 1000);
  ASSERT_TRUE(huge) << huge.error().message;
  EXPECT_EQ(huge->status, 500);
  EXPECT_EQ(huge->error_body.size(), static_cast<std::size_t>(kErrorBodyBytes));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Download, MissingFolderIsAnIoError) {
  TestHttpServer server(
      [](const ReceivedRequest&, Exchange& exchange) { exchange.respond(200, "x"); });
  paddock::testing::TempDir dir("paddock-download");
  auto download = testing::loopback_client().download(
      {.url = server.url("/v.mp4?key=SECRET-KEY-1")}, dir / "missing", kMiB);
  ASSERT_FALSE(download);
  EXPECT_EQ(download.error().code, "io_error") << download.error().message;
  EXPECT_EQ(download.error().message.find("SECRET-KEY-1"), std::string::npos);
  EXPECT_EQ(server.requests(), 0);  // nothing is fetched without somewhere to put it
}

}  // namespace
}  // namespace paddock::generate
