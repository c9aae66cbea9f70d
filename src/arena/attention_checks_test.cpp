#include "arena/attention_checks.hpp"

#include <gtest/gtest.h>

#include <random>

namespace paddock::arena {
namespace {

TEST(AttentionChecks, BinomialTailMatchesHandComputedValues) {
  EXPECT_DOUBLE_EQ(binomial_upper_tail(4, 0, 0.1), 1.0);
  EXPECT_NEAR(binomial_upper_tail(4, 3, 0.1), 4 * 0.001 * 0.9 + 0.0001, 1e-12);
  EXPECT_NEAR(binomial_upper_tail(10, 5, 0.5), 638.0 / 1024.0, 1e-12);
  EXPECT_DOUBLE_EQ(binomial_upper_tail(3, 4, 0.1), 0.0);
}

TEST(AttentionChecks, TheMissesThatFlagGrowWithTheControlsSeen) {
  const AttentionOptions o;            // honest miss rate 0.1, 1% false flags
  EXPECT_EQ(misses_to_flag(1, o), 2);  // one control: never enough
  EXPECT_EQ(misses_to_flag(2, o), 2);  // both missed: 1%, just enough
  EXPECT_EQ(misses_to_flag(4, o), 3);
  EXPECT_EQ(misses_to_flag(10, o), 5);
  EXPECT_EQ(misses_to_flag(20, o), 7);
}

// The promise: honest voters (missing at the assumed rate) are flagged at most 1% of the
// time; voters who always pick one side (missing half the controls) mostly are, once they
// have seen a dozen.
TEST(AttentionChecks, FlagsFewHonestAndMostSameSideVotersBySimulation) {
  std::mt19937_64 rng(7);
  const AttentionOptions o;
  const auto flagged_share = [&](double miss_rate, int seen) {
    std::bernoulli_distribution miss(miss_rate);
    std::vector<ControlAnswer> answers;
    const uint32_t voters = 4000;
    for (uint32_t v = 0; v < voters; ++v) {
      for (int i = 0; i < seen; ++i) answers.push_back({v, miss(rng)});
    }
    int flagged = 0;
    for (const auto& s : score_attention(answers, voters, o)) flagged += s.flagged;
    return static_cast<double>(flagged) / voters;
  };
  for (int seen : {2, 5, 12, 30}) {
    EXPECT_LE(flagged_share(0.1, seen), 0.015) << seen;  // 1% and sampling noise
  }
  EXPECT_GE(flagged_share(0.5, 12), 0.6);
  EXPECT_GE(flagged_share(0.5, 30), 0.95);
}

TEST(AttentionChecks, AVoterWithoutControlsIsNeverFlagged) {
  const std::vector<ControlAnswer> answers = {{1, true}, {1, true}, {1, true}};
  const auto scores = score_attention(answers, 3);
  EXPECT_EQ(scores[0].seen, 0);
  EXPECT_FALSE(scores[0].flagged);
  EXPECT_EQ(scores[1].seen, 3);
  EXPECT_EQ(scores[1].missed, 3);
  EXPECT_TRUE(scores[1].flagged);
  EXPECT_NEAR(scores[1].p_value, 0.001, 1e-12);
}

}  // namespace
}  // namespace paddock::arena
