#include "rating/random.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace paddock::rating {

namespace {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;  // SplitMix64's increment
constexpr uint64_t kStreamMix = 0xd1b54a32d192ed03ULL;    // odd multiplier spreading streams
constexpr double kTwoPow53Inverse = 0x1.0p-53;

// Below this mean n*min(p, 1-p), inversion is cheaper than BTRS (which also needs it >= 10).
constexpr double kBtrsMinMean = 10.0;

// BTRS constants (Hoermann 1993, "The generation of binomial random variates", algorithm BTRS).
constexpr double kBtrsB0 = 1.15, kBtrsB1 = 2.53;
constexpr double kBtrsA0 = -0.0873, kBtrsA1 = 0.0248, kBtrsA2 = 0.01;
constexpr double kBtrsAlpha0 = 2.83, kBtrsAlpha1 = 5.1;
constexpr double kBtrsVr0 = 0.92, kBtrsVr1 = 4.2;
constexpr double kBtrsSqueezeUs = 0.07;
// Up to this distance from the mode, BTRS's acceptance test multiplies the pmf's step ratios
// instead of taking logarithms (about as many multiplications as a logarithm costs).
constexpr double kBtrsProductSteps = 24;

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang built-in

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Inversion: walk the pmf from 0, using f(x) = f(x-1) * ((n+1)/x - 1) * p/q.
// REQUIRES p <= 1/2 and n*p small, so the walk is short and q^n does not underflow.
int64_t binomial_inversion(Xoshiro256& rng, int64_t n, double p) {
  const double q = 1.0 - p;
  const double odds = p / q;
  const double a = static_cast<double>(n + 1) * odds;
  const double f0 = std::exp(static_cast<double>(n) * std::log1p(-p));
  for (;;) {
    double u = rng.uniform();
    double f = f0;
    int64_t x = 0;
    while (u > f) {
      u -= f;
      ++x;
      if (x > n) break;
      f *= a / static_cast<double>(x) - odds;
      if (f <= 0) break;  // rounding left u unspent: draw again
    }
    if (x <= n && u <= f) return x;
  }
}

// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2]: the remainder of Stirling's
// series, exact (from lgamma) for small k and from the series' next terms above.
constexpr int kStirlingTable = 10;
double stirling_tail(double k) {
  static const auto table = [] {
    std::array<double, kStirlingTable> t{};
    for (int i = 0; i < kStirlingTable; ++i) {
      const double x = i;
      t[static_cast<std::size_t>(i)] =
          std::lgamma(x + 1.0) -
          ((x + 0.5) * std::log(x + 1.0) - (x + 1.0) + 0.5 * std::log(2.0 * std::numbers::pi));
    }
    return t;
  }();
  if (k < kStirlingTable) return table[static_cast<std::size_t>(k)];
  const double kp1 = k + 1.0, kp1_squared = kp1 * kp1;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1_squared) / kp1_squared) / kp1;
}

// floor(x) for 0 <= x < 2^63, by truncation: the baseline x86-64 target has no rounding
// instruction, and std::floor there costs as much as the rest of a BTRS step.
double floor_of_nonnegative(double x) {
  return static_cast<double>(static_cast<int64_t>(x));
}

// BTRS. REQUIRES p <= 1/2 and n*p >= kBtrsMinMean.
int64_t binomial_btrs(Xoshiro256& rng, int64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double spq = std::sqrt(nd * p * (1.0 - p));
  const double b = kBtrsB0 + kBtrsB1 * spq;
  const double a = kBtrsA0 + kBtrsA1 * b + kBtrsA2 * p;
  const double c = nd * p + 0.5;
  const double v_r = kBtrsVr0 - kBtrsVr1 / b;
  // Needed only when the squeeze does not decide (computed at most once per variate).
  double alpha = std::numeric_limits<double>::quiet_NaN(), r = 0,
         log_mode_term = std::numeric_limits<double>::quiet_NaN();
  for (;;) {
    const double u = rng.uniform() - 0.5;
    double v = rng.uniform();
    const double us = 0.5 - std::abs(u);
    const double x = (2.0 * a / us + b) * u + c;
    if (!(x >= 0 && x < nd + 1.0)) continue;  // k = floor(x) must be in [0, n]
    const double kd = floor_of_nonnegative(x);
    if (us >= kBtrsSqueezeUs && v <= v_r) return static_cast<int64_t>(kd);
    // Accept if v * alpha / (a/us^2 + b) <= f(k) / f(m), the pmf at k over its mode. Near
    // the mode that ratio is a short product of the pmf's step ratios f(i) / f(i-1) =
    // (n - i + 1) / i * p/q, cheaper than logarithms and exact to rounding; farther out, in
    // logs with Stirling's series for the factorials.
    const double m = floor_of_nonnegative((nd + 1.0) * p);
    if (std::isnan(alpha)) {
      alpha = (kBtrsAlpha0 + kBtrsAlpha1 / b) * spq;
      r = p / (1.0 - p);
    }
    if (std::abs(kd - m) <= kBtrsProductSteps) {
      double ratio = 1.0;
      for (double i = m + 1.0; i <= kd; ++i) ratio *= (nd - i + 1.0) / i * r;
      for (double i = kd + 1.0; i <= m; ++i) ratio *= i / ((nd - i + 1.0) * r);
      if (v * alpha / (a / (us * us) + b) <= ratio) return static_cast<int64_t>(kd);
      continue;
    }
    if (std::isnan(log_mode_term)) {
      log_mode_term = (m + 0.5) * std::log((m + 1.0) / (r * (nd - m + 1.0))) +
                      (nd + 1.0) * std::log(nd - m + 1.0) + stirling_tail(m) +
                      stirling_tail(nd - m);
    }
    v = std::log(v * alpha / (a / (us * us) + b));
    const double log_ratio = log_mode_term - (nd + 1.0) * std::log(nd - kd + 1.0) +
                             (kd + 0.5) * std::log(r * (nd - kd + 1.0) / (kd + 1.0)) -
                             stirling_tail(kd) - stirling_tail(nd - kd);
    if (v <= log_ratio) return static_cast<int64_t>(kd);
  }
}

}  // namespace

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += kGoldenGamma);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Xoshiro256::Xoshiro256(uint64_t seed) {
  uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

Xoshiro256 Xoshiro256::for_stream(uint64_t seed, uint64_t stream) {
  uint64_t state = stream * kStreamMix;
  return Xoshiro256(seed ^ splitmix64(state));
}

uint64_t Xoshiro256::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Xoshiro256::uniform() {
  return static_cast<double>(next() >> 11) * kTwoPow53Inverse;
}

double Xoshiro256::uniform_open() {
  return (static_cast<double>(next() >> 11) + 0.5) * kTwoPow53Inverse;
}

double Xoshiro256::normal() {
  const double radius = std::sqrt(-2.0 * std::log(uniform_open()));
  return radius * std::cos(2.0 * std::numbers::pi * uniform());
}

uint64_t Xoshiro256::below(uint64_t n) {
  // Lemire (2019): multiply, reject the few values that would bias the result.
  Uint128 product = static_cast<Uint128>(next()) * n;
  auto low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<Uint128>(next()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

int64_t binomial(Xoshiro256& rng, int64_t n, double p) {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1.0 - p);
  if (static_cast<double>(n) * p < kBtrsMinMean) return binomial_inversion(rng, n, p);
  return binomial_btrs(rng, n, p);
}

void multinomial(Xoshiro256& rng, int64_t n, std::span<const int64_t> counts,
                 std::span<int64_t> out) {
  int64_t remaining_total = 0;
  for (int64_t c : counts) remaining_total += c;
  int64_t remaining_draws = n;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const int64_t c = counts[k];
    int64_t x = 0;
    if (remaining_draws > 0 && c > 0) {
      x = c >= remaining_total
              ? remaining_draws
              : binomial(rng, remaining_draws,
                         static_cast<double>(c) / static_cast<double>(remaining_total));
    }
    out[k] = x;
    remaining_draws -= x;
    remaining_total -= c;
  }
}

namespace {

// Below this mean, Poisson variates by inversion (PTRS needs a mean of 10 or more).
constexpr double kPtrsMinMean = 10.0;
// PTRS constants (Hoermann 1993, "The transformed rejection method for generating Poisson
// random variables", algorithm PTRS).
constexpr double kPtrsB0 = 0.931, kPtrsB1 = 2.53;
constexpr double kPtrsA0 = -0.059, kPtrsA1 = 0.02483;
constexpr double kPtrsAlpha0 = 1.1239, kPtrsAlpha1 = 1.1328, kPtrsAlphaShift = 3.4;
constexpr double kPtrsVr0 = 0.9277, kPtrsVr1 = 3.6224, kPtrsVrShift = 2.0;
constexpr double kPtrsShift = 0.43;
constexpr double kPtrsSqueezeUs = 0.07, kPtrsRejectUs = 0.013;
// Up to this distance from the mode, PTRS's acceptance test multiplies the pmf's step ratios.
constexpr double kPtrsProductSteps = 24;
// The Poisson split pays when there are a few items per cell or more; below that, every
// item is drawn singly from the alias table.
constexpr int64_t kSplitMinItemsPerCell = 2;
constexpr int64_t kSplitMinItems = 100;

// Value tables span the mode +- this many standard deviations (and one more value): the
// mass outside is about 5e-4, reached by walking on from the table's ends.
constexpr double kTableHalfWidthSds = 3.5;
// Above this many values a cell is drawn by PTRS (means above about 300): a larger table
// drops out of cache between the variates of a block of rounds.
constexpr int64_t kMaxTableSize = 128;

// A value table's central part at t = (u - below) * scale, in [0, size): bucket j = floor(t)
// gives j while t's fraction within it is below keep[j], else other[j]. Without a branch:
// which of the two it is is a coin toss the CPU cannot predict.
[[gnu::always_inline]] inline std::size_t table_value(double t, std::size_t last,
                                                      const double* keep, const uint16_t* other) {
  const auto j = std::min(static_cast<std::size_t>(t), last);
  const double fraction = t - static_cast<double>(j);
  const auto mask = std::size_t{0} - static_cast<std::size_t>(fraction < keep[j]);
  return (j & mask) | (std::size_t{other[j]} & ~mask);
}

// log(k!) by Stirling's series with its remainder (stirling_tail).
double log_factorial(double k) {
  return (k + 0.5) * std::log(k + 1.0) - (k + 1.0) + 0.5 * std::log(2.0 * std::numbers::pi) +
         stirling_tail(k);
}

}  // namespace

MultinomialSampler::MultinomialSampler(int64_t n, std::span<const int64_t> counts, double margin)
    : n_(std::max<int64_t>(n, 0)), cells_(counts.size()) {
  const std::size_t cells = counts.size();
  Uint128 total = 0;
  for (int64_t c : counts) total += static_cast<uint64_t>(std::max<int64_t>(c, 0));
  if (n_ == 0 || total == 0) return;
  alias_total_ = static_cast<uint64_t>(total);

  const bool split =
      n_ >= kSplitMinItems &&
      static_cast<Uint128>(n_) >= static_cast<Uint128>(cells) * kSplitMinItemsPerCell;
  if (split) {
    const double nd = static_cast<double>(n_);
    lambda_ = std::max(0.0, nd - margin * std::sqrt(nd));
  }
  for (std::size_t k = 0; k < cells; ++k) {
    PoissonCell& cell = cells_[k];
    cell.mean = lambda_ * (static_cast<double>(std::max<int64_t>(counts[k], 0)) /
                           static_cast<double>(alias_total_));
    if (!(cell.mean > 0)) continue;
    cell.mode = floor_of_nonnegative(cell.mean);
    cell.log_mean = std::log(cell.mean);
    cell.pmf_at_mode = std::exp(-cell.mean + cell.mode * cell.log_mean - log_factorial(cell.mode));
    build_table(cell);
    if (cell.mean < kPtrsMinMean) {
      cell.exp_minus_mean = std::exp(-cell.mean);
      continue;
    }
    cell.b = kPtrsB0 + kPtrsB1 * std::sqrt(cell.mean);
    cell.a = kPtrsA0 + kPtrsA1 * cell.b;
    cell.inv_alpha = kPtrsAlpha0 + kPtrsAlpha1 / (cell.b - kPtrsAlphaShift);
    cell.log_inv_alpha = std::log(cell.inv_alpha);
    cell.v_r = kPtrsVr0 - kPtrsVr1 / (cell.b - kPtrsVrShift);
  }

  // Vose's construction of Walker's alias table, in integers so that it is exact: K buckets
  // of size C, cell k's weight K * c_k spread over them; bucket j keeps its own cell for
  // below(C) < threshold[j] and hands the rest to alias[j].
  alias_threshold_.assign(cells, alias_total_);
  alias_.resize(cells);
  std::vector<Uint128> weight(cells);
  std::vector<uint32_t> small, large;
  for (std::size_t k = 0; k < cells; ++k) {
    alias_[k] = static_cast<uint32_t>(k);
    weight[k] = static_cast<Uint128>(std::max<int64_t>(counts[k], 0)) * cells;
    (weight[k] < total ? small : large).push_back(static_cast<uint32_t>(k));
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    alias_threshold_[s] = static_cast<uint64_t>(weight[s]);
    alias_[s] = l;
    weight[l] -= total - weight[s];
    if (weight[l] < total) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left has weight exactly C (the weights add up to K * C): the bucket is its own.
}

int64_t MultinomialSampler::poisson(Xoshiro256& rng, const PoissonCell& cell) {
  if (cell.mean < kPtrsMinMean) {
    // Inversion: walk the pmf from 0, f(x) = f(x-1) * mean / x.
    for (;;) {
      double u = rng.uniform();
      double f = cell.exp_minus_mean;
      int64_t x = 0;
      while (u > f) {
        u -= f;
        ++x;
        f *= cell.mean / static_cast<double>(x);
        if (f <= 0) break;  // rounding left u unspent: draw again
      }
      if (u <= f) return x;
    }
  }
  for (;;) {
    const double u = rng.uniform() - 0.5;
    const double v = rng.uniform();
    const double us = 0.5 - std::abs(u);
    const double x = (2.0 * cell.a / us + cell.b) * u + cell.mean + kPtrsShift;
    if (!(x >= 0)) continue;  // k = floor(x) < 0 (or us == 0)
    const double k = floor_of_nonnegative(x);
    if (us >= kPtrsSqueezeUs && v <= cell.v_r) return static_cast<int64_t>(k);
    if (us < kPtrsRejectUs && v > us) continue;
    // Accept if v * inv_alpha / (a / us^2 + b) <= f(k), the pmf at k. Near the mode, f(k) is
    // f(mode) times a short product of the step ratios f(i) / f(i-1) = mean / i (exact to
    // rounding, cheaper than the logarithms); farther out, in logs.
    if (std::abs(k - cell.mode) <= kPtrsProductSteps) {
      double f = cell.pmf_at_mode;
      for (double i = cell.mode + 1.0; i <= k; ++i) f *= cell.mean / i;
      for (double i = k + 1.0; i <= cell.mode; ++i) f *= i / cell.mean;
      if (v * cell.inv_alpha / (cell.a / (us * us) + cell.b) <= f) return static_cast<int64_t>(k);
      continue;
    }
    if (std::log(v) + cell.log_inv_alpha - std::log(cell.a / (us * us) + cell.b) <=
        -cell.mean + k * cell.log_mean - log_factorial(k)) {
      return static_cast<int64_t>(k);
    }
  }
}

// The pmf from the mode outwards by its step ratios, f(k+1) = f(k) mean / (k+1), as an alias
// table; below the table, summed down until it no longer adds anything.
void MultinomialSampler::build_table(PoissonCell& cell) {
  const double mean = cell.mean;
  const auto mode = static_cast<int64_t>(cell.mode);
  const auto half_width = static_cast<int64_t>(std::ceil(kTableHalfWidthSds * std::sqrt(mean))) + 1;
  const int64_t lo = std::max<int64_t>(0, mode - half_width);
  const int64_t size = mode + half_width - lo + 1;
  if (size > kMaxTableSize) return;
  std::vector<double> pmf(static_cast<std::size_t>(size));
  pmf[static_cast<std::size_t>(mode - lo)] = cell.pmf_at_mode;
  for (int64_t k = mode; k > lo; --k) {
    pmf[static_cast<std::size_t>(k - 1 - lo)] =
        pmf[static_cast<std::size_t>(k - lo)] * static_cast<double>(k) / mean;
  }
  for (int64_t k = mode; k < lo + size - 1; ++k) {
    pmf[static_cast<std::size_t>(k + 1 - lo)] =
        pmf[static_cast<std::size_t>(k - lo)] * mean / static_cast<double>(k + 1);
  }
  // F(lo - 1): f(k-1) = f(k) k / mean from f(lo) down, until the terms no longer count.
  double below = 0;
  double f = pmf[0];
  for (int64_t k = lo; k > 0; --k) {
    f *= static_cast<double>(k) / mean;
    const double before = below;
    below += f;
    if (below == before) break;
  }
  double central = 0;
  for (double p_k : pmf) central += p_k;
  cell.table_offset = static_cast<uint32_t>(keep_.size());
  cell.table_size = static_cast<uint32_t>(size);
  cell.lo = lo;
  cell.below = below;
  cell.central = central;
  cell.scale = static_cast<double>(size) / central;
  cell.pmf_first = pmf.front();
  cell.pmf_last = pmf.back();
  // Vose's construction: value j's bucket holds weight size * f(j) / central, topped up from
  // a value with more than one bucket's worth.
  keep_.resize(keep_.size() + pmf.size(), 1.0);
  other_.resize(other_.size() + pmf.size());
  double* keep = keep_.data() + cell.table_offset;
  uint16_t* other = other_.data() + cell.table_offset;
  std::vector<uint16_t> small, large;
  for (std::size_t j = 0; j < pmf.size(); ++j) {
    pmf[j] *= cell.scale;
    other[j] = static_cast<uint16_t>(j);
    (pmf[j] < 1.0 ? small : large).push_back(static_cast<uint16_t>(j));
  }
  while (!small.empty() && !large.empty()) {
    const uint16_t s = small.back(), l = large.back();
    small.pop_back();
    keep[s] = pmf[s];
    other[s] = l;
    pmf[l] -= 1.0 - pmf[s];
    if (pmf[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left holds (to rounding) exactly one bucket: keep[] stays 1.
}

int64_t MultinomialSampler::from_table(double u, const PoissonCell& cell) const {
  if (u < cell.below) {
    // Below the table: X = k for F(k-1) <= u < F(k), walking down from lo - 1.
    int64_t k = cell.lo - 1;
    double f = cell.pmf_first * static_cast<double>(cell.lo) / cell.mean;  // f(lo - 1)
    double cdf_k = cell.below;
    while (k > 0) {
      const double cdf_before = cdf_k - f;
      if (u >= cdf_before) break;
      cdf_k = cdf_before;
      f *= static_cast<double>(k) / cell.mean;
      --k;
    }
    return k;
  }
  const double top = cell.below + cell.central;
  if (u < top) {
    // In the table: u's place within the central mass picks a bucket and its fraction.
    return cell.lo + static_cast<int64_t>(table_value(
                         (u - cell.below) * cell.scale, std::size_t{cell.table_size} - 1,
                         keep_.data() + cell.table_offset, other_.data() + cell.table_offset));
  }
  // Above the table: on from its last value.
  int64_t k = cell.lo + static_cast<int64_t>(cell.table_size) - 1;
  double f = cell.pmf_last;
  double cdf_k = top;
  for (;;) {
    ++k;
    f *= cell.mean / static_cast<double>(k);
    const double next = cdf_k + f;
    if (u < next) return k;
    if (!(next > cdf_k)) return -1;  // the sum stopped growing short of u: draw again
    cdf_k = next;
  }
}

int64_t MultinomialSampler::variate(Xoshiro256& rng, const PoissonCell& cell) const {
  if (cell.table_size == 0) return poisson(rng, cell);
  for (;;) {
    const int64_t x = from_table(rng.uniform(), cell);
    if (x >= 0) return x;
  }
}

void MultinomialSampler::finish_round(Xoshiro256& rng, std::span<int64_t> out) const {
  int64_t total = 0;
  for (int64_t x : out) total += x;
  // Given their total s, the Poisson counts are Multinomial(s, c / C); s > n is rare
  // (lambda is margin standard deviations below n) and is drawn again.
  while (total > n_) {
    total = 0;
    for (std::size_t k = 0; k < cells_.size(); ++k) {
      const int64_t x = cells_[k].mean > 0 ? variate(rng, cells_[k]) : 0;
      out[k] = x;
      total += x;
    }
  }
  // The other n - s items one by one: Multinomial(s) + Multinomial(n - s) = Multinomial(n).
  for (int64_t i = total; i < n_; ++i) ++out[alias_draw(rng)];
}

std::size_t MultinomialSampler::alias_draw(Xoshiro256& rng) const {
  const auto j = static_cast<std::size_t>(rng.below(alias_.size()));
  if (alias_threshold_[j] == alias_total_ || rng.below(alias_total_) < alias_threshold_[j]) {
    return j;
  }
  return alias_[j];
}

void MultinomialSampler::draw(Xoshiro256& rng, std::span<int64_t> out) const {
  draw_rounds(std::span<Xoshiro256>(&rng, 1), out);
}

void MultinomialSampler::draw_rounds(std::span<Xoshiro256> rngs, std::span<int64_t> out) const {
  const std::size_t cells = cells_.size();
  if (alias_total_ == 0 || !(lambda_ > 0)) {
    std::fill(out.begin(), out.end(), 0);
    if (alias_total_ == 0) return;
  } else {
    for (std::size_t k = 0; k < cells; ++k) {
      const PoissonCell& cell = cells_[k];
      if (!(cell.mean > 0)) {
        for (std::size_t r = 0; r < rngs.size(); ++r) out[r * cells + k] = 0;
      } else if (cell.table_size == 0) {
        for (std::size_t r = 0; r < rngs.size(); ++r) out[r * cells + k] = poisson(rngs[r], cell);
      } else {
        // from_table's central case, with the cell's constants held in registers across the
        // rounds; a uniform in a tail takes the general path (variate's).
        const double below = cell.below, top = cell.below + cell.central, scale = cell.scale;
        const int64_t lo = cell.lo;  // a local: the stores to `out` could alias the cell's
        const std::size_t last = std::size_t{cell.table_size} - 1;
        const double* keep = keep_.data() + cell.table_offset;
        const uint16_t* other = other_.data() + cell.table_offset;
        for (std::size_t r = 0; r < rngs.size(); ++r) {
          const double u = rngs[r].uniform();
          int64_t x;
          if (u >= below && u < top) {
            x = lo + static_cast<int64_t>(table_value((u - below) * scale, last, keep, other));
          } else {
            x = from_table(u, cell);
            if (x < 0) x = variate(rngs[r], cell);
          }
          out[r * cells + k] = x;
        }
      }
    }
  }
  for (std::size_t r = 0; r < rngs.size(); ++r)
    finish_round(rngs[r], out.subspan(r * cells, cells));
}

}  // namespace paddock::rating
