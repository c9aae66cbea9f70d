#pragma once
// Test support: unwraps a Result, or throws so the test fails with the error's code and
// message (GoogleTest reports an exception escaping a test body as a failure).

#include <stdexcept>
#include <utility>

#include "base/result.hpp"

namespace paddock::store::test_support {

template <typename T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().code + ": " + r.error().message);
  return std::move(*r);
}

inline void must(Status s) {
  if (!s) throw std::runtime_error(s.error().code + ": " + s.error().message);
}

}  // namespace paddock::store::test_support
