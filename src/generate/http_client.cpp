// The libcurl side of http_client.hpp. Redirects are followed here, one libcurl transfer
// per hop, rather than by libcurl itself: that is where the scheme is checked, where
// credentials are dropped on the way to another origin, and where the hop count is kept.
// The address policy runs in libcurl's open-socket callback, so it sees the address about
// to be connected to, whatever name or redirect led there.

#include "generate/http_client.hpp"

#include <curl/curl.h>
#include <netdb.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/text.hpp"
#include "generate/address_policy.hpp"
#include "generate/redaction.hpp"
#include "generate/retry.hpp"

namespace paddock::generate {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes of a reply body quoted by check_status().
constexpr std::size_t kQuotedBodyBytes = 300;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
// A curl_slist that frees itself; the list must outlive the transfer that uses it.
class CurlList {
 public:
  CurlList() = default;
  CurlList(const CurlList&) = delete;
  CurlList& operator=(const CurlList&) = delete;
  ~CurlList() { curl_slist_free_all(head_); }
  void append(const std::string& line) {
    if (curl_slist* grown = curl_slist_append(head_, line.c_str())) head_ = grown;
  }
  curl_slist* get() const { return head_; }

 private:
  curl_slist* head_ = nullptr;
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

// ---- URLs ---------------------------------------------------------------------------

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

// Scheme, host and port of an absolute http(s) URL.
struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // as libcurl spells it: lower-case name, or "[::1]"
  std::string port;    // explicit or the scheme's default
  bool has_userinfo = false;

  std::string origin() const { return scheme + "://" + host + ":" + port; }
};

// `what` names the URL in the message ("the URL", "the redirect").
Result<HttpUrl> parse_http_url(const std::string& url, std::string_view what) {
  CurlUrl handle(curl_url());
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
                     CURLUE_OK) {
    return fail("bad_url", std::string(what) + " is not a valid absolute URL");
  }
  HttpUrl parts{ascii_lower(url_part(handle.get(), CURLUPART_SCHEME)),
                ascii_lower(url_part(handle.get(), CURLUPART_HOST)),
                url_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT),
                !url_part(handle.get(), CURLUPART_USER).empty() ||
                    !url_part(handle.get(), CURLUPART_PASSWORD).empty()};
  if (parts.scheme != "http" && parts.scheme != "https") {
    return fail("bad_url", std::string(what) + " uses the " + parts.scheme +
                               ": scheme; only http and https are fetched");
  }
  if (parts.host.empty()) return fail("bad_url", std::string(what) + " has no host");
  return parts;
}

// A URL to fetch: http(s), and no user information — libcurl would turn it into an
// Authorization header that nothing here knows to keep secret. Credentials go in
// SecretHeaders.
Result<HttpUrl> parse_fetch_url(const std::string& url, std::string_view what) {
  auto parts = parse_http_url(url, what);
  if (parts && parts->has_userinfo) {
    return fail("bad_url", std::string(what) +
                               " holds user information (user:password@); put credentials in "
                               "secret headers instead");
  }
  return parts;
}

// `location` (absolute or relative) resolved against `base`.
std::optional<std::string> resolve_location(const std::string& base, const std::string& location) {
  CurlUrl handle(curl_url());
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, location.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
          CURLUE_OK) {
    return std::nullopt;
  }
  std::string resolved = url_part(handle.get(), CURLUPART_URL);
  if (resolved.empty()) return std::nullopt;
  return resolved;
}

// ---- one hop: a single request and its reply -----------------------------------------

bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Why a transfer was stopped from inside a callback.
enum class Stop { None, Redirect, ErrorBodyFull, TooLarge, IoError, Stalled };

struct Hop {
  // set before the transfer
  const AddressPolicy* policy = nullptr;
  bool via_proxy = false;
  std::string host;
  bool to_file = false;  // a 2xx body goes to `fd` (download) instead of `body` (send)
  bool head = false;
  std::int64_t cap = 0;
  int fd = -1;
  crypto_hash_sha256_state* sha = nullptr;
  std::chrono::milliseconds stall_timeout{0};

  // progress, for the stall check
  curl_off_t moved = 0;  // bytes sent and received so far
  Clock::time_point last_moved = Clock::now();

  // filled in by the callbacks
  int status = 0;
  bool headers_done = false;
  HeaderList headers;
  std::optional<std::int64_t> content_length;
  std::string body;  // send(): the body; download(): a non-2xx reply's body excerpt
  std::int64_t bytes = 0;
  Stop stop = Stop::None;
  std::string stop_detail;
  std::string blocked;  // "address (why)" of the first address the policy refused

  bool ok() const { return status >= 200 && status < 300; }
  bool redirect() const { return is_redirect_status(status) && headers.contains("location"); }
};

// A new status line starts a reply (interim 1xx replies come first, each with headers).
void start_reply(Hop& hop, std::string_view line) {
  hop.status = 0;
  hop.headers = {};
  hop.headers_done = false;
  hop.content_length.reset();
  const std::size_t space = line.find(' ');
  if (space != std::string_view::npos) {
    const std::string_view code = line.substr(space + 1, 3);
    std::from_chars(code.data(), code.data() + code.size(), hop.status);
  }
}

// Returns false to stop the transfer (a Content-Length over the cap).
bool end_of_headers(Hop& hop) {
  hop.headers_done = true;
  if (hop.status < 200) return true;  // an interim reply; the real one follows
  if (const auto length = hop.headers.get("content-length")) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), value);
    if (ec == std::errc() && end == length->data() + length->size()) hop.content_length = value;
  }
  // The cap is for bodies we keep: HEAD has none, a redirect's is never read, and a
  // download's error body is cut at kErrorBodyBytes instead.
  const bool kept = !hop.head && !hop.redirect() && (hop.ok() || !hop.to_file);
  if (kept && hop.content_length && *hop.content_length > hop.cap) {
    hop.stop = Stop::TooLarge;
    hop.stop_detail = "Content-Length " + std::to_string(*hop.content_length);
    return false;
  }
  return true;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  Hop& hop = *static_cast<Hop*>(user);
  const size_t length = size * count;
  std::string_view line(data, length);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    start_reply(hop, line);
  } else if (line.empty()) {
    if (!end_of_headers(hop)) return 0;
  } else if (line.front() == ' ' || line.front() == '\t') {
    // obsolete line folding: a continuation of the previous field
    if (!hop.headers.entries().empty()) {
      Header last = hop.headers.entries().back();
      hop.headers.remove(last.name);
      hop.headers.add(last.name, last.value + " " + std::string(trim(line)));
    }
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    hop.headers.add(std::string(trim(line.substr(0, colon))),
                    std::string(trim(line.substr(colon + 1))));
  }
  return length;
}

bool write_all(int fd, const char* data, size_t length) {
  while (length > 0) {
    const ssize_t written = ::write(fd, data, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    length -= static_cast<size_t>(written);
  }
  return true;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  Hop& hop = *static_cast<Hop*>(user);
  const size_t length = size * count;
  if (hop.redirect()) {
    hop.stop = Stop::Redirect;  // its body is of no use
    return 0;
  }
  if (hop.to_file && !hop.ok()) {
    const size_t room = static_cast<size_t>(kErrorBodyBytes) - hop.body.size();
    hop.body.append(data, std::min(length, room));
    if (length > room) {
      hop.stop = Stop::ErrorBodyFull;
      return 0;
    }
    return length;
  }
  if (hop.bytes + static_cast<std::int64_t>(length) > hop.cap) {
    hop.stop = Stop::TooLarge;
    hop.stop_detail = "more than " + std::to_string(hop.bytes) + " bytes arrived";
    return 0;
  }
  if (hop.to_file) {
    if (!write_all(hop.fd, data, length)) {
      hop.stop = Stop::IoError;
      hop.stop_detail = std::strerror(errno);
      return 0;
    }
    crypto_hash_sha256_update(hop.sha, reinterpret_cast<const unsigned char*>(data), length);
  } else {
    hop.body.append(data, length);
  }
  hop.bytes += static_cast<std::int64_t>(length);
  return length;
}

// libcurl calls this at least once a second, and more often while bytes move. Its own
// low-speed limit averages over several seconds, so a burst of bytes then silence would
// be noticed late; here silence is measured from the last byte.
int on_progress(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t sent) {
  Hop& hop = *static_cast<Hop*>(user);
  const auto now = Clock::now();
  if (received + sent != hop.moved) {
    hop.moved = received + sent;
    hop.last_moved = now;
  } else if (now - hop.last_moved > hop.stall_timeout) {
    hop.stop = Stop::Stalled;
    return 1;
  }
  return 0;
}

curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  Hop& hop = *static_cast<Hop*>(user);
  // Through a proxy every connection goes to the proxy, which the operator configured.
  if (purpose == CURLSOCKTYPE_IPCXN && !hop.via_proxy) {
    const auto ip = IpAddress::from_sockaddr(&address->addr);
    if (!ip) {
      if (hop.blocked.empty()) hop.blocked = "an address that is not IPv4 or IPv6";
      return CURL_SOCKET_BAD;
    }
    if (auto why = hop.policy->refusal(hop.host, *ip)) {
      if (hop.blocked.empty()) hop.blocked = ip->to_string() + ", " + *why;
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// ---- requests ---------------------------------------------------------------------------

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c > 32 && c < 127 &&
           std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == 0; });
}

// The state of a request as it moves along its redirects.
struct Leg {
  std::string method;
  std::string url;
  std::string body;
  HeaderList headers;
  std::vector<SecretHeader> secret_headers;
};

// Every credential `request` holds, for scrubbing messages: secret and sensitive header
// values (and the token after "Bearer "/"Basic "), and the URL's credentials.
std::vector<std::string> credentials_of(const Request& request) {
  std::vector<std::string> found = url_credentials(request.url);
  auto add = [&found](std::string_view value) {
    found.emplace_back(value);
    const std::size_t space = value.find(' ');
    if (space != std::string_view::npos) found.emplace_back(trim(value.substr(space + 1)));
  };
  for (const SecretHeader& header : request.secret_headers) add(header.value.reveal());
  for (const Header& header : request.headers.entries()) {
    if (is_sensitive_header(header.name)) add(header.value);
  }
  return found;
}

std::string scrub_for(const Request& request, std::string_view text) {
  const std::vector<std::string> secrets = credentials_of(request);
  const std::vector<std::string_view> views(secrets.begin(), secrets.end());
  return scrub(text, views);
}

// The final reply of a request after redirects, with its body in `hop` (memory or file).
// (Outside Client::Impl: a member of an anonymous-namespace type would give Impl internal
// linkage parts, which the unity build warns about.)
struct Exchange {
  Hop hop;
  std::string url;
  int redirects = 0;
};

}  // namespace

// ---- HeaderList -------------------------------------------------------------------------

void HeaderList::add(std::string name, std::string value) {
  entries_.push_back({std::move(name), std::move(value)});
}

void HeaderList::set(std::string_view name, std::string value) {
  remove(name);
  add(std::string(name), std::move(value));
}

void HeaderList::remove(std::string_view name) {
  std::erase_if(entries_, [name](const Header& h) { return equals_ignoring_case(h.name, name); });
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
  for (const Header& header : entries_) {
    if (equals_ignoring_case(header.name, name)) return header.value;
  }
  return std::nullopt;
}

SecretHeader bearer_authorization(const Secret& token) {
  return {"Authorization", Secret("Bearer " + std::string(token.reveal()))};
}

std::string describe(const Request& request) {
  return request.method + " " + redact_url(request.url);
}

// ---- Client -----------------------------------------------------------------------------

struct Client::Impl {
  ClientOptions options;
  AddressPolicy policy;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;

  Impl(ClientOptions o, AddressPolicy p) : options(std::move(o)), policy(std::move(p)) {}
  ~Impl() {
    if (share != nullptr) curl_share_cleanup(share);
  }

  Result<Exchange> run(const Request& request, std::int64_t cap, std::chrono::milliseconds timeout,
                       int fd, crypto_hash_sha256_state* sha) const;

  Status check_via_proxy(const Request& request, const HttpUrl& url) const;
  void configure(CURL* curl, Hop& hop, const Leg& leg, curl_slist* header_list,
                 curl_slist* resolve_list, std::chrono::milliseconds remaining,
                 char* error_buffer) const;
  Error transfer_error(const Request& request, const Leg& leg, const Hop& hop, CURLcode code,
                       const char* error_buffer, std::chrono::milliseconds timeout) const;
};

namespace {

void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<std::array<std::mutex, CURL_LOCK_DATA_LAST>*>(user)->at(data).lock();
}
void unlock_share(CURL*, curl_lock_data data, void* user) {
  static_cast<std::array<std::mutex, CURL_LOCK_DATA_LAST>*>(user)->at(data).unlock();
}

}  // namespace

Result<Client> Client::create(ClientOptions options) {
  init_curl_once();
  if (options.max_redirects < 0) return fail("bad_config", "max_redirects must not be negative");
  if (options.max_response_bytes <= 0 || options.timeout.count() <= 0 ||
      options.download_timeout.count() <= 0 || options.connect_timeout.count() <= 0 ||
      options.stall_timeout.count() <= 0) {
    return fail("bad_config", "response caps and timeouts must be positive");
  }
  if (!options.proxy.empty()) {
    auto proxy = parse_http_url(options.proxy, "the proxy");
    if (!proxy) return fail("bad_config", proxy.error().message + " (an http or https URL)");
  }
  auto policy = AddressPolicy::with_allow_list(options.allow, local_interface_addresses());
  if (!policy) return std::unexpected(policy.error());

  auto impl = std::make_unique<Impl>(std::move(options), std::move(*policy));
  impl->share = curl_share_init();
  if (impl->share == nullptr) return fail("internal", "libcurl could not make a share handle");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, lock_share);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, unlock_share);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, &impl->share_locks);
  // Not CURL_LOCK_DATA_CONNECT: libcurl 7.88 cannot share connections between threads.
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return Client(std::move(impl));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

// Behind a proxy the open-socket check sees only the proxy: check what can be known here.
Status Client::Impl::check_via_proxy(const Request& request, const HttpUrl& url) const {
  if (policy.allows_host(url.host)) return ok();
  std::vector<IpAddress> addresses;
  if (auto literal = IpAddress::parse(url.host)) {
    addresses.push_back(*literal);
  } else {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    // A name only the proxy can resolve is left to the proxy.
    if (getaddrinfo(url.host.c_str(), nullptr, &hints, &found) != 0) return ok();
    for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
      if (auto ip = IpAddress::from_sockaddr(entry->ai_addr)) addresses.push_back(*ip);
    }
    freeaddrinfo(found);
  }
  for (const IpAddress& address : addresses) {
    if (auto why = policy.refusal(url.host, address)) {
      return fail("blocked_address",
                  scrub_for(request, describe(request) + ": refusing to connect to " + url.host +
                                         " (" + address.to_string() + ", " + *why +
                                         "): not allowed by the network policy"));
    }
  }
  return ok();
}

void Client::Impl::configure(CURL* curl, Hop& hop, const Leg& leg, curl_slist* header_list,
                             curl_slist* resolve_list, std::chrono::milliseconds remaining,
                             char* error_buffer) const {
  curl_easy_setopt(curl, CURLOPT_URL, leg.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SHARE, share);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, remaining.count())));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &hop);
  // "" switches proxies off, environment variables included.
  curl_easy_setopt(curl, CURLOPT_PROXY, options.proxy.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "");
  curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hop);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &hop);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &hop);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);

  if (leg.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (leg.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, leg.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(leg.body.size()));
    if (leg.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, leg.method.c_str());
  }
  if (resolve_list != nullptr) curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_list);
}

Error Client::Impl::transfer_error(const Request& request, const Leg& leg, const Hop& hop,
                                   CURLcode code, const char* error_buffer,
                                   std::chrono::milliseconds timeout) const {
  std::string where = describe(request);
  if (leg.url != request.url) where += " (redirected to " + redact_url(leg.url) + ")";
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  auto make = [&](std::string error_code, std::string text) {
    return Error{std::move(error_code), scrub_for(request, where + ": " + text)};
  };
  switch (hop.stop) {
    case Stop::TooLarge:
      return make("too_large", "the reply is larger than the " + std::to_string(hop.cap) +
                                   "-byte limit (" + hop.stop_detail + ")");
    case Stop::IoError:
      return make("io_error", "cannot write the download: " + hop.stop_detail);
    case Stop::Stalled:
      return make("timeout", "nothing received for " +
                                 std::to_string(options.stall_timeout.count()) + " ms (" +
                                 std::to_string(hop.bytes) + " body bytes so far)");
    default:
      break;
  }
  if (!hop.blocked.empty() && code == CURLE_COULDNT_CONNECT) {
    return make("blocked_address", "refusing to connect to " + hop.host + " (" + hop.blocked +
                                       "): not allowed by the network policy");
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return make("timeout", "no complete reply within " + std::to_string(timeout.count()) +
                                 " ms (" + detail + ")");
    case CURLE_PARTIAL_FILE:
      return make(
          "truncated",
          "the connection ended before the whole body arrived (" + std::to_string(hop.bytes) +
              " bytes received" +
              (hop.content_length ? " of " + std::to_string(*hop.content_length) : std::string()) +
              ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return make("bad_url", detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return make("tls_error", detail);
    default:
      return make("network_error", detail);
  }
}

Result<Exchange> Client::Impl::run(const Request& request, std::int64_t cap,
                                   std::chrono::milliseconds timeout, int fd,
                                   crypto_hash_sha256_state* sha) const {
  if (!is_token(request.method) || !std::all_of(request.method.begin(), request.method.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return fail("bad_request", "\"" + one_line(request.method, 20) + "\" is not a method");
  }
  for (const Header& header : request.headers.entries()) {
    if (!is_token(header.name) || !is_field_value(header.value)) {
      return fail("bad_request", describe(request) + ": header \"" + one_line(header.name, 40) +
                                     "\" is not a valid field");
    }
  }
  for (const SecretHeader& header : request.secret_headers) {
    if (!is_token(header.name) || !is_field_value(header.value.reveal())) {
      return fail("bad_request", describe(request) + ": header \"" + one_line(header.name, 40) +
                                     "\" is not a valid field");
    }
  }
  if (!request.body.empty() && (request.method == "GET" || request.method == "HEAD")) {
    return fail("bad_request",
                describe(request) + ": a " + request.method + " request cannot carry a body");
  }

  Leg leg{request.method, request.url, request.body, request.headers, request.secret_headers};
  auto url = parse_fetch_url(leg.url, "the URL");
  if (!url)
    return fail("bad_url", scrub_for(request, describe(request) + ": " + url.error().message));
  const auto deadline = Clock::now() + timeout;

  for (int redirects = 0;; ++redirects) {
    if (!options.proxy.empty()) {
      if (auto checked = check_via_proxy(request, *url); !checked) {
        return std::unexpected(checked.error());
      }
    }
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Hop hop;
    hop.policy = &policy;
    hop.via_proxy = !options.proxy.empty();
    hop.host = url->host;
    hop.to_file = fd >= 0;
    hop.head = leg.method == "HEAD";
    hop.cap = cap;
    hop.fd = fd;
    hop.sha = sha;
    hop.stall_timeout = options.stall_timeout;
    if (remaining.count() <= 0) {
      char none[1] = {0};
      return std::unexpected(
          transfer_error(request, leg, hop, CURLE_OPERATION_TIMEDOUT, none, timeout));
    }

    std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
    if (!curl) return fail("internal", "libcurl could not make a handle");
    CurlList header_list;
    // "Name;" is libcurl's way to send a field with an empty value.
    auto field = [](const std::string& name, std::string_view value) {
      return value.empty() ? name + ";" : name + ": " + std::string(value);
    };
    header_list.append("Expect:");  // removes libcurl's 100-continue wait before a large body
    for (const Header& header : leg.headers.entries()) {
      header_list.append(field(header.name, header.value));
    }
    for (const SecretHeader& header : leg.secret_headers) {
      header_list.append(field(header.name, header.value.reveal()));
    }
    CurlList resolve_list;
    for (const std::string& entry : options.resolve) resolve_list.append(entry);

    char error_buffer[CURL_ERROR_SIZE] = {0};
    configure(curl.get(), hop, leg, header_list.get(), resolve_list.get(), remaining, error_buffer);
    if (sha != nullptr) crypto_hash_sha256_init(sha);
    const CURLcode code = curl_easy_perform(curl.get());

    const bool stopped_on_purpose = hop.stop == Stop::Redirect || hop.stop == Stop::ErrorBodyFull;
    if (code != CURLE_OK && !(stopped_on_purpose && code == CURLE_WRITE_ERROR)) {
      return std::unexpected(transfer_error(request, leg, hop, code, error_buffer, timeout));
    }
    if (!hop.redirect() || !request.follow_redirects) {
      const bool complete_body = hop.ok() && !hop.head && hop.stop == Stop::None;
      if (complete_body && hop.content_length && hop.bytes < *hop.content_length) {
        return std::unexpected(
            transfer_error(request, leg, hop, CURLE_PARTIAL_FILE, error_buffer, timeout));
      }
      return Exchange{std::move(hop), std::move(leg.url), redirects};
    }

    // A redirect: check where it leads before anything is sent there.
    if (redirects >= options.max_redirects) {
      return fail("too_many_redirects",
                  scrub_for(request, describe(request) + ": more than " +
                                         std::to_string(options.max_redirects) + " redirects"));
    }
    const std::string location(*hop.headers.get("location"));
    const auto next_url = resolve_location(leg.url, location);
    if (!next_url) {
      return fail(
          "bad_url",
          scrub_for(request, describe(request) + ": redirected to a Location that is not a URL"));
    }
    auto next = parse_fetch_url(*next_url, "its redirect");
    if (!next) {
      return fail("bad_url", scrub_for(request, describe(request) + ": " + next.error().message));
    }
    if (next->origin() != url->origin()) {
      // Credentials were meant for the origin they were given to.
      leg.secret_headers.clear();
      std::vector<std::string> sensitive;
      for (const Header& header : leg.headers.entries()) {
        if (is_sensitive_header(header.name)) sensitive.push_back(header.name);
      }
      for (const std::string& name : sensitive) leg.headers.remove(name);
    }
    const bool to_get = hop.status == 303
                            ? leg.method != "HEAD"
                            : (hop.status == 301 || hop.status == 302) && leg.method == "POST";
    if (to_get) {
      leg.method = "GET";
      leg.body.clear();
      leg.headers.remove("content-type");
      leg.headers.remove("content-length");
    }
    leg.url = *next_url;
    url = std::move(next);
  }
}

Result<Response> Client::send(const Request& request) const {
  const std::int64_t cap = request.max_response_bytes.value_or(impl_->options.max_response_bytes);
  auto exchange =
      impl_->run(request, cap, request.timeout.value_or(impl_->options.timeout), -1, nullptr);
  if (!exchange) return std::unexpected(exchange.error());
  Response response;
  response.status = exchange->hop.status;
  response.headers = std::move(exchange->hop.headers);
  response.body = std::move(exchange->hop.body);
  response.url = std::move(exchange->url);
  response.redirects = exchange->redirects;
  return response;
}

Result<Download> Client::download(const Request& request, const std::filesystem::path& dir,
                                  std::int64_t max_bytes) const {
  auto file = TempFile::create(dir, ".part");
  if (!file) return fail("io_error", describe(request) + ": " + file.error().message);
  crypto_hash_sha256_state sha;
  auto exchange =
      impl_->run(request, max_bytes, request.timeout.value_or(impl_->options.download_timeout),
                 file->fd(), &sha);
  if (!exchange) return std::unexpected(exchange.error());  // `file` goes with it

  Download download;
  download.status = exchange->hop.status;
  download.headers = std::move(exchange->hop.headers);
  download.url = std::move(exchange->url);
  download.redirects = exchange->redirects;
  if (!download.ok()) {
    download.error_body = std::move(exchange->hop.body);
    return download;
  }
  if (auto synced = file->sync_and_close(); !synced) {
    return fail("io_error", describe(request) + ": " + synced.error().message);
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&sha, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  download.sha256 = hex;
  download.bytes = exchange->hop.bytes;
  download.file = std::move(*file);
  return download;
}

// ---- check_status -------------------------------------------------------------------------

namespace {

Status status_error(const Request& request, int status, const HeaderList& headers,
                    std::string_view body) {
  std::string what = describe(request);
  if (!body.empty()) what += ": " + one_line(body, kQuotedBodyBytes);
  std::optional<std::string> retry_after;
  if (auto value = headers.get("retry-after")) retry_after = std::string(*value);
  return std::unexpected(http_error(status, retry_after, scrub_for(request, what)));
}

}  // namespace

Status check_status(const Request& request, const Response& response) {
  if (response.ok()) return ok();
  return status_error(request, response.status, response.headers, response.body);
}

Status check_status(const Request& request, const Download& download) {
  if (download.ok()) return ok();
  return status_error(request, download.status, download.headers, download.error_body);
}

}  // namespace paddock::generate
