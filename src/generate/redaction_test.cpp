#include "generate/redaction.hpp"

#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <string>
#include <type_traits>

#include "generate/secret.hpp"

namespace paddock::generate {
namespace {

TEST(RedactUrl, HidesCredentialParametersAndUserInfo) {
  EXPECT_EQ(redact_url("https://api.example.com/v1/tasks/abc"),
            "https://api.example.com/v1/tasks/abc");
  EXPECT_EQ(redact_url("https://g.example/v1beta/files/x:download?alt=media&key=AIzaSECRET"),
            "https://g.example/v1beta/files/x:download?alt=media&key=[redacted]");
  EXPECT_EQ(redact_url("https://user:pa55@host.example:8443/p?q=1#frag"),
            "https://[redacted]@host.example:8443/p?q=1");
  EXPECT_EQ(redact_url("https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                       "&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&x-id=GetObject"),
            "https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=[redacted]"
            "&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&x-id=GetObject");
  EXPECT_EQ(redact_url("https://tos.example/v.mp4?X-Tos-Signature=s1&X-Tos-Expires=3600"),
            "https://tos.example/v.mp4?X-Tos-Signature=[redacted]&X-Tos-Expires=[redacted]");
  EXPECT_EQ(redact_url("https://oss.example/v.mp4?Expires=1&OSSAccessKeyId=LTAI&Signature=zz%3D"),
            "https://oss.example/v.mp4?Expires=1&OSSAccessKeyId=[redacted]&Signature=[redacted]");
  EXPECT_EQ(redact_url("https://x.example/?access_token=t&Policy=p&sig=s&api_key=k&flag"),
            "https://x.example/?access_token=[redacted]&Policy=[redacted]&sig=[redacted]"
            "&api_key=[redacted]&flag");
  EXPECT_EQ(redact_url("/relative?token=abc"), "/relative?token=[redacted]");
  EXPECT_EQ(redact_url(""), "");
}

TEST(UrlCredentials, ListsWhatRedactUrlHides) {
  EXPECT_EQ(url_credentials("https://u:p4ss@h.example/x?key=K1&a=b&signature=S1#key=x"),
            (std::vector<std::string>{"u:p4ss", "p4ss", "K1", "S1"}));
  EXPECT_TRUE(url_credentials("https://h.example/x?a=b").empty());
}

TEST(IsSensitiveHeader, KnowsCredentialHeadersInAnyCase) {
  for (const char* name :
       {"Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "x-goog-api-key",
        "X-Api-Key", "X-Amz-Security-Token", "api-key", "X-DashScope-Signature"}) {
    EXPECT_TRUE(is_sensitive_header(name)) << name;
  }
  for (const char* name : {"Content-Type", "X-DashScope-Async", "Accept", "User-Agent"}) {
    EXPECT_FALSE(is_sensitive_header(name)) << name;
  }
}

TEST(Scrub, ReplacesEveryOccurrenceButNotTinyValues) {
  const std::array<std::string_view, 3> secrets = {"sk-123456", "abc", "dacted"};
  EXPECT_EQ(scrub("key sk-123456 again sk-123456; abc stays", secrets),
            "key [redacted] again [redacted]; abc stays");
  EXPECT_EQ(scrub("nothing here", secrets), "nothing here");
  const std::array<std::string_view, 2> overlapping = {"abcdef", "defghi"};
  EXPECT_EQ(scrub("xabcdefghiy", overlapping), "x[redacted]y");
}

TEST(Secret, ComesFromTheEnvironmentAndNamesOnlyTheVariable) {
  ::setenv("PADDOCK_TEST_SECRET_KEY", "sk-env-value", 1);
  auto secret = Secret::from_environment("PADDOCK_TEST_SECRET_KEY");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->reveal(), "sk-env-value");

  ::setenv("PADDOCK_TEST_EMPTY_KEY", "", 1);
  for (const char* name : {"PADDOCK_TEST_UNSET_KEY", "PADDOCK_TEST_EMPTY_KEY"}) {
    auto missing = Secret::from_environment(name);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "missing_secret");
    EXPECT_NE(missing.error().message.find(name), std::string::npos);
  }
  auto bad = Secret::from_environment("A=B");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "bad_config");
}

// Printing a Secret by accident does not compile.
template <typename T>
concept Streamable = requires(std::ostream& out, const T& value) {
  out << value;
};
static_assert(!Streamable<Secret>);
static_assert(!std::is_convertible_v<Secret, std::string>);
static_assert(!std::is_convertible_v<Secret, std::string_view>);
static_assert(!std::is_constructible_v<std::string, Secret>);

TEST(Secret, CopiesAndMovesKeepTheValue) {
  Secret a("value-one");
  Secret b = a;
  Secret c = std::move(a);
  EXPECT_EQ(b.reveal(), "value-one");
  EXPECT_EQ(c.reveal(), "value-one");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from Secret is empty
  b = Secret("longer value two");
  EXPECT_EQ(b.reveal(), "longer value two");
}

}  // namespace
}  // namespace paddock::generate
