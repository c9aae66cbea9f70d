#pragma once
// Names threads, so `top -H`, perf and gdb show which part of the server a thread is.

#include <string_view>

namespace paddock::sys {

// Names the calling thread (Linux keeps the first 15 bytes). Failing is harmless.
void name_this_thread(std::string_view name);

}  // namespace paddock::sys
