#include "sys/random_bytes.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>

namespace paddock::sys {
namespace {

constexpr std::size_t kPoolBytes = 4096;

struct Pool {
  Pool() {
    if (sodium_init() < 0) std::abort();  // no random source: nothing secure is possible
  }
  ~Pool() { sodium_memzero(bytes.data(), bytes.size()); }
  std::array<unsigned char, kPoolBytes> bytes;
  std::size_t used = kPoolBytes;
};

}  // namespace

void random_bytes(void* out, std::size_t n) {
  thread_local Pool pool;
  auto* dst = static_cast<unsigned char*>(out);
  while (n > 0) {
    if (pool.used == pool.bytes.size()) {
      randombytes_buf(pool.bytes.data(), pool.bytes.size());
      pool.used = 0;
    }
    std::size_t take = std::min(n, pool.bytes.size() - pool.used);
    std::memcpy(dst, pool.bytes.data() + pool.used, take);
    // Wipe what was handed out, so the pool never holds bytes someone else now owns.
    sodium_memzero(pool.bytes.data() + pool.used, take);
    pool.used += take;
    dst += take;
    n -= take;
  }
}

}  // namespace paddock::sys
