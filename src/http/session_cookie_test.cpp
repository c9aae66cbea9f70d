#include "http/session_cookie.hpp"

#include <gtest/gtest.h>

namespace paddock::http {
namespace {

SessionCodec::Key key(unsigned char fill) {
  SessionCodec::Key k;
  k.fill(fill);
  return k;
}

TEST(SessionCodec, RecognizesItsOwnSessions) {
  SessionCodec codec(key(1));
  auto s = codec.mint();
  EXPECT_EQ(s.id.size(), 32u);
  auto back = codec.verify(s.cookie_value);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, s.id);
  EXPECT_NE(codec.mint().id, s.id);
}

TEST(SessionCodec, RefusesInventedOrForeignSessions) {
  SessionCodec mine(key(1)), theirs(key(2));
  EXPECT_FALSE(mine.verify(theirs.mint().cookie_value));
  EXPECT_FALSE(mine.verify("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(mine.verify(""));
  EXPECT_FALSE(mine.verify(std::string(500, 'A')));
  auto s = mine.mint().cookie_value;
  s[3] = s[3] == 'x' ? 'y' : 'x';
  EXPECT_FALSE(mine.verify(s));
}

// Found by fuzz/session_cookie_fuzz: libsodium reads a byte above 0x7f as the digit '_', so
// such a byte in place of '_' used to verify as the same session.
TEST(SessionCodec, RefusesBytesOutsideTheBase64UrlAlphabet) {
  SessionCodec codec(key(1));
  std::string value = codec.mint().cookie_value;
  for (int i = 0; i < 1000 && value.find('_') == std::string::npos; ++i) {
    value = codec.mint().cookie_value;
  }
  ASSERT_NE(value.find('_'), std::string::npos);
  ASSERT_TRUE(codec.verify(value));
  value[value.find('_')] = '\xb9';
  EXPECT_FALSE(codec.verify(value));
}

TEST(FindCookie, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(find_cookie("a=1; paddock_session=xyz; b=2", "paddock_session"), "xyz");
  EXPECT_EQ(find_cookie("paddock_session=\"q\"", "paddock_session"), "q");
  EXPECT_EQ(find_cookie("xpaddock_session=1", "paddock_session"), std::nullopt);
  EXPECT_EQ(find_cookie("", "paddock_session"), std::nullopt);
}

TEST(SessionSetCookie, IsHttpOnlyAndSameSiteStrict) {
  Session s{"id", "value"};
  auto v = session_set_cookie(s, false);
  EXPECT_NE(v.find("paddock_session=value"), std::string::npos);
  EXPECT_NE(v.find("HttpOnly"), std::string::npos);
  EXPECT_NE(v.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(v.find("Path=/"), std::string::npos);
  EXPECT_EQ(v.find("Secure"), std::string::npos);
  EXPECT_NE(session_set_cookie(s, true).find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace paddock::http
