#pragma once
// The wall clock as paddock stores it: milliseconds since the Unix epoch (vote and battle
// times, migration dates, when a board was computed). One definition, so every layer reads
// the same clock the same way.

#include <cstdint>

namespace paddock {

// Milliseconds since the Unix epoch, now (the system clock: it may step when the host's
// clock is set; measure durations with std::chrono::steady_clock instead).
int64_t unix_ms();

}  // namespace paddock
