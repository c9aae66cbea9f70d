#include "generate/jwt.hpp"

#include <gtest/gtest.h>

#include "generate/encoding.hpp"
#include "support/process.hpp"

namespace paddock::generate {
namespace {

TEST(Hs256Jwt, MatchesThePublishedJwtIoExample) {
  // The HS256 example token shown on jwt.io (and in many libraries' tests).
  const Secret token = hs256_jwt(R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
                                 Secret("your-256-bit-secret"));
  EXPECT_EQ(token.reveal(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
}

TEST(KlingJwt, SignsIssuerExpiryAndNotBeforeAsOpensslComputesIt) {
  const auto now = std::chrono::system_clock::from_time_t(1'780'000'000);
  const Secret token = kling_jwt(Secret("ak-test-123"), Secret("sk-test-secret-456"), now);
  const std::string_view text = token.reveal();

  const std::string payload = R"({"iss":"ak-test-123","exp":1780001800,"nbf":1779999995})";
  const std::string signing_input =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + base64url_encode(payload);
  ASSERT_TRUE(text.starts_with(signing_input + ".")) << text;

  // The signature, computed independently by the openssl command.
  testing::ProcessOptions options;
  options.stdin_text = signing_input;
  options.timeout = std::chrono::seconds(10);
  const auto openssl = testing::run_process(
      {"openssl", "dgst", "-sha256", "-hmac", "sk-test-secret-456", "-binary"}, options);
  ASSERT_EQ(openssl.exit_code, 0) << openssl.err;
  ASSERT_EQ(openssl.out.size(), 32u);
  EXPECT_EQ(text.substr(signing_input.size() + 1), base64url_encode(openssl.out));
}

TEST(KlingJwt, EscapesTheAccessKeyAsJson) {
  const auto now = std::chrono::system_clock::from_time_t(0);
  const Secret token = kling_jwt(Secret(R"(a"b\c)"), Secret("k"), now, std::chrono::seconds(60));
  const std::string payload = R"({"iss":"a\"b\\c","exp":60,"nbf":-5})";
  EXPECT_TRUE(token.reveal().starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
                                         base64url_encode(payload) + "."));
}

}  // namespace
}  // namespace paddock::generate
