#pragma once
// Random numbers whose every bit is specified here (not by the standard library's
// implementation-defined distributions), so a seed gives the same board on every build.
//   - SplitMix64 (Steele, Lea & Flood 2014) turns a seed into well-mixed 64-bit words;
//   - xoshiro256** (Blackman & Vigna 2018) is the generator;
//   - binomial variates: inversion for small means, BTRS (Hoermann 1993, transformed
//     rejection with squeeze) otherwise;
//   - multinomial variates as a chain of conditional binomials, or, for many draws from the
//     same counts (a bootstrap's rounds), by Poisson splitting completed by alias draws
//     (MultinomialSampler), with Poisson variates by inversion for small means and PTRS
//     (Hoermann 1993, transformed rejection with squeeze) otherwise.

#include <cstdint>
#include <span>
#include <vector>

namespace paddock::rating {

// One step of SplitMix64: advances `state` and returns the next output.
uint64_t splitmix64(uint64_t& state);

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed);
  // An independent generator for stream `stream` of `seed` (e.g. one per bootstrap round),
  // so results do not depend on which thread draws which round.
  static Xoshiro256 for_stream(uint64_t seed, uint64_t stream);

  uint64_t next();
  double uniform();            // in [0, 1), 53 random bits
  double uniform_open();       // in (0, 1)
  double normal();             // standard normal (Box-Muller)
  uint64_t below(uint64_t n);  // uniform in [0, n), REQUIRES n > 0 (Lemire's method)

 private:
  uint64_t s_[4];
};

// A Binomial(n, p) variate. p outside [0, 1] is clamped.
int64_t binomial(Xoshiro256& rng, int64_t n, double p);

// Draws `n` items over cells with the given (integer) frequencies: out[k] ~ the number of
// draws landing in cell k, jointly Multinomial(n, counts / sum(counts)).
// REQUIRES: out.size() == counts.size(), sum(counts) > 0 unless n == 0.
void multinomial(Xoshiro256& rng, int64_t n, std::span<const int64_t> counts,
                 std::span<int64_t> out);

// Many Multinomial(n, counts / sum(counts)) draws from the same counts, each exactly of that
// distribution (docs/rating-method.md, "Drawing the counts"): every cell k gets an
// independent Poisson(lambda * c_k / C) count, lambda = n - margin * sqrt(n) (a whole draw
// again in the rare case the total exceeds n), and the missing n - total draws are single
// items landing in cell k with probability c_k / C (Walker's alias table, in integers). The
// Poisson constants of each cell are computed once, so a draw costs about one cheap Poisson
// variate per cell and 3 sqrt(n) alias draws, instead of a binomial whose constants change
// at every cell of the chain.
// REQUIRES: sum(counts) > 0 unless n == 0; counts >= 0.
class MultinomialSampler {
 public:
  static constexpr double kDefaultMargin = 3.0;
  MultinomialSampler(int64_t n, std::span<const int64_t> counts, double margin = kDefaultMargin);

  // REQUIRES: out.size() == counts.size().
  void draw(Xoshiro256& rng, std::span<int64_t> out) const;

  // The mean of the Poisson part's total (0: every item is drawn singly).
  double poisson_mean() const { return lambda_; }

 private:
  struct PoissonCell {
    double mean = 0;
    // Inversion (mean < 10): e^-mean. PTRS: its constants (Hoermann's notation).
    double exp_minus_mean = 0;
    double a = 0, b = 0, inv_alpha = 0, log_inv_alpha = 0, v_r = 0, log_mean = 0;
    double mode = 0, pmf_at_mode = 0;  // floor(mean) and the pmf there
  };
  static int64_t poisson(Xoshiro256& rng, const PoissonCell& cell);
  std::size_t alias_draw(Xoshiro256& rng) const;

  int64_t n_ = 0;
  double lambda_ = 0;
  std::vector<PoissonCell> cells_;
  uint64_t alias_total_ = 0;               // C: the bucket size
  std::vector<uint64_t> alias_threshold_;  // keep bucket j when below(C) < threshold[j]
  std::vector<uint32_t> alias_;            // otherwise take alias[j]
};

}  // namespace paddock::rating
