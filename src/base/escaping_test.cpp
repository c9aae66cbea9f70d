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

}  // namespace
}  // namespace paddock
