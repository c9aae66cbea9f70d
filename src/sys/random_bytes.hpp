#pragma once
// Cryptographically secure random bytes, fast: each thread keeps a pool filled from the
// kernel (libsodium's randombytes_buf, i.e. getrandom) 4 KiB at a time, so handing out the
// nonces and ids of a battle costs no system call. Bytes are never handed out twice.

#include <cstddef>

namespace paddock::sys {

void random_bytes(void* out, std::size_t n);

}  // namespace paddock::sys
