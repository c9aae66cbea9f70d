#pragma once
// Errors travel between layers as values: a function that can fail returns Result<T>
// (or Status when there is nothing to return), and callers check it. Exceptions stay
// inside a layer and are turned into an Error at its border.

#include <expected>
#include <string>
#include <utility>

namespace paddock {

// What went wrong, for a person and for a program.
// `code` is stable and machine-readable ("bad_ticket", "not_found", "io_error", ...);
// `message` names the thing and the problem ("votes.jsonl:12: unknown winner \"draw\"").
struct Error {
  std::string code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result of an operation that returns nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(std::string code, std::string message) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

inline Status ok() {
  return {};
}

}  // namespace paddock
