#include "rating/elo.hpp"

#include <gtest/gtest.h>

namespace paddock::rating {
namespace {

EloResult elo_of(const VoteTable& t) {
  const VoteSelection all(t, VoteFilter{});
  std::vector<uint32_t> index(t.model_count());
  for (uint32_t i = 0; i < index.size(); ++i) index[i] = i;
  return online_elo(t, all, index, t.model_count());
}

TEST(Elo, OneWinBetweenEqualsMovesHalfOfK) {
  VoteTable t;
  const auto a = t.intern_model("a"), b = t.intern_model("b");
  t.add(a, b, Outcome::AWins, 0, 1);
  const auto r = elo_of(t);
  EXPECT_DOUBLE_EQ(r.ratings[a], kEloStart + kEloK / 2);
  EXPECT_DOUBLE_EQ(r.ratings[b], kEloStart - kEloK / 2);
}

TEST(Elo, TieBetweenEqualsChangesNothing) {
  VoteTable t;
  const auto a = t.intern_model("a"), b = t.intern_model("b");
  t.add(a, b, Outcome::BothBad, 0, 1);
  EXPECT_DOUBLE_EQ(elo_of(t).ratings[a], kEloStart);
}

TEST(Elo, FollowsTstampOrderNotTableOrder) {
  VoteTable in_order, shuffled;
  for (VoteTable* t : {&in_order, &shuffled}) {
    t->intern_model("a");
    t->intern_model("b");
    t->intern_model("c");
  }
  in_order.add(0, 1, Outcome::AWins, 0, 1);
  in_order.add(1, 2, Outcome::AWins, 0, 2);
  in_order.add(0, 2, Outcome::BWins, 0, 3);
  shuffled.add(0, 2, Outcome::BWins, 0, 3);
  shuffled.add(0, 1, Outcome::AWins, 0, 1);
  shuffled.add(1, 2, Outcome::AWins, 0, 2);
  const auto x = elo_of(in_order), y = elo_of(shuffled);
  EXPECT_FALSE(y.table_order);
  for (int m = 0; m < 3; ++m) EXPECT_DOUBLE_EQ(x.ratings[m], y.ratings[m]);
}

TEST(Elo, DependsOnOrder) {
  VoteTable first_a, first_b;
  for (VoteTable* t : {&first_a, &first_b}) {
    t->intern_model("a");
    t->intern_model("b");
    t->intern_model("c");
  }
  first_a.add(0, 1, Outcome::AWins, 0, 1);
  first_a.add(0, 2, Outcome::BWins, 0, 2);
  first_b.add(0, 2, Outcome::BWins, 0, 1);
  first_b.add(0, 1, Outcome::AWins, 0, 2);
  EXPECT_NE(elo_of(first_a).ratings[0], elo_of(first_b).ratings[0]);
}

TEST(Elo, MissingTstampMeansTableOrder) {
  VoteTable t;
  t.intern_model("a");
  t.intern_model("b");
  t.add(0, 1, Outcome::AWins, 0, 5);
  t.add(0, 1, Outcome::BWins, 0);
  EXPECT_TRUE(elo_of(t).table_order);
}

}  // namespace
}  // namespace paddock::rating
