#include "rating/simulation.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace paddock::rating {
namespace {

TEST(Simulation, SameSeedSameVotes) {
  SimulationOptions o;
  o.votes = 500;
  auto x = simulate(o), y = simulate(o);
  ASSERT_TRUE(x && y);
  for (std::size_t v = 0; v < 500; ++v) {
    EXPECT_EQ(x->votes.model_a()[v], y->votes.model_a()[v]);
    EXPECT_EQ(x->votes.outcome()[v], y->votes.outcome()[v]);
  }
  o.seed = 2;
  auto z = simulate(o);
  EXPECT_NE(x->models[0].rating, z->models[0].rating);
}

TEST(Simulation, TrueRatingsAverageToTheMean) {
  SimulationOptions o;
  o.models = 13;
  auto s = simulate(o);
  ASSERT_TRUE(s);
  double sum = 0;
  for (const auto& m : s->models) sum += m.rating;
  EXPECT_NEAR(sum / 13, 1000, 1e-9);
  EXPECT_EQ(s->models[0].name, "model-001");
}

TEST(Simulation, CategorySharesAndTieRateShowInTheVotes) {
  SimulationOptions o;
  o.models = 4;
  o.spread = 0;  // equal models: ties happen at exactly tie_rate
  o.votes = 40000;
  o.tie_rate = 0.3;
  o.bothbad_share = 0.5;
  o.categories = {{"a", 3}, {"b", 1}};
  auto s = simulate(o);
  ASSERT_TRUE(s);
  int64_t ties = 0, bothbad = 0, in_a = 0;
  for (std::size_t v = 0; v < s->votes.size(); ++v) {
    const auto out = s->votes.outcome()[v];
    ties += out == Outcome::Tie || out == Outcome::BothBad;
    bothbad += out == Outcome::BothBad;
    const auto members = s->votes.category_set_members(s->votes.category_set()[v]);
    ASSERT_EQ(members.size(), 1u);
    in_a += s->votes.category_names()[members[0]] == "a";
    EXPECT_NE(s->votes.model_a()[v], s->votes.model_b()[v]);
  }
  EXPECT_NEAR(ties / 40000.0, 0.3, 0.015);
  EXPECT_NEAR(static_cast<double>(bothbad) / static_cast<double>(ties), 0.5, 0.03);
  EXPECT_NEAR(in_a / 40000.0, 0.75, 0.015);
}

TEST(Simulation, RefusesBadOptions) {
  SimulationOptions o;
  o.models = 1;
  EXPECT_FALSE(validate(o));
  o.models = 3;
  o.tie_rate = 1.5;
  EXPECT_FALSE(validate(o));
  o.tie_rate = 0.1;
  o.multi_category_rate = 0.5;
  EXPECT_FALSE(validate(o));  // needs 2 categories
}

}  // namespace
}  // namespace paddock::rating
