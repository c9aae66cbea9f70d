#pragma once
// Credentials (API keys, signing keys, signed tokens) as a type that cannot be printed by
// accident: a Secret has no operator<<, no fmt formatter and no conversion to a string, so
// putting one into a log line or an error message does not compile. The value is reached
// only through reveal(), for signing and for the request header that carries it, and is
// wiped from memory when the Secret goes away.
//
// Keys come from environment variables named in the configuration (never from the
// configuration file or the database themselves).

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::generate {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // Reads the secret from the environment variable `variable`.
  // Errors (the message names the variable, never a value):
  //   "missing_secret"  the variable is not set, or set to an empty string;
  //   "bad_config"      `variable` is not a valid name (empty, or holds '=' or a NUL).
  static Result<Secret> from_environment(std::string_view variable);

  // The value itself. Only for signing and for the header that carries it.
  std::string_view reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void wipe() noexcept;

  std::string value_;
};

}  // namespace paddock::generate
