#pragma once
// The randomness matchmaking and sides draw from, as a small interface: 64 uniform random bits
// per call. The server passes its generator (wrapped with RandomBitsFrom), the simulator a
// seeded one, so the same matchmaking code runs in both and the server's source of randomness
// can change without touching it.

#include <concepts>
#include <cstdint>
#include <limits>
#include <random>

namespace paddock::arena {

class RandomBits {
 public:
  virtual ~RandomBits() = default;
  // 64 uniformly random bits.
  virtual uint64_t next() = 0;
};

// Adapts any uniform random bit generator that yields 64-bit words (std::mt19937_64, a CSPRNG
// wrapper, rating::Xoshiro256 through a lambda, ...). Holds a reference: `g` must outlive it.
template <std::uniform_random_bit_generator G>
requires(G::min() == 0 &&
         G::max() == std::numeric_limits<uint64_t>::max()) class RandomBitsFrom final
    : public RandomBits {
 public:
  explicit RandomBitsFrom(G& g) : g_(g) {}
  uint64_t next() override { return g_(); }

 private:
  G& g_;
};

// Uniform in [0, n), exactly (Lemire's multiply-and-reject). REQUIRES n > 0.
uint64_t uniform_below(RandomBits& bits, uint64_t n);
// Uniform in [0, 1), 53 random bits.
double uniform_unit(RandomBits& bits);

}  // namespace paddock::arena
