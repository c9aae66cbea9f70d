#include "arena/random_bits.hpp"

namespace paddock::arena {
namespace {
__extension__ using Wide = unsigned __int128;  // GCC/Clang built-in
}  // namespace

uint64_t uniform_below(RandomBits& bits, uint64_t n) {
  // Lemire (2019): multiply, reject the few values that would bias the result.
  Wide product = static_cast<Wide>(bits.next()) * n;
  auto low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<Wide>(bits.next()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

double uniform_unit(RandomBits& bits) {
  return static_cast<double>(bits.next() >> 11) * 0x1.0p-53;
}

}  // namespace paddock::arena
