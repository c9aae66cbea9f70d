#include "rating/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
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

// Pearson's chi-square of `draws` Binomial(n, p) variates against the exact pmf, over the
// values with expected count >= 5 (the rest pooled into one bin).
double chi_square(int64_t n, double p, int draws, uint64_t seed, int& bins) {
  Xoshiro256 rng(seed);
  std::vector<int64_t> observed(static_cast<std::size_t>(n + 1), 0);
  for (int i = 0; i < draws; ++i) {
    const int64_t x = binomial(rng, n, p);
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
  const double chi = chi_square(n, p, 200000, 12345, bins);
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

TEST(Multinomial, InterleavedDrawsWhatSingleDrawsDraw) {
  // Cells of every kind the chain meets: empty, tiny (inversion), large (BTRS), mirrored
  // (p > 1/2), and n both smaller and larger than the total count.
  const std::vector<std::vector<int64_t>> tables = {
      {5, 0, 100, 1, 894}, {0, 0, 7}, {3}, {1, 1, 1, 1, 1, 1}, {40, 2000, 0, 13, 70000, 9, 600}};
  for (const auto& counts : tables) {
    for (const int64_t n : {int64_t{0}, int64_t{1}, int64_t{17}, int64_t{1000}, int64_t{250000}}) {
      for (std::size_t chains = 1; chains <= kMaxInterleaved; ++chains) {
        std::vector<Xoshiro256> single, interleaved;
        for (std::size_t r = 0; r < chains; ++r) single.push_back(Xoshiro256::for_stream(9, r));
        interleaved = single;
        std::vector<int64_t> got(chains * counts.size());
        multinomial_interleaved(interleaved, n, counts, got);
        for (std::size_t r = 0; r < chains; ++r) {
          std::vector<int64_t> want(counts.size());
          multinomial(single[r], n, counts, want);
          const std::vector<int64_t> row(
              got.begin() + static_cast<std::ptrdiff_t>(r * counts.size()),
              got.begin() + static_cast<std::ptrdiff_t>((r + 1) * counts.size()));
          EXPECT_EQ(row, want) << "n=" << n << " chains=" << chains << " row " << r;
          EXPECT_EQ(interleaved[r].next(), single[r].next()) << "generators left apart";
        }
      }
    }
  }
}

}  // namespace
}  // namespace paddock::rating
