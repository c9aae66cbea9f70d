// The options beyond the default method, on known answers: separate pieces, Davidson ties,
// presentation control, sandwich intervals, the language filter.

#include <gtest/gtest.h>

#include <cmath>

#include "rating/bradley_terry.hpp"
#include "rating/davidson.hpp"
#include "rating/rating.hpp"
#include "rating/sandwich.hpp"
#include "rating/scale.hpp"
#include "rating/simulation.hpp"
#include "rating/test_votes.hpp"

namespace paddock::rating {
namespace {

using testing::board_of;
using testing::Record;
using testing::row;
using testing::table_of;

void add(std::vector<Record>& r, const std::string& a, const std::string& b, Outcome o, int n) {
  for (int k = 0; k < n; ++k) r.push_back({a, b, o});
}

double points(double odds) {
  return kScale * std::log10(odds);
}

// ---- separate pieces ----------------------------------------------------------------

// Two pieces that never met: {a, b, c} (a cycle of wins, so its maximum exists) and {x, y}.
std::vector<Record> two_pieces() {
  std::vector<Record> r;
  add(r, "a", "b", Outcome::AWins, 20);
  add(r, "a", "b", Outcome::BWins, 10);
  add(r, "b", "c", Outcome::AWins, 15);
  add(r, "b", "c", Outcome::BWins, 5);
  add(r, "c", "a", Outcome::AWins, 4);
  add(r, "c", "a", Outcome::BWins, 12);
  add(r, "x", "y", Outcome::AWins, 6);
  add(r, "x", "y", Outcome::BWins, 24);
  return r;
}

TEST(Pieces, WithinAPieceTheScoresAreThatPiecesOwnMaximum) {
  std::vector<Record> all = two_pieces();
  std::vector<Record> first(all.begin(), all.end() - 30);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  const Board board = board_of(table_of(all), o);
  const Board alone = board_of(table_of(first), o);
  EXPECT_TRUE(board.prior_used);
  EXPECT_FALSE(alone.prior_used);
  for (const char* m : {"a", "b"}) {
    EXPECT_NEAR(row(board, m).rating - row(board, "c").rating,
                row(alone, m).rating - row(alone, "c").rating, 1e-6)
        << m;
  }
  // Two models: the exact maximum is 400 log10(w / l).
  EXPECT_NEAR(row(board, "x").rating - row(board, "y").rating, points(6.0 / 24.0), 1e-6);
  ASSERT_EQ(board.pieces.size(), 2u);
  EXPECT_EQ(board.pieces[0], (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(board.pieces[1], (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(row(board, "x").piece, 1);
  EXPECT_EQ(row(board, "a").piece, 0);
  // Each piece is ranked on its own, and listed after the larger ones.
  EXPECT_EQ(row(board, "a").rank, 1);
  EXPECT_EQ(row(board, "y").rank, 1);
  EXPECT_EQ(row(board, "x").rank, 2);
  EXPECT_EQ(board.models.back().model, "x");
  bool said = false;
  for (const auto& n : board.notes) said = said || n.find("means nothing") != std::string::npos;
  EXPECT_TRUE(said);
}

// Two pieces of two models each: a beats b 30:10, x beats y 5:20.
std::vector<Record> two_pairs() {
  std::vector<Record> r;
  add(r, "a", "b", Outcome::AWins, 30);
  add(r, "a", "b", Outcome::BWins, 10);
  add(r, "x", "y", Outcome::AWins, 5);
  add(r, "x", "y", Outcome::BWins, 20);
  return r;
}

TEST(Pieces, EachPieceSitsWhereItsVirtualGamesPutIt) {
  // The level of each piece maximizes its virtual tie games: for a two-model piece with
  // scores -t and +t around its level c, sum (1/2 - sigmoid(+-t + c)) = 0 gives c = 0, so
  // each two-model piece is centred on the reference.
  const std::vector<Record> r = two_pairs();
  BoardOptions o;
  o.bootstrap_rounds = 0;
  const Board board = board_of(table_of(r), o);
  EXPECT_NEAR(row(board, "a").rating + row(board, "b").rating,
              row(board, "x").rating + row(board, "y").rating, 1e-6);
  EXPECT_NEAR(row(board, "a").rating - row(board, "b").rating, points(3), 1e-6);
}

TEST(Pieces, BootstrapRoundsFitEachPieceOnItsOwn) {
  // Two two-model pieces: in every round each piece's difference is 400 log10(w*/l*) of
  // that round's draw, so the interval of the difference covers the exact answer and the
  // board says pieces were fitted on their own.
  const std::vector<Record> r = two_pairs();
  BoardOptions o;
  o.bootstrap_rounds = 200;
  const Board board = board_of(table_of(r), o);
  EXPECT_EQ(board.bootstrap_prior_rounds, 200);
  bool said = false;
  for (const auto& n : board.notes)
    said = said || n.find("each fitted on its own") != std::string::npos;
  EXPECT_TRUE(said);
  PairTotals pieces;
  pieces.models = 4;
  pieces.first = {0, 2};
  pieces.second = {1, 3};
  pieces.games = {40, 25};
  pieces.credit = {30, 5};
  BradleyTerrySolver solver;
  const auto fit = solver.fit(pieces);
  EXPECT_EQ(fit.pieces, 2);
  EXPECT_NEAR(fit.theta[0] - fit.theta[1], std::log(3.0), 1e-12);
  EXPECT_NEAR(fit.theta[2] - fit.theta[3], std::log(0.25), 1e-12);
}

// ---- Davidson ties ------------------------------------------------------------------

TEST(Davidson, TwoModelsHaveTheClosedForm) {
  // Two models, w wins, l losses, t ties: the model is saturated, so d = ln(w / l) and
  // nu = t / sqrt(w l).
  std::vector<Record> r;
  add(r, "a", "b", Outcome::AWins, 24);
  add(r, "a", "b", Outcome::BWins, 6);
  add(r, "a", "b", Outcome::Tie, 8);
  add(r, "a", "b", Outcome::BothBad, 4);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.ties = TieModel::Davidson;
  const Board board = board_of(table_of(r), o);
  EXPECT_EQ(board.ties_model, "davidson");
  EXPECT_NEAR(row(board, "a").rating - row(board, "b").rating, points(4), 1e-6);
  EXPECT_NEAR(board.tie_parameter, 12 / std::sqrt(24.0 * 6.0), 1e-9);
  EXPECT_NEAR(board.equal_strength_tie_rate, board.tie_parameter / (2 + board.tie_parameter),
              1e-12);
  EXPECT_EQ(board.tie_votes, 12);
  EXPECT_EQ(board.both_bad_votes, 4);
  EXPECT_NEAR(board.both_bad_rate, 4.0 / 42.0, 1e-12);
  EXPECT_EQ(row(board, "a").both_bad, 4);
  EXPECT_NEAR(row(board, "a").both_bad_rate, 4.0 / 42.0, 1e-12);
  // Half wins put the pair closer: (24 + 6) / (6 + 6) = 2.5 instead of 4.
  o.ties = TieModel::Half;
  const Board half = board_of(table_of(r), o);
  EXPECT_NEAR(row(half, "a").rating - row(half, "b").rating, points(2.5), 1e-6);
  EXPECT_TRUE(std::isnan(half.tie_parameter));
}

TEST(Davidson, WithoutTiesItIsBradleyTerry) {
  SimulationOptions s;
  s.models = 5;
  s.votes = 2000;
  s.tie_rate = 0;
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  const Board half = board_of(sim->votes, o);
  o.ties = TieModel::Davidson;
  const Board davidson = board_of(sim->votes, o);
  EXPECT_EQ(davidson.tie_parameter, 0);
  for (const auto& m : half.models) EXPECT_EQ(row(davidson, m.model).rating, m.rating);
}

double max_error(const Board& b, const std::vector<TrueModel>& truth) {
  double worst = 0;
  for (const auto& t : truth) worst = std::max(worst, std::abs(row(b, t.name).rating - t.rating));
  return worst;
}

double spread(const Board& b) {
  double lo = 1e300, hi = -1e300;
  for (const auto& m : b.models) {
    lo = std::min(lo, m.rating);
    hi = std::max(hi, m.rating);
  }
  return hi - lo;
}

TEST(Davidson, RecoversTheTruthOfLogsSimulatedUnderIt) {
  SimulationOptions s;
  s.models = 8;
  s.votes = 40000;
  s.spread = 150;
  s.tie_model = TieModel::Davidson;
  s.davidson_nu = 0.8;
  s.seed = 3;
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.ties = TieModel::Davidson;
  const Board davidson = board_of(sim->votes, o);
  EXPECT_NEAR(davidson.tie_parameter, 0.8, 0.04);
  EXPECT_LT(max_error(davidson, sim->models), 15);
  // Half wins on Davidson's ties pull the scores together.
  o.ties = TieModel::Half;
  const Board half = board_of(sim->votes, o);
  EXPECT_LT(spread(half), 0.9 * spread(davidson));
  EXPECT_GT(max_error(half, sim->models), 25);
}

TEST(Davidson, HalfWinsRecoverTheTruthOfLogsSimulatedUnderThem) {
  SimulationOptions s;
  s.models = 8;
  s.votes = 40000;
  s.spread = 150;
  s.tie_rate = 0.3;
  s.seed = 3;
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  const Board half = board_of(sim->votes, o);
  EXPECT_LT(max_error(half, sim->models), 15);
}

TEST(Davidson, BootstrapGivesIntervalsThatHoldTheScores) {
  SimulationOptions s;
  s.models = 4;
  s.votes = 3000;
  s.tie_model = TieModel::Davidson;
  s.davidson_nu = 0.5;
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 100;
  o.ties = TieModel::Davidson;
  o.threads = 2;
  const Board a = board_of(sim->votes, o);
  o.threads = 1;
  const Board b = board_of(sim->votes, o);
  for (const auto& m : a.models) {
    EXPECT_LT(m.ci_low, m.rating);
    EXPECT_GT(m.ci_high, m.rating);
    EXPECT_EQ(row(b, m.model).ci_low, m.ci_low);
  }
}

// ---- presentation control -----------------------------------------------------------

SimulationOptions presentation_log(double long_clip_win_rate) {
  SimulationOptions s;
  s.models = 10;
  s.votes = 40000;
  s.spread = 100;
  s.tie_rate = 0.1;
  s.clip_features = true;
  s.long_clip_win_rate = long_clip_win_rate;
  s.seed = 11;
  return s;
}

TEST(PresentationControl, RemovesAPlantedPresentationEffect) {
  auto sim = simulate(presentation_log(0.6));
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 100;
  o.control = {"duration", "motion"};
  const Board board = board_of(sim->votes, o);
  ASSERT_EQ(board.covariates.size(), 2u);
  // Raw scores carry the long-clip bias; controlled ones recover the truth.
  double raw_error = 0;
  for (const auto& t : sim->models) {
    raw_error = std::max(raw_error, std::abs(row(board, t.name).raw_rating - t.rating));
  }
  EXPECT_GT(raw_error, 25);
  EXPECT_LT(max_error(board, sim->models), 15);
  // The planted effect: logit(0.6) per long-against-short, i.e. logit(0.6) / r_long per unit
  // of r = (d_a - d_b) / (d_a + d_b); the board reports it per standard deviation of r.
  const double r_long =
      (kLongClipSeconds - kShortClipSeconds) / (kLongClipSeconds + kShortClipSeconds);
  const double planted = kPointsPerNatural * std::log(0.6 / 0.4) / r_long * board.covariates[0].sd;
  EXPECT_EQ(board.covariates[0].feature, "duration");
  EXPECT_LT(board.covariates[0].ci_low, planted);
  EXPECT_GT(board.covariates[0].ci_high, planted);
  EXPECT_NEAR(board.covariates[0].effect, planted, 0.15 * planted);
  // Motion has no effect.
  EXPECT_LT(board.covariates[1].ci_low, 0);
  EXPECT_GT(board.covariates[1].ci_high, 0);
}

TEST(PresentationControl, LeavesABoardWithoutAnEffectAsItWas) {
  auto sim = simulate(presentation_log(0.5));
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 100;
  o.control = {"duration", "motion"};
  const Board board = board_of(sim->votes, o);
  for (const auto& m : board.models) EXPECT_NEAR(m.rating, m.raw_rating, 4) << m.model;
  for (const auto& c : board.covariates) {
    EXPECT_LT(c.ci_low, 0) << c.feature;
    EXPECT_GT(c.ci_high, 0) << c.feature;
  }
}

TEST(PresentationControl, NamesAMissingOrConstantFeature) {
  auto sim = simulate(presentation_log(0.5));
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.control = {"loudness"};
  auto board = compute_board(sim->votes, o);
  ASSERT_FALSE(board);
  EXPECT_EQ(board.error().code, "bad_control");
  EXPECT_NE(board.error().message.find("loudness"), std::string::npos);
  o.ties = TieModel::Davidson;
  o.control = {"duration"};
  board = compute_board(sim->votes, o);
  ASSERT_FALSE(board);
  EXPECT_EQ(board.error().code, "bad_option");
}

TEST(PresentationControl, DependsOnlyOnTheMultisetOfVotes) {
  auto sim = simulate([] {
    auto s = presentation_log(0.6);
    s.votes = 3000;
    return s;
  }());
  ASSERT_TRUE(sim);
  // The same votes with sides swapped (features and outcomes with them) and in another order.
  VoteTable swapped;
  const uint32_t d = swapped.intern_feature("duration");
  for (std::size_t k = 0; k < sim->votes.size(); ++k) {
    const std::size_t v = sim->votes.size() - 1 - k;
    const uint32_t a = swapped.intern_model(sim->votes.model_name(sim->votes.model_a()[v]));
    const uint32_t b = swapped.intern_model(sim->votes.model_name(sim->votes.model_b()[v]));
    const bool flip = v % 2 == 0;
    const uint32_t f = *sim->votes.find_feature("duration");
    const double fa = sim->votes.feature_a(f, v), fb = sim->votes.feature_b(f, v);
    const Outcome o = sim->votes.outcome()[v];
    if (flip) {
      swapped.add(b, a, testing::swapped(o), VoteTable::kNoCategories);
      swapped.set_feature(d, fb, fa);
    } else {
      swapped.add(a, b, o, VoteTable::kNoCategories);
      swapped.set_feature(d, fa, fb);
    }
  }
  BoardOptions o;
  o.bootstrap_rounds = 20;
  o.control = {"duration"};
  const Board x = board_of(sim->votes, o);
  const Board y = board_of(swapped, o);
  // The sides' orientation enters only through the centring of r, so the boards agree closely
  // but not bit for bit; the same table read twice agrees bit for bit.
  for (const auto& m : x.models) EXPECT_NEAR(row(y, m.model).rating, m.rating, 1.0);
  const Board x2 = board_of(sim->votes, o);
  for (const auto& m : x.models) EXPECT_EQ(row(x2, m.model).ci_low, m.ci_low);
}

// ---- sandwich intervals -------------------------------------------------------------

TEST(Sandwich, TwoModelsWithoutTiesGiveTheFisherInterval) {
  // Without ties the meat equals the information: Var(d) = 1 / (n p (1 - p)), p = w / n,
  // and with the mean anchor each score moves by half the difference.
  std::vector<Record> r;
  add(r, "a", "b", Outcome::AWins, 30);
  add(r, "a", "b", Outcome::BWins, 10);
  BoardOptions o;
  o.intervals = IntervalMethod::Sandwich;
  const Board board = board_of(table_of(r), o);
  EXPECT_EQ(board.intervals, "sandwich");
  EXPECT_EQ(board.bootstrap, 0);
  const double sd = kPointsPerNatural * std::sqrt(1.0 / (40 * 0.75 * 0.25)) / 2;
  const double z = normal_quantile(0.975);
  EXPECT_NEAR(z, 1.959963984540054, 1e-12);
  const auto& a = row(board, "a");
  EXPECT_NEAR(a.ci_high - a.rating, z * sd, 1e-6);
  EXPECT_NEAR(a.rating - a.ci_low, z * sd, 1e-6);
}

TEST(Sandwich, TiesNarrowTheIntervalBelowTheModelsOwn) {
  // Ties are less variable than wins and losses: the sandwich sees it, the Fisher
  // information (which treats a tie like a coin flip) does not.
  std::vector<Record> r;
  add(r, "a", "b", Outcome::AWins, 20);
  add(r, "a", "b", Outcome::BWins, 10);
  add(r, "a", "b", Outcome::Tie, 30);
  BoardOptions o;
  o.intervals = IntervalMethod::Sandwich;
  const Board board = board_of(table_of(r), o);
  const double p = (20 + 15) / 60.0;
  const double fisher_sd = kPointsPerNatural * std::sqrt(1.0 / (60 * p * (1 - p))) / 2;
  const auto& a = row(board, "a");
  EXPECT_LT(a.ci_high - a.rating, normal_quantile(0.975) * fisher_sd);
}

TEST(Sandwich, AgreesWithTheBootstrapOnALargeLog) {
  SimulationOptions s;
  s.models = 6;
  s.votes = 20000;
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  BoardOptions o;
  o.bootstrap_rounds = 400;
  const Board boot = board_of(sim->votes, o);
  o.intervals = IntervalMethod::Sandwich;
  const Board sandwich = board_of(sim->votes, o);
  for (const auto& m : boot.models) {
    const auto& n = row(sandwich, m.model);
    EXPECT_EQ(n.rating, m.rating);
    const double w_boot = m.ci_high - m.ci_low, w_sand = n.ci_high - n.ci_low;
    EXPECT_NEAR(w_sand / w_boot, 1.0, 0.15) << m.model;
  }
}

// ---- language filter ----------------------------------------------------------------

TEST(Languages, TheFilterKeepsTheVotesOfThoseLanguages) {
  SimulationOptions s;
  s.models = 4;
  s.votes = 3000;
  s.languages = {"de", "en", "ja"};
  auto sim = simulate(s);
  ASSERT_TRUE(sim);
  int64_t german = 0;
  for (std::size_t v = 0; v < sim->votes.size(); ++v) {
    german += sim->votes.language_names()[sim->votes.language(v)] == "de" ? 1 : 0;
  }
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.filter.languages = {"de"};
  EXPECT_EQ(board_of(sim->votes, o).votes, german);
  EXPECT_GT(german, 800);
  o.filter.languages = {"fr"};
  EXPECT_EQ(board_of(sim->votes, o).votes, 0);
}

}  // namespace
}  // namespace paddock::rating
