#include "store/text_list.hpp"

#include <gtest/gtest.h>

namespace paddock::store {
namespace {

TEST(TextList, RoundTripsOrderAndAwkwardCharacters) {
  const std::vector<std::string> items = {
      "b", "a", "", "quote \" and \\ slash", "ctrl \x01\n\t", "ünï 動物 😀", "b"};
  const std::string json = encode_text_list(items);
  EXPECT_EQ(decode_text_list(json), items);
  EXPECT_EQ(encode_text_list({}), "[]");
  EXPECT_EQ(encode_text_list({"a", "b"}), R"(["a","b"])");
}

TEST(TextList, ReadsJsonWrittenByOthers) {
  EXPECT_EQ(decode_text_list(R"( [ "a" , "\u00e9\/\ud83d\ude00" ] )"),
            (std::vector<std::string>{"a", "é/😀"}));
  EXPECT_EQ(decode_text_list("[]"), std::vector<std::string>{});
}

TEST(TextList, RefusesWhatIsNotAnArrayOfStrings) {
  for (const char* bad : {"", "[", "]", "[1]", R"(["a",])", R"(["a" "b"])", R"({"a":1})",
                          R"(["a"] x)", R"(["\ud83d"])", R"(["\x"])", "[\"a\nb\"]"}) {
    EXPECT_EQ(decode_text_list(bad), std::nullopt) << bad;
  }
}

TEST(TextList, StorableTextIsUtf8WithoutNul) {
  EXPECT_TRUE(is_storable_text(""));
  EXPECT_TRUE(is_storable_text("plain ascii"));
  EXPECT_TRUE(is_storable_text("ünï 動物 😀"));
  EXPECT_FALSE(is_storable_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_storable_text("\xff"));
  EXPECT_FALSE(is_storable_text("\xc3"));              // truncated
  EXPECT_FALSE(is_storable_text("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_storable_text("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_storable_text("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_storable_text("ok\xe6\x97"));        // truncated at the end
}

}  // namespace
}  // namespace paddock::store
