#pragma once
// Background work (recording battles, fitting leaderboards) runs at a lower CPU priority
// than the threads that answer requests, so a busy server stays responsive.

namespace paddock::sys {

// Raises the calling thread's nice value by 10 (Linux: per thread). Failing is harmless.
void lower_this_thread_priority();

}  // namespace paddock::sys
