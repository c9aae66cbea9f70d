#include "rating/category_weights.hpp"

#include <gtest/gtest.h>

namespace paddock::rating {
namespace {

TEST(ParseCategoryWeights, ReadsBalancedAndShares) {
  auto balanced = parse_category_weights("balanced");
  ASSERT_TRUE(balanced);
  EXPECT_TRUE(balanced->balanced);
  auto shares = parse_category_weights("portrait=0.2, landscape=0.8");
  ASSERT_TRUE(shares);
  EXPECT_EQ(shares->shares.at("portrait"), 0.2);
  EXPECT_EQ(shares->shares.at("landscape"), 0.8);
  EXPECT_EQ(describe_weights(*shares), "landscape=0.8,portrait=0.2");
  EXPECT_EQ(describe_weights(std::nullopt), "as_voted");
}

TEST(ParseCategoryWeights, RefusesBadText) {
  for (const char* bad : {"", "portrait", "portrait=", "portrait=-1", "portrait=x", "=0.5",
                          "a=0.5,a=0.5", "a=0", "a=nan", "a=inf"}) {
    const auto w = parse_category_weights(bad);
    ASSERT_FALSE(w) << bad;
    EXPECT_EQ(w.error().code, "bad_weights");
  }
}

TEST(CategoryWeighting, BalancedLogGetsWeightOne) {
  const std::vector<std::vector<std::string>> groups{{"a"}, {"b"}, {"c"}};
  const std::vector<int64_t> counts{100, 100, 100};
  auto w = CategoryWeighting::make(*parse_category_weights("balanced"), groups, counts);
  ASSERT_TRUE(w);
  std::vector<double> out(3);
  w->weights(counts, out);
  for (double x : out) EXPECT_NEAR(x, 1.0, 1e-15);
}

TEST(CategoryWeighting, CategoriesHoldTheirShares) {
  // 300 votes a, 100 b, 100 uncategorized; shares a 1/3, b 1/3, uncategorized 1/3.
  const std::vector<std::vector<std::string>> groups{{}, {"a"}, {"b"}};
  const std::vector<int64_t> counts{100, 300, 100};
  auto w = CategoryWeighting::make(*parse_category_weights("balanced"), groups, counts);
  ASSERT_TRUE(w);
  std::vector<double> out(3);
  w->weights(counts, out);
  EXPECT_NEAR(out[1] * 300, 500.0 / 3, 1e-9);
  EXPECT_NEAR(out[2] * 100, 500.0 / 3, 1e-9);
  EXPECT_NEAR(out[0] * 100, 500.0 / 3, 1e-9);
  EXPECT_EQ(w->categories(), (std::vector<std::string>{"a", "b", "uncategorized"}));
}

TEST(CategoryWeighting, MultiCategoryVotesSplitTheirWeight) {
  // 100 votes {a}, 100 votes {a, b}: memberships a 150, b 50. Shares a 0.5, b 0.5, N 200:
  // per unit of membership a gets 100/150, b 100/50.
  const std::vector<std::vector<std::string>> groups{{"a"}, {"a", "b"}};
  const std::vector<int64_t> counts{100, 100};
  auto w = CategoryWeighting::make(*parse_category_weights("a=1,b=1"), groups, counts);
  ASSERT_TRUE(w);
  std::vector<double> out(2);
  w->weights(counts, out);
  EXPECT_NEAR(out[0], 100.0 / 150, 1e-12);
  EXPECT_NEAR(out[1], 0.5 * 100.0 / 150 + 0.5 * 100.0 / 50, 1e-12);
  EXPECT_NEAR(out[0] * 100 + out[1] * 100, 200, 1e-9);  // weights add up to N
}

TEST(CategoryWeighting, UnnamedCategoriesGetNoWeight) {
  const std::vector<std::vector<std::string>> groups{{"a"}, {"b"}};
  const std::vector<int64_t> counts{10, 30};
  auto w = CategoryWeighting::make(*parse_category_weights("a=1"), groups, counts);
  ASSERT_TRUE(w);
  std::vector<double> out(2);
  w->weights(counts, out);
  EXPECT_EQ(out[1], 0);
  EXPECT_NEAR(out[0] * 10, 40, 1e-9);
}

TEST(CategoryWeighting, AShareForACategoryWithoutVotesIsAnError) {
  const std::vector<std::vector<std::string>> groups{{"a"}};
  const std::vector<int64_t> counts{10};
  auto w = CategoryWeighting::make(*parse_category_weights("a=0.5,nosuch=0.5"), groups, counts);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, "bad_weights");
  EXPECT_NE(w.error().message.find("nosuch"), std::string::npos);
}

}  // namespace
}  // namespace paddock::rating
