// Points in time on the command line (cli::parse_time_argument: --since/--until of
// `paddock rate` and `paddock export`) and durations (cli::parse_duration: --ticket-ttl,
// --board-interval and their TOML and environment spellings).
// Checks: a time read is finite; a date with a time of day reads as that date's midnight
// plus the time; a duration read is not negative.

#include <cmath>

#include "cli/serve_config.hpp"
#include "cli/time_argument.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  if (auto t = cli::parse_time_argument(text)) {
    FUZZ_CHECK(std::isfinite(*t), "time %g", *t);
    if (text.size() >= 16 && text[4] == '-' && (text[10] == 'T' || text[10] == ' ')) {
      auto day = cli::parse_time_argument(text.substr(0, 10));
      FUZZ_CHECK(day && *t >= *day && *t <= *day + 86400 + 60, "%.*s is not within its day",
                 static_cast<int>(text.size()), text.data());
    }
  }
  if (auto d = cli::parse_duration(text)) {
    FUZZ_CHECK(d->count() >= 0, "duration %lld s", static_cast<long long>(d->count()));
  } else {
    FUZZ_CHECK(d.error().code == "bad_config", "duration error %s", d.error().code.c_str());
  }
  return 0;
}
