#pragma once
// Memory for the VoteTable's columns. Tens of millions of votes make columns of hundreds of
// megabytes; in 4 KiB pages that is ~50,000 page faults on first touch, which costs more than
// filling them. Large columns are therefore mapped directly and marked for transparent huge
// pages (2 MiB), where the kernel allows it.

#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace paddock::rating {

inline constexpr std::size_t kHugeColumnBytes = std::size_t{1} << 21;

template <typename T>
struct ColumnAllocator {
  using value_type = T;
  ColumnAllocator() = default;
  template <typename U>
  ColumnAllocator(const ColumnAllocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeColumnBytes) return static_cast<T*>(::operator new(bytes));
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint; fine if refused
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeColumnBytes) {
      ::operator delete(p);
    } else {
      ::munmap(p, bytes);
    }
  }
  template <typename U>
  bool operator==(const ColumnAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace paddock::rating
