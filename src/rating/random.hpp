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
  // draw() for several rounds at once: row r of `out` (rows of counts.size()) gets exactly
  // what draw(rngs[r], row) would give. The Poisson part is drawn cell by cell, every round
  // of a cell in turn, so that the cell's value table stays in cache.
  // REQUIRES: out.size() == rngs.size() * counts.size().
  void draw_rounds(std::span<Xoshiro256> rngs, std::span<int64_t> out) const;

  // One Poisson(lambda c_k / C) count of cell k, drawn as draw() draws it (by the cell's
  // value table or by PTRS): for the tests of its distribution.
  int64_t poisson_count(Xoshiro256& rng, std::size_t k) const { return variate(rng, cells_[k]); }

  // The mean of the Poisson part's total (0: every item is drawn singly).
  double poisson_mean() const { return lambda_; }

 private:
  struct PoissonCell {
    double mean = 0;
    // Inversion (mean < 10): e^-mean. PTRS: its constants (Hoermann's notation).
    double exp_minus_mean = 0;
    double a = 0, b = 0, inv_alpha = 0, log_inv_alpha = 0, v_r = 0, log_mean = 0;
    double mode = 0, pmf_at_mode = 0;  // floor(mean) and the pmf there (every mean > 0)
    // By table, for means whose table is small (table_size > 0): the values lo ..
    // lo + table_size - 1 by Walker's alias method (table from table_offset), the tails
    // either side (mass `below` under lo, above `below + central`) by inversion, walking on
    // from the table's ends, where the pmf is pmf_first and pmf_last.
    uint32_t table_offset = 0, table_size = 0;
    int64_t lo = 0;
    double below = 0, central = 0, scale = 0;  // scale: table_size / central
    double pmf_first = 0, pmf_last = 0;
  };
  static int64_t poisson(Xoshiro256& rng, const PoissonCell& cell);
  void build_table(PoissonCell& cell);
  // The variate of uniform u by the cell's table, or -1 when rounding left u unspent past
  // its upper tail (draw another u).
  int64_t from_table(double u, const PoissonCell& cell) const;
  int64_t variate(Xoshiro256& rng, const PoissonCell& cell) const;
  // The Poisson counts again while their total exceeds n, then the n - total single items.
  void finish_round(Xoshiro256& rng, std::span<int64_t> out) const;
  std::size_t alias_draw(Xoshiro256& rng) const;

  int64_t n_ = 0;
  double lambda_ = 0;
  std::vector<PoissonCell> cells_;
  uint64_t alias_total_ = 0;               // C: the bucket size
  std::vector<uint64_t> alias_threshold_;  // keep bucket j when below(C) < threshold[j]
  std::vector<uint32_t> alias_;            // otherwise take alias[j]
  // The cells' value tables, one after another: value j keeps itself when the fraction of
  // its bucket is below keep_[j], else it is other_[j].
  std::vector<double> keep_;
  std::vector<uint16_t> other_;
};

}  // namespace paddock::rating
