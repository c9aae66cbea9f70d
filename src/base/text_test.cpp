#include "base/text.hpp"

#include <gtest/gtest.h>

namespace paddock {
namespace {

TEST(Trim, RemovesSpacesAndTabsAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b\t"), "a b");
  EXPECT_EQ(trim("\t \t"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim("\na\r"), "\na\r");  // only blanks: a line end is not trimmed
}

TEST(OneLine, PutsTheTextOnOneLineAndCutsItAtTheLimit) {
  EXPECT_EQ(one_line("a\r\nb\tc", 100), "a  b c");
  EXPECT_EQ(one_line("abcdef", 3), "abc...");
  EXPECT_EQ(one_line("abc", 3), "abc");
  EXPECT_EQ(one_line("", 3), "");
  EXPECT_EQ(one_line("\"\\", 3), "\"\\");  // nothing is escaped
}

TEST(EqualsIgnoringCase, FoldsAsciiLettersOnly) {
  EXPECT_TRUE(equals_ignoring_case("Application/JSON", "application/json"));
  EXPECT_TRUE(equals_ignoring_case("", ""));
  EXPECT_FALSE(equals_ignoring_case("gzip", "gzip2"));
  EXPECT_FALSE(equals_ignoring_case("a[", "A{"));              // '[' and '{' differ by the case bit
  EXPECT_FALSE(equals_ignoring_case("\xC3\xA9", "\xC3\x89"));  // é and É: not ASCII
}

TEST(AsciiLower, LowersAsciiLettersOnly) {
  EXPECT_EQ(ascii_lower("HTTPS://Example.COM"), "https://example.com");
  EXPECT_EQ(ascii_lower("\xC3\x89[Z]"), "\xC3\x89[z]");  // É stays; '[' and ']' are not letters
}

TEST(StartsWithIgnoringCase, ComparesThePrefixOnly) {
  EXPECT_TRUE(starts_with_ignoring_case("X-Amz-Signature", "x-amz-"));
  EXPECT_TRUE(starts_with_ignoring_case("abc", ""));
  EXPECT_FALSE(starts_with_ignoring_case("x-a", "x-amz-"));
}

}  // namespace
}  // namespace paddock
