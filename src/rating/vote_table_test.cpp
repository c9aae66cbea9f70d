#include <gtest/gtest.h>

#include "rating/rating.hpp"

namespace paddock::rating {
namespace {

TEST(VoteTable, InternsModelsOnce) {
  VoteTable t;
  EXPECT_EQ(t.intern_model("b"), 0u);
  EXPECT_EQ(t.intern_model("a"), 1u);
  EXPECT_EQ(t.intern_model("b"), 0u);
  EXPECT_EQ(t.model_count(), 2u);
  EXPECT_EQ(t.find_model("a"), 1u);
  EXPECT_FALSE(t.find_model("c"));
}

TEST(VoteTable, CategorySetsIgnoreOrderDuplicatesAndEmptyNames) {
  VoteTable t;
  const auto x = t.intern_category_set(std::vector<std::string>{"portrait", "animals"});
  const auto y =
      t.intern_category_set(std::vector<std::string>{"animals", "", "portrait", "animals"});
  EXPECT_EQ(x, y);
  EXPECT_NE(x, VoteTable::kNoCategories);
  EXPECT_EQ(t.intern_category_set(std::vector<std::string>{}), VoteTable::kNoCategories);
  EXPECT_EQ(t.intern_category_set(std::vector<std::string>{""}), VoteTable::kNoCategories);
  const auto members = t.category_set_members(x);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(t.category_names()[members[0]], "animals");
  EXPECT_EQ(t.category_names()[members[1]], "portrait");
}

TEST(VoteTable, AppendReinternsNamesAndKeepsOrder) {
  VoteTable left, right;
  const auto a = left.intern_model("a"), b = left.intern_model("b");
  left.add(a, b, Outcome::AWins, VoteTable::kNoCategories, 1);
  const auto rb = right.intern_model("b"), rc = right.intern_model("c");
  const auto set = right.intern_category_set(std::vector<std::string>{"x"});
  right.add(rc, rb, Outcome::BothBad, set, 2);
  left.append(right);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left.model_name(left.model_a()[1]), "c");
  EXPECT_EQ(left.model_name(left.model_b()[1]), "b");
  EXPECT_EQ(left.outcome()[1], Outcome::BothBad);
  EXPECT_EQ(left.tstamp()[1], 2);
  const auto members = left.category_set_members(left.category_set()[1]);
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(left.category_names()[members[0]], "x");
}

TEST(VoteTable, ClearForgetsVotesAndNames) {
  VoteTable t;
  const auto a = t.intern_model("a"), b = t.intern_model("b");
  t.add(a, b, Outcome::AWins, t.intern_category_set(std::vector<std::string>{"x"}), 1);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.model_count(), 0u);
  EXPECT_EQ(t.category_set_count(), 1u);
  EXPECT_EQ(t.intern_model("c"), 0u);
}

TEST(VoteTable, LargeColumnsWork) {
  VoteTable t;
  const auto a = t.intern_model("a"), b = t.intern_model("b");
  for (int i = 0; i < 1'000'000; ++i) t.add(a, b, Outcome::Tie, 0, i);  // 8 MB of tstamps
  VoteTable copy;
  copy.append(t);
  EXPECT_EQ(copy.tstamp()[999'999], 999'999);
}

TEST(Winner, NamesRoundTrip) {
  for (auto o : {Outcome::AWins, Outcome::BWins, Outcome::Tie, Outcome::BothBad}) {
    EXPECT_EQ(parse_winner(winner_name(o)), o);
  }
  EXPECT_FALSE(parse_winner("draw"));
  EXPECT_FALSE(parse_winner("Model_A"));
}

}  // namespace
}  // namespace paddock::rating
