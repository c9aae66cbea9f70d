#include "rating/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

namespace paddock::rating {
namespace {

TEST(Xoshiro256, SameSeedAndStreamGiveTheSameSequence) {
  auto a = Xoshiro256::for_stream(42, 7);
  auto b = Xoshiro256::for_stream(42, 7);
  auto c = Xoshiro256::for_stream(42, 8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Xoshiro256, UniformStaysInItsRange) {
  Xoshiro256 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const double o = rng.uniform_open();
    ASSERT_GT(o, 0.0);
    ASSERT_LT(o, 1.0);
    ASSERT_LT(rng.below(7), 7u);
  }
}

double binomial_log_pmf(int64_t n, int64_t k, double p) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
         static_cast<double>(k) * std::log(p) + static_cast<double>(n - k) * std::log1p(-p);
}

// Pearson's chi-square of `draws` variates of draw(rng), which should be Binomial(n, p),
// against the exact pmf, over the values with expected count >= 5 (the rest pooled into one
// bin).
template <typename Draw>
double chi_square(int64_t n, double p, int draws, uint64_t seed, int& bins, Draw draw) {
  Xoshiro256 rng(seed);
  std::vector<int64_t> observed(static_cast<std::size_t>(n + 1), 0);
  for (int i = 0; i < draws; ++i) {
    const int64_t x = draw(rng);
    EXPECT_GE(x, 0);
    EXPECT_LE(x, n);
    ++observed[static_cast<std::size_t>(x)];
  }
  double chi = 0, pooled_expected = 0, pooled_observed = 0;
  bins = 0;
  for (int64_t k = 0; k <= n; ++k) {
    const double expected = draws * std::exp(binomial_log_pmf(n, k, p));
    if (expected >= 5) {
      const double d = static_cast<double>(observed[static_cast<std::size_t>(k)]) - expected;
      chi += d * d / expected;
      ++bins;
    } else {
      pooled_expected += expected;
      pooled_observed += static_cast<double>(observed[static_cast<std::size_t>(k)]);
    }
  }
  if (pooled_expected > 0) {
    const double d = pooled_observed - pooled_expected;
    chi += d * d / pooled_expected;
    ++bins;
  }
  return chi;
}

// For df bins-1 >= 10, chi-square exceeds df + 6 sqrt(2 df) with probability < 1e-5.
void expect_binomial_fits(int64_t n, double p) {
  int bins = 0;
  const double chi =
      chi_square(n, p, 200000, 12345, bins, [&](Xoshiro256& rng) { return binomial(rng, n, p); });
  const double df = bins - 1;
  EXPECT_LT(chi, df + 6 * std::sqrt(2 * df)) << "n=" << n << " p=" << p << " bins=" << bins;
}

TEST(Binomial, InversionMatchesTheExactDistribution) {
  expect_binomial_fits(30, 0.2);
}
TEST(Binomial, BtrsMatchesTheExactDistribution) {
  expect_binomial_fits(100, 0.4);
}
TEST(Binomial, BtrsMatchesTheExactDistributionForLargeN) {
  expect_binomial_fits(20000, 0.03);
}
TEST(Binomial, HighProbabilityIsMirrored) {
  expect_binomial_fits(60, 0.85);
}

TEST(Binomial, MeanAndVarianceForHugeN) {
  Xoshiro256 rng(9);
  const int64_t n = 10'000'000;
  const double p = 0.37;
  const int draws = 20000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < draws; ++i) {
    const auto x = static_cast<double>(binomial(rng, n, p));
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / draws;
  const double var = sum2 / draws - mean * mean;
  const double true_var = n * p * (1 - p);
  EXPECT_NEAR(mean, n * p, 5 * std::sqrt(true_var / draws));
  EXPECT_NEAR(var / true_var, 1.0, 0.05);
}

TEST(Binomial, EdgeCases) {
  Xoshiro256 rng(3);
  EXPECT_EQ(binomial(rng, 0, 0.5), 0);
  EXPECT_EQ(binomial(rng, 10, 0.0), 0);
  EXPECT_EQ(binomial(rng, 10, 1.0), 10);
  EXPECT_EQ(binomial(rng, 10, 1.5), 10);
  EXPECT_EQ(binomial(rng, 10, -1.0), 0);
}

TEST(Multinomial, DrawsAddUpAndEmptyCellsStayEmpty) {
  Xoshiro256 rng(5);
  const std::vector<int64_t> counts{5, 0, 100, 1, 894};
  std::vector<int64_t> out(counts.size());
  std::vector<double> mean(counts.size(), 0);
  const int rounds = 4000;
  for (int r = 0; r < rounds; ++r) {
    multinomial(rng, 1000, counts, out);
    EXPECT_EQ(std::accumulate(out.begin(), out.end(), int64_t{0}), 1000);
    EXPECT_EQ(out[1], 0);
    for (std::size_t k = 0; k < out.size(); ++k) mean[k] += static_cast<double>(out[k]) / rounds;
  }
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const double p = counts[k] / 1000.0;
    const double se = std::sqrt(1000 * p * (1 - p) / rounds);
    EXPECT_NEAR(mean[k], static_cast<double>(counts[k]), 5 * se + 1e-9) << "cell " << k;
  }
}

// Moments of many draws against Multinomial(n, p): every draw adds up to n; each cell's mean
// n p_k and variance n p_k (1 - p_k), and the covariance -n p_j p_k of the two largest cells,
// within Monte Carlo error (5 standard errors; the variances within 10%, the covariance's
// correlation within 0.06 of its value: about 4 standard errors at 4000 draws).
void expect_multinomial_moments(const std::vector<int64_t>& counts, int64_t n, double margin,
                                uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << "n=" << n << " margin=" << margin);
  const MultinomialSampler sampler(n, counts, margin);
  const int draws = 4000;
  const std::size_t cells = counts.size();
  std::vector<double> sum(cells, 0), sum2(cells, 0);
  double total_count = 0;
  for (int64_t c : counts) total_count += static_cast<double>(c);
  std::size_t big = 0, second = 0;  // the two largest cells
  for (std::size_t k = 0; k < cells; ++k) {
    if (counts[k] > counts[big]) big = k;
  }
  second = big == 0 ? 1 : 0;
  for (std::size_t k = 0; k < cells; ++k) {
    if (k != big && counts[k] > counts[second]) second = k;
  }
  double cross = 0;
  std::vector<int64_t> out(cells);
  for (int d = 0; d < draws; ++d) {
    Xoshiro256 rng = Xoshiro256::for_stream(seed, static_cast<uint64_t>(d));
    sampler.draw(rng, out);
    ASSERT_EQ(std::accumulate(out.begin(), out.end(), int64_t{0}), n);
    for (std::size_t k = 0; k < cells; ++k) {
      if (counts[k] == 0) {
        ASSERT_EQ(out[k], 0) << "an empty cell drew " << out[k];
      }
      const auto x = static_cast<double>(out[k]);
      sum[k] += x;
      sum2[k] += x * x;
    }
    cross += static_cast<double>(out[big]) * static_cast<double>(out[second]);
  }
  const auto nd = static_cast<double>(n);
  for (std::size_t k = 0; k < cells; ++k) {
    const double p = static_cast<double>(counts[k]) / total_count;
    const double mean = sum[k] / draws;
    const double var = sum2[k] / draws - mean * mean;
    const double true_var = nd * p * (1 - p);
    EXPECT_NEAR(mean, nd * p, 5 * std::sqrt(true_var / draws) + 1e-12) << "cell " << k;
    if (true_var >= 1) {
      EXPECT_NEAR(var / true_var, 1.0, 0.1) << "cell " << k;
    }
  }
  const double pb = static_cast<double>(counts[big]) / total_count;
  const double ps = static_cast<double>(counts[second]) / total_count;
  const double mean_b = sum[big] / draws, mean_s = sum[second] / draws;
  const double covariance = cross / draws - mean_b * mean_s;
  const double correlation = -std::sqrt(pb * ps / ((1 - pb) * (1 - ps)));
  EXPECT_NEAR(covariance / std::sqrt(nd * pb * (1 - pb) * nd * ps * (1 - ps)), correlation, 0.06);
}

TEST(MultinomialSampler, DrawsTheMultinomialDistribution) {
  // Cells of every kind: empty, tiny (Poisson by inversion), large (PTRS), one cell holding
  // most items; n equal to, below and above the total count.
  const std::vector<int64_t> mixed{5, 0, 100, 1, 894, 30, 12, 9};
  expect_multinomial_moments(mixed, 1000, MultinomialSampler::kDefaultMargin, 1);
  expect_multinomial_moments(mixed, 250000, MultinomialSampler::kDefaultMargin, 2);
  expect_multinomial_moments(mixed, 120, MultinomialSampler::kDefaultMargin, 3);
  expect_multinomial_moments({40, 2000, 13, 70000, 9, 600}, 72662,
                             MultinomialSampler::kDefaultMargin, 4);
  // Every item drawn singly (fewer items than two per cell).
  expect_multinomial_moments({3, 1, 4, 1, 5, 9, 2, 6, 5, 3}, 15, MultinomialSampler::kDefaultMargin,
                             5);
  // No margin: the Poisson total exceeds n in about half the draws, which are drawn again;
  // a wide margin: most items by the alias table.
  expect_multinomial_moments(mixed, 1000, 0.0, 6);
  expect_multinomial_moments(mixed, 1000, 20.0, 7);
}

// With two cells, the first cell's count is Binomial(n, c_0 / C): its whole distribution,
// tails included, for cells drawn by the value tables (with the walks past their ends), by
// PTRS, and for means below 10.
TEST(MultinomialSampler, ACellOfTwoHasTheBinomialDistribution) {
  for (const auto& [n, seed] : {std::pair<int64_t, uint64_t>{400, 21}, {40000, 22}, {60, 23}}) {
    const MultinomialSampler sampler(n, std::vector<int64_t>{1, 3});
    std::vector<int64_t> out(2);
    int bins = 0;
    const double chi = chi_square(n, 0.25, 200000, seed, bins, [&](Xoshiro256& rng) {
      sampler.draw(rng, out);
      return out[0];
    });
    const double df = bins - 1;
    EXPECT_LT(chi, df + 6 * std::sqrt(2 * df)) << "n=" << n << " bins=" << bins;
  }
}

// Each cell's Poisson count against the exact pmf (chi-square, the tails pooled either side)
// for means drawn by inversion of the value table, past its ends, and by PTRS.
TEST(MultinomialSampler, PoissonCountsHaveThePoissonDistribution) {
  const int64_t n = 100000;
  const std::vector<int64_t> counts{5, 50, 700, 3000, 96245};  // means ~0.5 to ~96,000
  const MultinomialSampler sampler(n, counts);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const double mean =
        sampler.poisson_mean() * static_cast<double>(counts[k]) / static_cast<double>(n);
    const int draws = 200000;
    Xoshiro256 rng(40 + k);
    std::map<int64_t, int64_t> observed;
    for (int i = 0; i < draws; ++i) ++observed[sampler.poisson_count(rng, k)];
    const auto log_pmf = [&](int64_t x) {
      return -mean + static_cast<double>(x) * std::log(mean) -
             std::lgamma(static_cast<double>(x) + 1);
    };
    const auto mode = static_cast<int64_t>(mean);
    const auto reach = static_cast<int64_t>(10 * std::sqrt(mean) + 20);
    double chi = 0, low_expected = 0, low_observed = 0, high_expected = 0, high_observed = 0;
    int bins = 0;
    for (int64_t x = std::max<int64_t>(0, mode - reach); x <= mode + reach; ++x) {
      const double expected = draws * std::exp(log_pmf(x));
      const auto it = observed.find(x);
      const double got = it == observed.end() ? 0.0 : static_cast<double>(it->second);
      if (expected >= 5) {
        chi += (got - expected) * (got - expected) / expected;
        ++bins;
      } else if (x < mode) {
        low_expected += expected;
        low_observed += got;
      } else {
        high_expected += expected;
        high_observed += got;
      }
    }
    for (const auto& [e, o] :
         {std::pair{low_expected, low_observed}, std::pair{high_expected, high_observed}}) {
      if (e > 0) {
        chi += (o - e) * (o - e) / e;
        ++bins;
      }
    }
    int64_t seen = 0;
    for (const auto& [x, c] : observed) {
      if (x >= std::max<int64_t>(0, mode - reach) && x <= mode + reach) seen += c;
    }
    EXPECT_EQ(seen, draws) << "mean " << mean << ": values beyond 10 sd";
    const double df = bins - 1;
    EXPECT_LT(chi, df + 6 * std::sqrt(2 * df)) << "mean " << mean << " bins " << bins;
  }
}

TEST(MultinomialSampler, DrawingRoundsTogetherGivesEachRoundWhatItsOwnStreamGives) {
  const std::vector<int64_t> counts{5, 0, 100, 1, 894, 30, 12, 9, 40000, 3};
  for (const int64_t n : {int64_t{1000}, int64_t{41054}, int64_t{15}}) {
    const MultinomialSampler sampler(n, counts,
                                     n == 1000 ? 0.0 : MultinomialSampler::kDefaultMargin);
    const std::size_t rounds = 37;
    std::vector<Xoshiro256> rngs;
    for (std::size_t r = 0; r < rounds; ++r) rngs.push_back(Xoshiro256::for_stream(9, r));
    std::vector<int64_t> together(rounds * counts.size());
    sampler.draw_rounds(rngs, together);
    std::vector<int64_t> alone(counts.size());
    for (std::size_t r = 0; r < rounds; ++r) {
      Xoshiro256 rng = Xoshiro256::for_stream(9, r);
      sampler.draw(rng, alone);
      EXPECT_EQ(std::vector<int64_t>(
                    together.begin() + static_cast<std::ptrdiff_t>(r * counts.size()),
                    together.begin() + static_cast<std::ptrdiff_t>((r + 1) * counts.size())),
                alone)
          << "n=" << n << " round " << r;
    }
  }
}

TEST(MultinomialSampler, EdgeCases) {
  Xoshiro256 rng(11);
  std::vector<int64_t> out(3, -1);
  MultinomialSampler(0, std::vector<int64_t>{1, 2, 3}).draw(rng, out);
  EXPECT_EQ(out, (std::vector<int64_t>{0, 0, 0}));
  MultinomialSampler(500, std::vector<int64_t>{0, 7, 0}).draw(rng, out);
  EXPECT_EQ(out, (std::vector<int64_t>{0, 500, 0}));
  std::vector<int64_t> one(1);
  MultinomialSampler(100000, std::vector<int64_t>{42}).draw(rng, one);
  EXPECT_EQ(one[0], 100000);
  // The same stream gives the same draw.
  const MultinomialSampler sampler(5000, std::vector<int64_t>{100, 2000, 2900});
  std::vector<int64_t> x(3), y(3);
  Xoshiro256 r1 = Xoshiro256::for_stream(3, 7), r2 = Xoshiro256::for_stream(3, 7);
  sampler.draw(r1, x);
  sampler.draw(r2, y);
  EXPECT_EQ(x, y);
}

}  // namespace
}  // namespace paddock::rating
