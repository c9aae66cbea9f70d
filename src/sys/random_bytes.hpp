#pragma once
// Cryptographically secure random bytes, fast: each thread keeps a pool filled from the
// kernel (libsodium's randombytes_buf, i.e. getrandom) 4 KiB at a time, so handing out the
// nonces and ids of a battle costs no system call. Bytes are never handed out twice.

#include <cstddef>
#include <cstdint>
#include <limits>

namespace paddock::sys {

void random_bytes(void* out, std::size_t n);

// A uniform random bit generator over random_bytes, for the standard distributions where an
// observer must not predict the draws (battle sides and pairings): 64 secure bits per call.
struct SecureRandom {
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    result_type v;
    random_bytes(&v, sizeof v);
    return v;
  }
};

}  // namespace paddock::sys
