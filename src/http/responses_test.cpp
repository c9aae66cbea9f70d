#include "http/responses.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace paddock::http {
namespace {

TEST(JsonQuote, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(json_quote("héllo 😀"), "\"héllo 😀\"");
}

// Found by fuzz/http_request_fuzz: GET /api/leaderboard?weights=%FF... was answered with an
// error message quoting the bytes as they came, which is not JSON.
TEST(JsonQuote, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(json_quote("a\xff"
                       "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(json_quote("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
  EXPECT_EQ(json_quote("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(json_quote("\xF4\x90\x80\x80"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // above U+10FFFF
  EXPECT_EQ(json_quote("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // cut short
  const std::string all_bytes = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
    return s;
  }();
  EXPECT_FALSE(nlohmann::json::parse(json_quote(all_bytes), nullptr, false).is_discarded());
}

TEST(ErrorResponse, IsJsonWhateverTheMessage) {
  auto r = error_response(400, "bad_weights", "weight \"\xff\xfe\" is not CATEGORY=SHARE");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["error"]["code"], "bad_weights");
}

}  // namespace
}  // namespace paddock::http
