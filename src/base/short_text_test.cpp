#include "base/short_text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>

namespace paddock {
namespace {

TEST(ShortText, TellsApartEveryStringOfTwoLettersUpToElevenBytes) {
  // Injective on (size, words): no two of the 4095 strings share them.
  std::map<std::tuple<std::size_t, uint64_t, uint64_t>, std::string> seen;
  for (std::size_t n = 0; n <= 11; ++n) {
    for (uint32_t bits = 0; bits < (1u << n); ++bits) {
      std::string s(n, 'a');
      for (std::size_t i = 0; i < n; ++i) {
        if ((bits >> i & 1) != 0) s[i] = 'b';
      }
      const ShortText t = short_text(s);
      const auto [it, added] = seen.emplace(std::make_tuple(n, t.head, t.tail), s);
      EXPECT_TRUE(added) << '"' << s << "\" and \"" << it->second << "\" look the same";
    }
  }
  EXPECT_EQ(seen.size(), 4095u);
}

TEST(ShortText, NoticesAChangeOfAnyByteUpToSixteenBytes) {
  for (std::size_t n = 1; n <= kShortTextMax; ++n) {
    const std::string s = std::string("model-0123456789").substr(0, n);
    for (std::size_t i = 0; i < n; ++i) {
      std::string t = s;
      t[i] = static_cast<char>(t[i] ^ 0x20);
      EXPECT_FALSE(short_text(s) == short_text(t)) << s << " vs " << t;
      EXPECT_FALSE(same_text(s, t));
    }
    EXPECT_TRUE(same_text(s, std::string(s)));
  }
}

TEST(ShortText, SameTextComparesLongTextsWhole) {
  const std::string a = "provider/model-0001-video", b = "provider/model-0002-video";
  EXPECT_FALSE(same_text(a, b));  // same size, first and last eight bytes
  EXPECT_TRUE(same_text(a, std::string(a)));
}

TEST(ShortText, SameTextNeedsTheSameSize) {
  EXPECT_TRUE(same_text("model_a", "model_a"));
  EXPECT_FALSE(same_text("model_a", "model_ab"));
  EXPECT_FALSE(same_text("", "a"));
  EXPECT_TRUE(same_text("", ""));
  EXPECT_FALSE(same_text("tie", "tIe"));
}

}  // namespace
}  // namespace paddock
