#pragma once
// Voter sessions carried in a cookie. The cookie value is a random 128-bit id followed by a
// keyed BLAKE2b tag of it, so any server holding the key recognizes the sessions it (or a
// sibling server) issued without a database, and a client cannot invent one.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::http {

inline constexpr std::string_view kSessionCookie = "paddock_session";

struct Session {
  std::string id;            // 32 lowercase hex digits; what tickets and votes record
  std::string cookie_value;  // what the browser keeps
};

class SessionCodec {
 public:
  using Key = std::array<unsigned char, 32>;
  explicit SessionCodec(const Key& key);

  // A fresh random session.
  Session mint() const;
  // The session a cookie value stands for, or nullopt if it was not issued with this key.
  std::optional<Session> verify(std::string_view cookie_value) const;

 private:
  Key key_;
};

// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name);

// The Set-Cookie header value for a session (HttpOnly; SameSite=Strict; Path=/; one year,
// plus Secure when `secure`).
std::string session_set_cookie(const Session& session, bool secure);

}  // namespace paddock::http
