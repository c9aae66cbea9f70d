// The TOML configuration of `paddock serve` (cli::resolve_serve_settings with a config
// file), which runs every value through the same checks as the flags: ports, numbers,
// durations ("30m"), rates, booleans. The input is written to a scratch file.
// Checks: an error is "bad_config" naming the file; settings accepted are within the ranges
// docs/running.md gives.

#include "cli/serve_config.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_scratch("paddock.toml", fuzz::as_text(data, size));
  auto settings = cli::resolve_serve_settings({}, {}, file);
  if (!settings) {
    FUZZ_CHECK(settings.error().code == "bad_config", "error code %s",
               settings.error().code.c_str());
    FUZZ_CHECK(settings.error().message.starts_with(file.string()),
               "an error that does not name the file: %s", settings.error().message.c_str());
    return 0;
  }
  const auto& s = *settings;
  FUZZ_CHECK(s.threads >= 0 && s.threads <= 256, "threads %d", s.threads);
  FUZZ_CHECK(s.min_votes >= 0, "min_votes %lld", static_cast<long long>(s.min_votes));
  FUZZ_CHECK(s.ticket_ttl.count() > 0, "ticket_ttl %lld s",
             static_cast<long long>(s.ticket_ttl.count()));
  FUZZ_CHECK(s.board_interval.count() >= 0, "board_interval %lld ms",
             static_cast<long long>(s.board_interval.count()));
  FUZZ_CHECK(s.bootstrap >= 0 && s.bootstrap <= 100000, "bootstrap %d", s.bootstrap);
  for (double rate : {s.session_battles_per_minute, s.session_votes_per_minute,
                      s.address_battles_per_minute, s.address_votes_per_minute}) {
    FUZZ_CHECK(rate >= 0 && rate < 1e308, "rate %g", rate);
  }
  return 0;
}
