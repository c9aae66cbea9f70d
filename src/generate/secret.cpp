#include "generate/secret.hpp"

#include <sodium.h>

#include <cstdlib>
#include <string>

namespace paddock::generate {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
  other.wipe();
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

Secret::~Secret() {
  wipe();
}

// Zeroes the whole buffer (capacity, not just size: a shorter value may have replaced a
// longer one) before releasing it.
void Secret::wipe() noexcept {
  if (value_.capacity() > 0) {
    value_.resize(value_.capacity());
    sodium_memzero(value_.data(), value_.size());
  }
  value_.clear();
}

Result<Secret> Secret::from_environment(std::string_view variable) {
  if (variable.empty() || variable.find_first_of(std::string_view("=\0", 2)) != variable.npos) {
    return fail("bad_config", "\"" + std::string(variable) +
                                  "\" is not a valid environment variable name for a key");
  }
  const std::string name(variable);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    return fail("missing_secret",
                "the environment variable " + name + " is not set (it should hold the key)");
  }
  return Secret(value);
}

}  // namespace paddock::generate
