#include "arena/voter_scoring.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "arena/voter_review.hpp"

namespace paddock::arena {
namespace {

using rating::Outcome;

// Models 0 (1000 points) and 1 (1400): the board gives model 1 p = 10/11 of winning.
const std::vector<double> kRatings = {1000, 1400};
constexpr double kP = 10.0 / 11.0;

TEST(VoterScoring, OneExpectedVoteScoresMinusRootOfTheOddsAgainstIt) {
  // One vote for the favourite: l = ln p, E = p ln p + (1-p) ln(1-p), and
  // z = -(1 - p) logit(p) / (sqrt(p (1 - p)) |logit(p)|) = -sqrt((1 - p) / p).
  const std::vector<JudgedVote> votes = {{0, 1, 0, Outcome::AWins}};
  const auto s = score_voters(votes, kRatings, 1);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].votes, 1);
  EXPECT_NEAR(s[0].log_likelihood, std::log(kP), 1e-12);
  EXPECT_NEAR(s[0].expected, kP * std::log(kP) + (1 - kP) * std::log(1 - kP), 1e-12);
  EXPECT_NEAR(s[0].sd, std::sqrt(kP * (1 - kP)) * std::log(10.0), 1e-12);
  EXPECT_NEAR(s[0].z, -std::sqrt(0.1), 1e-12);
  EXPECT_EQ(s[0].upsets, 0);
  EXPECT_FALSE(s[0].flagged);
}

TEST(VoterScoring, TenUpsetsScoreTenAndAreFlagged) {
  // n upsets: z = sqrt(n) sqrt(p / (1 - p)) = sqrt(10) sqrt(10) = 10; the favoured model is
  // the underdog, by n p excess wins, z_m = n p / sqrt(n p (1 - p)) = sqrt(n p / (1 - p)) =
  // 10, and the opposed the favourite by as many.
  std::vector<JudgedVote> votes(10, JudgedVote{0, 0, 1, Outcome::AWins});
  const auto s = score_voters(votes, kRatings, 1);
  EXPECT_NEAR(s[0].z, 10, 1e-9);
  EXPECT_EQ(s[0].upsets, 10);
  EXPECT_TRUE(s[0].flagged);
  EXPECT_EQ(s[0].favoured, 0u);
  EXPECT_EQ(s[0].favoured_votes, 10);
  EXPECT_NEAR(s[0].favoured_excess, 10 * kP, 1e-9);
  EXPECT_NEAR(s[0].favoured_z, 10, 1e-9);
  EXPECT_EQ(s[0].opposed, 1u);
  EXPECT_NEAR(s[0].opposed_excess, -10 * kP, 1e-9);
  EXPECT_NEAR(s[0].bias, 10, 1e-9);
}

TEST(VoterScoring, AVoterWhoAlwaysBacksOneModelIsFlaggedByItsBiasAlone) {
  // Model 1 (p = 10/11) wins all 12 of its battles against 0 with this voter: each vote is
  // likely (z < 0), but z_m = 12 (1 - p) / sqrt(12 p (1 - p)) = sqrt(12 (1 - p) / p) = 1.1,
  // too little; against an equal model (p = 1/2) 12 wins give z_m = 6 / sqrt(3) = 3.46, and
  // 16 give 8 / 2 = 4 >= 3.5: flagged, though l_z says nothing between equal models.
  const std::vector<double> ratings = {1000, 1400, 1400};
  std::vector<JudgedVote> votes(12, JudgedVote{0, 1, 0, Outcome::AWins});
  auto s = score_voters(votes, ratings, 1);
  EXPECT_LT(s[0].z, 0);
  EXPECT_NEAR(s[0].favoured_z, std::sqrt(12 * 0.1), 1e-9);
  EXPECT_FALSE(s[0].flagged);
  votes.assign(12, JudgedVote{0, 1, 2, Outcome::AWins});
  s = score_voters(votes, ratings, 1);
  EXPECT_NEAR(s[0].bias, 6 / std::sqrt(3.0), 1e-9);
  EXPECT_FALSE(s[0].flagged);
  votes.assign(16, JudgedVote{0, 1, 2, Outcome::AWins});
  s = score_voters(votes, ratings, 1);
  EXPECT_EQ(s[0].z, 0);
  EXPECT_NEAR(s[0].bias, 4, 1e-9);
  EXPECT_EQ(s[0].favoured, 1u);
  EXPECT_EQ(s[0].opposed, 2u);
  EXPECT_TRUE(s[0].flagged);
}

TEST(VoterScoring, FewerVotesThanTheMinimumAreScoredButNeverFlagged) {
  std::vector<JudgedVote> votes(9, JudgedVote{0, 0, 1, Outcome::AWins});
  const auto s = score_voters(votes, kRatings, 1);
  EXPECT_NEAR(s[0].z, std::sqrt(90.0), 1e-9);
  EXPECT_FALSE(s[0].flagged);
  VoterScoringOptions o;
  o.min_votes = 9;
  EXPECT_TRUE(score_voters(votes, kRatings, 1, o)[0].flagged);
}

TEST(VoterScoring, ATieCountsAsHalfAWinAndEqualModelsSayNothing) {
  // Tie with the favourite on the left: D = (1/2 - p) logit(p), z = -D / sd.
  const std::vector<JudgedVote> tie = {{0, 1, 0, Outcome::Tie}};
  const double logit = std::log(10.0);
  EXPECT_NEAR(score_voters(tie, kRatings, 1)[0].z,
              -(0.5 - kP) * logit / (std::sqrt(kP * (1 - kP)) * logit), 1e-12);
  // Between equal models every verdict is as likely as expected: no information, z = 0; and
  // "always left" with each model on the left half the time favours neither.
  const std::vector<double> equal = {1000, 1000};
  std::vector<JudgedVote> votes;
  for (uint32_t k = 0; k < 20; ++k) votes.push_back({0, k % 2, 1 - k % 2, Outcome::AWins});
  const auto s = score_voters(votes, equal, 1);
  EXPECT_EQ(s[0].sd, 0);
  EXPECT_EQ(s[0].z, 0);
  EXPECT_EQ(s[0].bias, 0);
  EXPECT_FALSE(s[0].flagged);
}

TEST(VoterScoring, VotersAreScoredApartAndInOrder) {
  const std::vector<JudgedVote> votes = {
      {2, 0, 1, Outcome::AWins}, {0, 1, 0, Outcome::AWins}, {2, 0, 1, Outcome::AWins}};
  const auto s = score_voters(votes, kRatings, 3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].votes, 0);
  EXPECT_EQ(s[1].z, 0);
  EXPECT_EQ(s[2].voter, 2u);
  EXPECT_NEAR(s[2].z, std::sqrt(2.0) * std::sqrt(10.0), 1e-9);
  EXPECT_NEAR(s[0].z, -std::sqrt(0.1), 1e-12);
}

TEST(AddressPrefix, IsTheSlash24OrSlash48) {
  EXPECT_EQ(address_prefix("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(address_prefix("::ffff:192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(address_prefix("2001:db8:1:2::99"), "2001:db8:1::/48");
  EXPECT_EQ(address_prefix("unix-socket"), "unix-socket");
  EXPECT_EQ(address_prefix(""), "");
}

TEST(VoterReview, FlagsTheSessionAndThePrefixThatRigAndRefitsWithoutThem) {
  // Three models 200 points apart; 40 honest sessions on 40 prefixes each vote 20 times
  // with the stronger model winning 3 times in 4 (about what 200 points give); one rigging
  // session, on a prefix of its own, votes 30 times for the weakest model against the best.
  rating::VoteTable table;
  const uint32_t a = table.intern_model("a"), b = table.intern_model("b"),
                 c = table.intern_model("c");
  std::vector<uint32_t> session, prefix;
  const std::pair<uint32_t, uint32_t> pairs[] = {{a, b}, {b, c}, {a, c}};
  for (uint32_t s = 0; s < 40; ++s) {
    for (int k = 0; k < 20; ++k) {
      const auto [strong, weak] = pairs[(s + static_cast<uint32_t>(k)) % 3];
      table.add(strong, weak, k % 4 == 3 ? Outcome::BWins : Outcome::AWins,
                rating::VoteTable::kNoCategories);
      session.push_back(s);
      prefix.push_back(s);
    }
  }
  for (int k = 0; k < 30; ++k) {
    table.add(c, a, Outcome::AWins, rating::VoteTable::kNoCategories);
    session.push_back(40);
    prefix.push_back(40);
  }
  const auto review = review_voters({&table, session, 41, prefix, 41}, {});
  ASSERT_TRUE(review.has_value()) << review.error().message;
  EXPECT_TRUE(review->sessions[40].flagged);
  EXPECT_TRUE(review->prefixes[40].flagged);
  EXPECT_EQ(review->sessions[40].favoured, c);
  for (uint32_t s = 0; s < 40; ++s) EXPECT_FALSE(review->sessions[s].flagged) << s;
  EXPECT_EQ(review->flagged_votes, 30);
  // The second round's board was fitted without the rigging votes: "a" leads "c" by about
  // the honest margin again.
  double ra = 0, rc = 0;
  for (const auto& row : review->board.models) {
    if (row.model == "a") ra = row.rating;
    if (row.model == "c") rc = row.rating;
  }
  EXPECT_GT(ra - rc, 250);

  EXPECT_FALSE(review_voters({&table, session, 41, prefix, 41}, {.rounds = 0}).has_value());
  std::vector<uint32_t> short_column(session.begin(), session.end() - 1);
  EXPECT_FALSE(review_voters({&table, short_column, 41, prefix, 41}, {}).has_value());
}

}  // namespace
}  // namespace paddock::arena
