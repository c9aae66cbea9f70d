#include "cli/whole_number.hpp"

namespace paddock::cli {

CLI::Validator whole_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits =
            !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        return digits ? std::string() : "must be a whole number, 0 or more (not " + text + ")";
      },
      "N >= 0");
}

}  // namespace paddock::cli
