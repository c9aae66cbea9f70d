#pragma once
// Reading a point in time from the command line.

#include <optional>
#include <string_view>

namespace paddock::cli {

// Seconds since the Unix epoch from "1700000000", "1700000000.5", "2025-01-31",
// "2025-01-31T12:00", "2025-01-31T12:00:00" or "2025-01-31 12:00:00Z" (all UTC).
std::optional<double> parse_time_argument(std::string_view text);

}  // namespace paddock::cli
