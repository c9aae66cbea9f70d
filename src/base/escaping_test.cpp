#include "base/escaping.hpp"

#include <gtest/gtest.h>

namespace paddock {
namespace {

TEST(JsonQuote, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote("say \"hi\" \\ now"), R"("say \"hi\" \\ now")");
  EXPECT_EQ(json_quote("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(json_quote(std::string_view("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(json_quote("mod\xC3\xA9le"), "\"mod\xC3\xA9le\"");  // UTF-8 passes through
}

TEST(CsvCell, QuotesOnlyWhatNeedsQuoting) {
  std::string out;
  append_csv_cell(out, "Kling 3");
  out += ',';
  append_csv_cell(out, "a, b");
  out += ',';
  append_csv_cell(out, "say \"hi\"");
  out += ',';
  append_csv_cell(out, "two\nlines");
  EXPECT_EQ(out, "Kling 3,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"");
}

TEST(CsvCell, GuardsWhatASpreadsheetWouldRunAsAFormula) {
  auto cell = [](std::string_view text) {
    std::string out;
    append_csv_cell(out, text);
    return out;
  };
  EXPECT_EQ(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(cell("+1+1"), "'+1+1");
  EXPECT_EQ(cell("-model"), "'-model");
  EXPECT_EQ(cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(cell("\tx"), "'\tx");
  EXPECT_EQ(cell("\rx"), "\"'\rx\"");
  // Negative numbers are data; a sign elsewhere is harmless.
  EXPECT_EQ(cell("-2"), "-2");
  EXPECT_EQ(cell("-0.5"), "-0.5");
  EXPECT_EQ(cell("a=b"), "a=b");
  EXPECT_EQ(cell(""), "");
}

TEST(CsvCell, ReadingBackTakesTheGuardOffAgain) {
  for (std::string_view text :
       {"=1+2", "-model", "@x", "+", "plain", "'quoted'", "-3", "'", "'=x", "''-y"}) {
    std::string out;
    append_csv_cell(out, text);
    if (out.front() == '"') out = out.substr(1, out.size() - 2);  // none of these has a quote
    EXPECT_EQ(unguard_csv_cell(out), text) << text;
  }
  EXPECT_EQ(unguard_csv_cell("'plain"), "'plain");  // an apostrophe paddock did not add stays
}

TEST(JsonQuote, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(json_quote("héllo 😀"), "\"héllo 😀\"");
}

// Found by fuzz/http_request_fuzz (then in http): GET /api/leaderboard?weights=%FF... was answered
// with an error message quoting the bytes as they came, which is not JSON.
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
  const std::string quoted = json_quote(all_bytes);
  for (std::size_t i = 0; i < quoted.size(); ++i) {  // every byte >= 0x80 is part of U+FFFD
    if (static_cast<unsigned char>(quoted[i]) >= 0x80) {
      ASSERT_EQ(quoted.substr(i, 3), "\xEF\xBF\xBD") << "at " << i;
      i += 2;
    }
  }
}

}  // namespace
}  // namespace paddock
