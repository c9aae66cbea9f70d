// The HTTP client against a real server on loopback: plain exchanges, redirects, the
// address policy, schemes, timeouts, caps, and what error messages never contain.

#include "generate/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <thread>

#include "generate/testing/loopback_client.hpp"
#include "generate/testing/test_http_server.hpp"

namespace paddock::generate {
namespace {

using namespace std::chrono_literals;
using testing::Exchange;
using testing::ReceivedRequest;
using testing::TestHttpServer;
using Clock = std::chrono::steady_clock;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// ---- plain exchanges --------------------------------------------------------------------

TEST(HttpClient, PostsHeadersAndBodyAndReadsTheReply) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(201, R"({"output":{"task_id":"t-1"}})",
                     {{"Content-Type", "application/json"}, {"X-Request-Id", "r-9"}});
  });
  const Client client = testing::loopback_client();
  Request request{.method = "POST", .url = server.url("/api/v1/services/aigc/video-synthesis")};
  request.headers.add("Content-Type", "application/json");
  request.headers.add("X-DashScope-Async", "enable");
  request.secret_headers.push_back(bearer_authorization(Secret("sk-test")));
  request.body = R"({"model":"happyhorse-1.0-t2v"})";

  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201);
  EXPECT_TRUE(response->ok());
  EXPECT_EQ(response->body, R"({"output":{"task_id":"t-1"}})");
  EXPECT_EQ(response->headers.get("x-request-id"), "r-9");  // any case
  EXPECT_EQ(response->headers.get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(response->headers.get("x-missing"));
  EXPECT_EQ(response->redirects, 0);
  EXPECT_EQ(response->url, request.url);

  const auto sent = server.received().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/api/v1/services/aigc/video-synthesis");
  EXPECT_EQ(sent.body, request.body);
  EXPECT_EQ(sent.header("content-type"), "application/json");
  EXPECT_EQ(sent.header("x-dashscope-async"), "enable");
  EXPECT_EQ(sent.header("authorization"), "Bearer sk-test");
  EXPECT_FALSE(sent.header("expect"));
}

TEST(HttpClient, SendsEveryMethod) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    exchange.respond(200, request.method == "HEAD" ? "" : request.method + ":" + request.body);
  });
  const Client client = testing::loopback_client();
  for (const char* method : {"GET", "DELETE"}) {
    auto response = client.send({.method = method, .url = server.url("/x")});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, std::string(method) + ":");
  }
  for (const char* method : {"PUT", "PATCH", "POST"}) {
    auto response = client.send({.method = method, .url = server.url("/x"), .body = "b"});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, std::string(method) + ":b");
  }
  auto head = client.send({.method = "HEAD", .url = server.url("/x")});
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
}

TEST(HttpClient, ReturnsErrorStatusesAsRepliesAndCheckStatusNamesThem) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(400, R"({"code":"InvalidParameter","message":"duration must be 3..15"})");
  });
  const Client client = testing::loopback_client();
  const Request request{.url = server.url("/v1/tasks/abc")};
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 400);
  EXPECT_FALSE(response->ok());
  auto checked = check_status(request, *response);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "http_error");
  EXPECT_EQ(checked.error().message,
            "HTTP 400: GET " + server.url("/v1/tasks/abc") +
                R"(: {"code":"InvalidParameter","message":"duration must be 3..15"})");
}

TEST(HttpClient, RefusesMalformedRequests) {
  const Client client = testing::loopback_client();
  Request bad_header{.url = "http://127.0.0.1:9/"};
  bad_header.headers.add("X-Evil", "a\r\nInjected: yes");
  Request bad_method{.method = "GET /x HTTP/1.1\r\n", .url = "http://127.0.0.1:9/"};
  Request get_with_body{.url = "http://127.0.0.1:9/", .body = "x"};
  for (const Request& request : {bad_header, bad_method, get_with_body}) {
    auto response = client.send(request);
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, "bad_request") << response.error().message;
  }
}

TEST(HttpClient, RefusesBadOptions) {
  for (ClientOptions options :
       {ClientOptions{.allow = {"10.0.0.1/8"}}, ClientOptions{.max_redirects = -1},
        ClientOptions{.timeout = 0ms}, ClientOptions{.proxy = "socks5://127.0.0.1:1080"}}) {
    auto client = Client::create(options);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().code, "bad_config");
  }
}

TEST(HttpClient, ServesManyThreadsAtOnce) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    exchange.respond(200, request.target);
  });
  const Client client = testing::loopback_client();
  std::atomic<int> good = 0;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 8; ++i) {
          const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
          auto response = client.send({.url = server.url(path)});
          if (response && response->body == path) ++good;
        }
      });
    }
  }
  EXPECT_EQ(good, 32);
  EXPECT_EQ(server.requests(), 32);
}

// ---- redirects ------------------------------------------------------------------------------

// /hops/N redirects to /hops/N-1 (relative Location) until /hops/0 answers.
void countdown(const ReceivedRequest& request, Exchange& exchange) {
  const int left = std::atoi(request.target.substr(request.target.rfind('/') + 1).c_str());
  if (left == 0) {
    exchange.respond(200, "arrived");
  } else {
    exchange.respond(302, "moved", {{"Location", "/hops/" + std::to_string(left - 1)}});
  }
}

TEST(HttpClient, FollowsRedirectsUpToTheLimit) {
  TestHttpServer server(countdown);
  const Client client = testing::loopback_client();  // max_redirects = 3
  auto three = client.send({.url = server.url("/hops/3")});
  ASSERT_TRUE(three) << three.error().message;
  EXPECT_EQ(three->body, "arrived");
  EXPECT_EQ(three->redirects, 3);
  EXPECT_EQ(three->url, server.url("/hops/0"));

  const int before = server.requests();
  auto four = client.send({.url = server.url("/hops/4")});
  ASSERT_FALSE(four);
  EXPECT_EQ(four.error().code, "too_many_redirects");
  EXPECT_EQ(server.requests() - before, 4);  // the fourth redirect is not followed

  auto unfollowed = client.send({.url = server.url("/hops/2"), .follow_redirects = false});
  ASSERT_TRUE(unfollowed) << unfollowed.error().message;
  EXPECT_EQ(unfollowed->status, 302);
  EXPECT_EQ(unfollowed->headers.get("location"), "/hops/1");

  const Client none = testing::loopback_client({.allow = {"127.0.0.1"}, .max_redirects = 0});
  auto refused = none.send({.url = server.url("/hops/1")});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "too_many_redirects");
}

TEST(HttpClient, RedirectsChangeMethodAsBrowsersDo) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/see-other") {
      exchange.respond(303, "", {{"Location", "/result"}});
    } else if (request.target == "/temporary") {
      exchange.respond(307, "", {{"Location", "/result"}});
    } else {
      exchange.respond(200, request.method + ":" + request.body + ":" +
                                request.header("content-type").value_or("-"));
    }
  });
  const Client client = testing::loopback_client();
  Request post{.method = "POST", .url = server.url("/see-other"), .body = "{}"};
  post.headers.add("Content-Type", "application/json");
  auto see_other = client.send(post);
  ASSERT_TRUE(see_other) << see_other.error().message;
  EXPECT_EQ(see_other->body, "GET::-");

  post.url = server.url("/temporary");
  auto temporary = client.send(post);
  ASSERT_TRUE(temporary) << temporary.error().message;
  EXPECT_EQ(temporary->body, "POST:{}:application/json");
}

TEST(HttpClient, CredentialsStayWithTheirOrigin) {
  TestHttpServer other(
      [](const ReceivedRequest&, Exchange& exchange) { exchange.respond(200, "other"); });
  const std::string other_url = other.url("/file.mp4");
  TestHttpServer server([&other_url](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/away") {
      exchange.respond(302, "", {{"Location", other_url}});
    } else if (request.target == "/here") {
      exchange.respond(302, "", {{"Location", "/landing"}});
    } else {
      exchange.respond(200, "same");
    }
  });
  const Client client = testing::loopback_client();
  Request request{.url = server.url("/here")};
  request.secret_headers.push_back(bearer_authorization(Secret("tok-123456")));
  request.secret_headers.push_back({"x-goog-api-key", Secret("goog-123456")});
  request.headers.add("X-Api-Key", "plain-123456");
  request.headers.add("X-Trace", "keep-me");

  ASSERT_TRUE(client.send(request));
  const auto landing = server.received().back();
  EXPECT_EQ(landing.target, "/landing");
  EXPECT_EQ(landing.header("authorization"), "Bearer tok-123456");
  EXPECT_EQ(landing.header("x-goog-api-key"), "goog-123456");
  EXPECT_EQ(landing.header("x-api-key"), "plain-123456");

  request.url = server.url("/away");
  auto away = client.send(request);
  ASSERT_TRUE(away) << away.error().message;
  EXPECT_EQ(away->body, "other");
  const auto elsewhere = other.received().at(0);
  EXPECT_FALSE(elsewhere.header("authorization"));
  EXPECT_FALSE(elsewhere.header("x-goog-api-key"));
  EXPECT_FALSE(elsewhere.header("x-api-key"));
  EXPECT_EQ(elsewhere.header("x-trace"), "keep-me");
}

// ---- the address policy ---------------------------------------------------------------------

TEST(HttpClient, RedirectToAnotherLoopbackAddressIsBlockedUnlessAllowed) {
  TestHttpServer inner([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(200, "internal secrets");
  });
  TestHttpServer inner2(
      [](const ReceivedRequest&, Exchange& exchange) { exchange.respond(200, "internal secrets"); },
      "127.0.0.2");
  const std::string target = inner2.url("/admin");
  TestHttpServer front([&target](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(302, "", {{"Location", target}});
  });

  const Client strict = testing::loopback_client({.allow = {"127.0.0.1/32"}});
  auto blocked = strict.send({.url = front.url("/result")});
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, "blocked_address");
  EXPECT_TRUE(contains(blocked.error().message, "127.0.0.2")) << blocked.error().message;
  EXPECT_TRUE(contains(blocked.error().message, "loopback")) << blocked.error().message;
  EXPECT_EQ(inner2.requests(), 0);

  // The same redirect goes through once the range is allowed: the block above was the policy.
  const Client loose = testing::loopback_client({.allow = {"127.0.0.0/8"}});
  auto allowed = loose.send({.url = front.url("/result")});
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_EQ(allowed->body, "internal secrets");
  EXPECT_EQ(inner2.requests(), 1);
}

TEST(HttpClient, HostAllowedByNameDoesNotOpenLocalhost) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/go-local") {
      exchange.respond(
          302, "", {{"Location", "http://localhost:" + request.header("x-port").value() + "/"}});
    } else {
      exchange.respond(200, "vendor");
    }
  });
  const std::string port = std::to_string(server.port());
  const Client client = testing::loopback_client(
      {.allow = {"vendor.test"}, .resolve = {"vendor.test:" + port + ":127.0.0.1"}});
  auto direct = client.send({.url = "http://vendor.test:" + port + "/task"});
  ASSERT_TRUE(direct) << direct.error().message;
  EXPECT_EQ(direct->body, "vendor");

  Request request{.url = "http://vendor.test:" + port + "/go-local"};
  request.headers.add("X-Port", port);
  auto local = client.send(request);
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().code, "blocked_address");
  EXPECT_TRUE(contains(local.error().message, "localhost")) << local.error().message;
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpClient, NameResolvingToAPrivateAddressIsBlockedAtConnect) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(200, "should not be seen");
  });
  const std::string port = std::to_string(server.port());
  const Client client =
      testing::loopback_client({.resolve = {"cdn.example.com:" + port + ":127.0.0.1"}});
  auto response = client.send({.url = "http://cdn.example.com:" + port + "/video.mp4"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "blocked_address");
  EXPECT_TRUE(contains(response.error().message, "cdn.example.com (127.0.0.1, loopback)"))
      << response.error().message;
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClient, AddressLiteralsInEveryDisguiseAreBlocked) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.respond(200, "should not be seen");
  });
  const std::string port = std::to_string(server.port());
  const Client client = testing::loopback_client({});  // nothing allowed
  for (const std::string& url : std::vector<std::string>{
           "http://127.0.0.1:" + port + "/", "http://2130706433:" + port + "/",
           "http://0x7f.0.0.1:" + port + "/", "http://127.1:" + port + "/",
           "http://0.0.0.0:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
           "http://169.254.169.254/latest/meta-data/", "http://[::1]:" + port + "/",
           "http://10.0.0.1/", "http://[fd00::1]/", "http://100.64.0.1/"}) {
    auto response = client.send({.url = url, .timeout = 2s});
    ASSERT_FALSE(response) << url;
    EXPECT_EQ(response.error().code, "blocked_address") << url << ": " << response.error().message;
  }
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClient, OnlyHttpAndHttpsAreFetched) {
  const std::map<std::string, std::string> elsewhere = {
      {"/to/file", "file:///etc/passwd"},
      {"/to/ftp", "ftp://127.0.0.1/x"},
      {"/to/gopher", "gopher://127.0.0.1/_x"},
  };
  TestHttpServer server([&elsewhere](const ReceivedRequest& request, Exchange& exchange) {
    exchange.respond(302, "", {{"Location", elsewhere.at(request.target)}});
  });
  const Client client = testing::loopback_client();
  for (const char* url :
       {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat", "ldap://127.0.0.1/", "not a url", "", "/relative/path"}) {
    auto response = client.send({.url = url});
    ASSERT_FALSE(response) << url;
    EXPECT_EQ(response.error().code, "bad_url") << url << ": " << response.error().message;
  }
  EXPECT_EQ(server.requests(), 0);
  for (const auto& [path, target] : elsewhere) {
    auto response = client.send({.url = server.url(path)});
    ASSERT_FALSE(response) << target;
    EXPECT_EQ(response.error().code, "bad_url") << response.error().message;
    EXPECT_FALSE(contains(response.error().message, "/etc/passwd")) << response.error().message;
  }
}

TEST(HttpClient, ProxyIsTrustedButPrivateTargetsAreStillRefused) {
  TestHttpServer proxy([](const ReceivedRequest& request, Exchange& exchange) {
    exchange.respond(200, "via proxy: " + request.target);
  });
  const Client client = testing::loopback_client({.proxy = proxy.url("")});
  auto response = client.send({.url = "http://93.184.216.34/clip.json"});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "via proxy: http://93.184.216.34/clip.json");

  auto internal = client.send({.url = "http://10.1.2.3/admin"});
  ASSERT_FALSE(internal);
  EXPECT_EQ(internal.error().code, "blocked_address");
  EXPECT_TRUE(contains(internal.error().message, "10.1.2.3")) << internal.error().message;
  EXPECT_EQ(proxy.requests(), 1);
}

TEST(HttpClient, IgnoresProxiesFromTheEnvironment) {
  TestHttpServer proxy(
      [](const ReceivedRequest&, Exchange& exchange) { exchange.respond(200, "proxy"); });
  TestHttpServer server(
      [](const ReceivedRequest&, Exchange& exchange) { exchange.respond(200, "direct"); });
  ::setenv("http_proxy", proxy.url("").c_str(), 1);
  ::setenv("HTTP_PROXY", proxy.url("").c_str(), 1);
  const Client client = testing::loopback_client();
  auto response = client.send({.url = server.url("/x")});
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "direct");
  EXPECT_EQ(proxy.requests(), 0);
}

// ---- time and size -----------------------------------------------------------------------

TEST(HttpClient, SlowServerTimesOut) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    if (exchange.pause(5s)) exchange.respond(200, "late");
  });
  const Client client = testing::loopback_client();
  const auto start = Clock::now();
  auto response = client.send({.url = server.url("/slow"), .timeout = 300ms});
  const auto took = Clock::now() - start;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "timeout") << response.error().message;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

TEST(HttpClient, CapsTheBodyKeptInMemory) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    if (request.target == "/chunked") {
      exchange.write_head(200, {{"Transfer-Encoding", "chunked"}});
      for (int i = 0; i < 10; ++i) exchange.write_chunk(std::string(500, 'c'));
      exchange.write_last_chunk();
    } else {
      exchange.respond(200, std::string(5000, 'x'));
    }
  });
  const Client client =
      testing::loopback_client({.allow = {"127.0.0.1"}, .max_response_bytes = 4000});
  for (const char* path : {"/whole", "/chunked"}) {
    auto response = client.send({.url = server.url(path)});
    ASSERT_FALSE(response) << path;
    EXPECT_EQ(response.error().code, "too_large") << response.error().message;
  }
  auto bigger = client.send({.url = server.url("/whole"), .max_response_bytes = 5000});
  ASSERT_TRUE(bigger) << bigger.error().message;
  EXPECT_EQ(bigger->body.size(), 5000u);
}

TEST(HttpClient, BodyShorterThanItsLengthIsTruncated) {
  TestHttpServer server([](const ReceivedRequest&, Exchange& exchange) {
    exchange.write_head(200, {{"Content-Length", "1000"}});
    exchange.write("only this");
  });
  const Client client = testing::loopback_client();
  auto response = client.send({.url = server.url("/cut")});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "truncated") << response.error().message;
}

TEST(HttpClient, RefusedConnectionIsANetworkError) {
  const Client client = testing::loopback_client();
  auto response = client.send({.url = "http://127.0.0.1:1/"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "network_error") << response.error().message;
}

// ---- secrets never leak ---------------------------------------------------------------------

// Every error path, with credentials in a secret header, a plain sensitive header, the
// query string and the user information: none may appear in the message.
TEST(HttpClient, NoErrorMessageContainsACredential) {
  TestHttpServer server([](const ReceivedRequest& request, Exchange& exchange) {
    const std::string path = request.target.substr(0, request.target.find('?'));
    // The worst server: it echoes the credentials back in every reply it makes.
    const std::string echo = request.header("authorization").value_or("") + " " +
                             request.header("x-goog-api-key").value_or("") + " " + request.target;
    if (path == "/slow") {
      exchange.pause(5s);
    } else if (path == "/big") {
      exchange.respond(200, std::string(10'000, 'x'));
    } else if (path == "/cut") {
      exchange.write_head(200, {{"Content-Length", "900"}});  // under the cap, more than sent
      exchange.write(echo);
    } else if (path == "/loop") {
      exchange.respond(302, echo, {{"Location", request.target}});
    } else if (path == "/private") {
      exchange.respond(302, echo, {{"Location", "http://10.9.9.9/?key=SECRET-KEY-3"}});
    } else if (path == "/file") {
      exchange.respond(302, echo, {{"Location", "file:///etc/passwd?token=SECRET-TOKEN-5"}});
    } else {
      exchange.respond(401, "invalid key: " + echo);
    }
  });
  const Client client =
      testing::loopback_client({.allow = {"127.0.0.1"}, .max_response_bytes = 1000});
  const std::vector<std::string> secrets = {"SECRET-BEARER-1", "SECRET-GOOG-2",  "SECRET-KEY-3",
                                            "SECRET-SIG-4",    "SECRET-TOKEN-5", "SECRET-PASS-6",
                                            "SECRET-APIKEY-7"};
  auto request_to = [&](std::string base, std::string path) {
    Request request{.url = base + path +
                           "?alt=media&key=SECRET-KEY-3&X-Amz-Signature=SECRET-SIG-4"
                           "&access_token=SECRET-TOKEN-5"};
    request.secret_headers.push_back(bearer_authorization(Secret("SECRET-BEARER-1")));
    request.secret_headers.push_back({"x-goog-api-key", Secret("SECRET-GOOG-2")});
    request.headers.add("X-Api-Key", "SECRET-APIKEY-7");
    return request;
  };
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  struct Case {
    Request request;
    std::string code;
  };
  std::vector<Case> cases = {
      {request_to(base, "/slow"), "timeout"},
      {request_to(base, "/big"), "too_large"},
      {request_to(base, "/cut"), "truncated"},
      {request_to(base, "/loop"), "too_many_redirects"},
      {request_to(base, "/private"), "blocked_address"},
      {request_to(base, "/file"), "bad_url"},
      {request_to("ftp://user:SECRET-PASS-6@127.0.0.1", "/x"), "bad_url"},
      {request_to("http://user:SECRET-PASS-6@127.0.0.1:" + std::to_string(server.port()), "/x"),
       "bad_url"},
      {request_to("http://127.0.0.1:1", "/refused"), "network_error"},
      {request_to("http://192.168.0.1", "/x"), "blocked_address"},
  };
  Request bad_header = request_to(base, "/x");
  bad_header.secret_headers.push_back({"X-Bad", Secret("SECRET-BEARER-1\r\nInjected: 1")});
  cases.push_back({bad_header, "bad_request"});
  cases[0].request.timeout = 200ms;

  for (const Case& c : cases) {
    auto response = client.send(c.request);
    ASSERT_FALSE(response) << c.code;
    EXPECT_EQ(response.error().code, c.code) << response.error().message;
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(contains(response.error().message, secret))
          << c.code << " leaks " << secret << ": " << response.error().message;
    }
  }

  const Request unauthorized = request_to(base, "/denied");
  auto response = client.send(unauthorized);
  ASSERT_TRUE(response) << response.error().message;
  auto checked = check_status(unauthorized, *response);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "http_error");
  EXPECT_TRUE(contains(checked.error().message, "HTTP 401")) << checked.error().message;
  EXPECT_TRUE(contains(checked.error().message, "[redacted]")) << checked.error().message;
  for (const std::string& secret : secrets) {
    EXPECT_FALSE(contains(checked.error().message, secret))
        << "http_error leaks " << secret << ": " << checked.error().message;
  }
}

}  // namespace
}  // namespace paddock::generate
