#pragma once
// Outbound HTTP for the generate layer, over libcurl: calls to providers' APIs and
// downloads of the clips they make. Values in, values out; errors as values.
//
// Safety (docs/generate.md, "Network safety"):
//   - only http and https, also for every redirect; at most ClientOptions::max_redirects;
//   - no connection to an address of this machine or a private, loopback, link-local,
//     unique-local, multicast, unspecified or carrier-grade NAT network (address_policy.hpp)
//     unless ClientOptions::allow says so. The address is checked as the socket is opened,
//     after name resolution, for the first request and every redirect alike;
//   - every reply body has a size cap, enforced while it arrives;
//   - SecretHeaders are never put into a message, and are not sent on to another origin
//     (scheme, host, port) when a redirect leads there; URLs in messages go through
//     redact_url();
//   - proxies come only from ClientOptions::proxy (http_proxy and friends in the
//     environment are ignored).
//
// Errors (Error::code) of send() and download(). Every message starts with the method and
// the URL as redact_url() shows it:
//   "bad_url"             not an absolute http or https URL (file:, ftp:, gopher:, ... are
//                         refused), one with user information ("user:password@"), or a
//                         redirect to such a URL
//   "blocked_address"     the address policy refused the address the host resolved to; the
//                         message names the host, the address and why ("loopback", ...)
//   "too_many_redirects"  more redirects than ClientOptions::max_redirects
//   "timeout"             no complete reply within the timeout, or no byte arrived for
//                         ClientOptions::stall_timeout
//   "too_large"           the body is larger than its cap: announced by Content-Length
//                         (refused before any of it is read), or found while it arrives
//                         (the transfer stops at the first byte past the cap)
//   "truncated"           the connection ended before the whole body arrived (fewer bytes
//                         than Content-Length, or a chunked body without its last chunk)
//   "tls_error"           the TLS handshake failed or the certificate was not trusted
//   "network_error"       the name did not resolve, the connection was refused or reset,
//                         the reply was not HTTP, ...
//   "io_error"            download(): the temporary file could not be created, written or
//                         synced
//   "bad_request"         the Request itself is malformed: a method that is not an
//                         upper-case token, a header name that is not a token or a value
//                         with CR, LF or NUL, a body on GET or HEAD
// A reply is not an Error whatever its status: it comes back as a Response (or Download);
// check_status() turns a non-2xx one into "http_error".
//
// Thread safety: a Client may be used from many threads at once. Each call runs on its own
// libcurl handle; name lookups and TLS sessions are shared between calls.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "generate/secret.hpp"
#include "generate/temp_file.hpp"

namespace paddock::generate {

struct Header {
  std::string name;
  std::string value;
};

// Header fields in order, looked up by name without regard to ASCII case.
class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(std::initializer_list<Header> headers) : entries_(headers) {}

  void add(std::string name, std::string value);
  // Replaces every field named `name` by one with `value`.
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);

  // The value of the first field named `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  const std::vector<Header>& entries() const { return entries_; }

 private:
  std::vector<Header> entries_;
};

// A header whose value is a credential: never shown, and dropped when a redirect leads to
// another origin.
struct SecretHeader {
  std::string name;
  Secret value;
};

// "Authorization: Bearer <token>".
SecretHeader bearer_authorization(const Secret& token);

struct Request {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url{};
  HeaderList headers{};  // fields named like credentials (is_sensitive_header) are treated
                         // as secret too
  std::vector<SecretHeader> secret_headers{};
  std::string body{};  // sent when not empty (set Content-Type in `headers`)
  // Cap on the reply body kept in memory by send(); ClientOptions::max_response_bytes if
  // unset. download() takes its cap as an argument instead.
  std::optional<std::int64_t> max_response_bytes{};
  // Whole-call time limit, redirects included; ClientOptions::timeout (send) or
  // download_timeout (download) if unset.
  std::optional<std::chrono::milliseconds> timeout{};
  // false: a redirect (301, 302, 303, 307, 308 with Location) comes back as the reply
  // itself, for a caller that must decide where to go next (and with which credentials).
  bool follow_redirects = true;
};

struct Response {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The URL that answered, after redirects. It may hold signed query parameters: show it
  // only through redact_url().
  std::string url;
  int redirects = 0;

  bool ok() const { return status >= 200 && status < 300; }
};

// Bytes of a non-2xx reply's body that download() keeps (for the provider's error message).
inline constexpr std::int64_t kErrorBodyBytes = 64 * 1024;

struct Download {
  int status = 0;
  HeaderList headers;
  std::string url;  // as Response::url
  int redirects = 0;
  // 2xx only: the body, complete and fsynced, in a temporary file of the folder given to
  // download(); removed when this object goes away unless file.release() is called.
  TempFile file;
  std::int64_t bytes = 0;  // 2xx: the body's size
  std::string sha256;      // 2xx: SHA-256 of the body, 64 lowercase hex digits
  // Non-2xx: the first kErrorBodyBytes of the reply body (the rest is not read).
  std::string error_body;

  bool ok() const { return status >= 200 && status < 300; }
};

struct ClientOptions {
  // Exemptions from the address policy: CIDR ranges or single addresses ("127.0.0.1",
  // "10.1.0.0/16", "::1") and host names ("vendor.internal"); see address_policy.hpp.
  std::vector<std::string> allow{};
  int max_redirects = 3;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};              // send()
  std::chrono::milliseconds download_timeout{1'800'000};  // download()
  // A transfer that sends and receives nothing for this long — waiting for the reply, or
  // in the middle of a body — fails with "timeout". Checked about once a second.
  std::chrono::milliseconds stall_timeout{30'000};
  std::int64_t max_response_bytes = 4 * 1024 * 1024;  // send()'s default cap
  // "http://proxy.internal:3128" or "" for none. The proxy is trusted: it is connected to
  // whatever its address, and it resolves the names of the URLs it is given; paddock
  // checks the addresses it can resolve itself (and address literals) before sending.
  std::string proxy{};
  // libcurl's name overrides, "host:port:address[,address...]" (CURLOPT_RESOLVE): tests
  // and pinned endpoints. Resolved addresses still pass the address policy.
  std::vector<std::string> resolve{};
  std::string user_agent = "paddock";
  std::string ca_file{};  // a PEM bundle of trusted CAs; "" = the system's
};

class Client {
 public:
  // Errors: "bad_config" naming the option (an allow entry that is neither a range nor a
  // host name, max_redirects < 0, a cap or timeout <= 0, a proxy that is not an http(s) URL).
  static Result<Client> create(ClientOptions options);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Sends `request`, follows redirects, and returns the final reply with its body in
  // memory. 303 (and 301/302 after a POST) continue as GET without a body, as browsers do;
  // 307 and 308 repeat the method and body. Errors: see the top of this file.
  Result<Response> send(const Request& request) const;

  // Like send(), but a 2xx reply's body is streamed into a new temporary file in `dir`
  // (TempFile::create), hashed on the way and fsynced. A Content-Length above `max_bytes`
  // is refused before the body is read; a body growing past it is cut off at once. Whatever
  // the error, no file is left behind.
  // Errors: those of send(), with "too_large" for `max_bytes`, "truncated" for a body
  // shorter than its Content-Length, "io_error" for the file.
  Result<Download> download(const Request& request, const std::filesystem::path& dir,
                            std::int64_t max_bytes) const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Success for a 2xx reply; otherwise "http_error" in the shape of retry.hpp's http_error():
// "HTTP <status>[ (Retry-After <value>)]: <METHOD> <redacted URL>" followed by the start of
// the body (at most 300 bytes, on one line, with `request`'s credentials scrubbed out).
Status check_status(const Request& request, const Response& response);
Status check_status(const Request& request, const Download& download);

// "<METHOD> <redacted URL>", how messages name a request.
std::string describe(const Request& request);

}  // namespace paddock::generate
