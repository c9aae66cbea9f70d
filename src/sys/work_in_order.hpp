#pragma once
// Many independent jobs on a bounded number of threads, their results taken in order: paddock
// import re-encodes several clips at once and still stores and reports them one by one, in
// the catalog's order.

#include <cstddef>
#include <functional>
#include <string_view>

namespace paddock::sys {

// Calls work(i) for every i in [0, count) on up to `threads` threads at once, and finish(i)
// on the calling thread for each i in increasing order, once work(i) has returned (so
// finish may read what work(i) wrote, without a lock). threads <= 1 starts no thread:
// work(0), finish(0), work(1), ... on the calling thread. `work` must be safe to call from
// several threads at once for different i.
// When finish returns false, no work starts after that, the running ones are waited for,
// and finish is not called again. An exception from work(i) or finish(i) is rethrown here
// once every started work has returned (finish(i) and later are then not called).
// The threads are named `thread_name` (top -H, gdb).
void for_each_in_order(std::size_t count, int threads, const std::function<void(std::size_t)>& work,
                       const std::function<bool(std::size_t)>& finish,
                       std::string_view thread_name = "paddock-work");

}  // namespace paddock::sys
