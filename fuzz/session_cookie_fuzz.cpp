// Session cookies (http/session_cookie.hpp): the Cookie header is split into name=value
// pairs (find_cookie) and the value is checked against the key (SessionCodec::verify).
// Checks: a value found lies inside the header; text that was never minted does not verify;
// a minted cookie verifies as itself and, with one character changed, no longer does.

#include <cctype>

#include "http/session_cookie.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

namespace {

http::SessionCodec::Key key(unsigned char fill) {
  http::SessionCodec::Key k;
  k.fill(fill);
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // Two keys: `judge` never mints, so nothing the fuzzer may have seen (libFuzzer picks up
  // strings from comparisons) can verify under it; `codec` mints for the round trips.
  static const http::SessionCodec judge(key(3));
  static const http::SessionCodec codec(key(4));
  std::string_view header = fuzz::as_text(data, size);

  if (auto value = http::find_cookie(header, http::kSessionCookie)) {
    FUZZ_CHECK(value->data() >= header.data() &&
                   value->data() + value->size() <= header.data() + header.size(),
               "the cookie value points outside the header");
    FUZZ_CHECK(!judge.verify(*value), "a session cookie verified that was never minted");
  }
  FUZZ_CHECK(!judge.verify(header), "a session cookie verified that was never minted");

  const auto session = codec.mint();
  FUZZ_CHECK(session.id.size() == 32, "a session id of %zu characters", session.id.size());
  auto back = codec.verify(session.cookie_value);
  FUZZ_CHECK(back && back->id == session.id, "a minted cookie did not verify");
  if (!header.empty()) {
    std::string altered = session.cookie_value;
    const std::size_t at = static_cast<unsigned char>(header[0]) % altered.size();
    altered[at] = header.size() > 1 ? header[1] : 'A';
    if (altered != session.cookie_value) {
      FUZZ_CHECK(!codec.verify(altered), "a cookie changed at %zu still verified", at);
    }
    // The same cookie after another one, as a browser sends it: found, unless the other one
    // is itself a session cookie (the first of a name wins).
    const std::string_view first = header.substr(0, header.find(';'));
    const std::string cookies =
        std::string(first) + "; " + std::string(http::kSessionCookie) + "=" + session.cookie_value;
    auto found = http::find_cookie(cookies, http::kSessionCookie);
    const std::string_view trimmed =
        first.substr(std::min(first.find_first_not_of(' '), first.size()));
    const bool shadowed = trimmed.starts_with(std::string(http::kSessionCookie) + "=");
    FUZZ_CHECK(found && (shadowed || *found == session.cookie_value),
               "the session cookie was not found after another cookie");
  }
  return 0;
}
