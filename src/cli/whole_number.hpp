#pragma once
// A check for options that take a count or an id: the text must be a whole number, 0 or
// more. CLI11's NonNegativeNumber would accept 1.5 and word its refusal as a range up to
// the largest double (300 digits); without a check, "-1" wraps into an unsigned option.

#include <CLI/CLI.hpp>

namespace paddock::cli {

// Refuses anything but decimal digits: "must be a whole number, 0 or more (not -1)".
CLI::Validator whole_number();

}  // namespace paddock::cli
