#pragma once
// Random numbers whose every bit is specified here (not by the standard library's
// implementation-defined distributions), so a seed gives the same board on every build.
//   - SplitMix64 (Steele, Lea & Flood 2014) turns a seed into well-mixed 64-bit words;
//   - xoshiro256** (Blackman & Vigna 2018) is the generator;
//   - binomial variates: inversion for small means, BTRS (Hoermann 1993, transformed
//     rejection with squeeze) otherwise;
//   - multinomial variates as a chain of conditional binomials.

#include <cstdint>
#include <span>

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

// Several independent multinomial draws at once (up to kMaxInterleaved): row r of `out`,
// out[r * counts.size() + k], from rngs[r], each bit for bit what multinomial() would draw
// from that generator, and faster than one call per row.
// REQUIRES: rngs.size() <= kMaxInterleaved, out.size() == rngs.size() * counts.size().
inline constexpr std::size_t kMaxInterleaved = 8;
void multinomial_interleaved(std::span<Xoshiro256> rngs, int64_t n, std::span<const int64_t> counts,
                             std::span<int64_t> out);

}  // namespace paddock::rating
