// Category weights (rating::parse_category_weights), which reach the server unauthenticated
// as GET /api/leaderboard?weights=... and the command line as `paddock rate --weights`.
// Checks: shares read are finite and not negative, with a positive total; the spelling
// describe_weights gives reads back as the same weights (boards are cached under it).

#include <cmath>

#include "rating/rating.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto w = rating::parse_category_weights(fuzz::as_text(data, size));
  if (!w) {
    FUZZ_CHECK(w.error().code == "bad_weights", "error code %s", w.error().code.c_str());
    return 0;
  }
  double total = 0;
  for (const auto& [name, share] : w->shares) {
    FUZZ_CHECK(!name.empty(), "an empty category name");
    FUZZ_CHECK(std::isfinite(share) && share >= 0, "share %g", share);
    total += share;
  }
  FUZZ_CHECK(w->balanced || total > 0, "no positive share");
  const std::string spelled = rating::describe_weights(*w);
  auto again = rating::parse_category_weights(spelled);
  FUZZ_CHECK(again.has_value(), "describe_weights wrote \"%s\", which does not read back",
             spelled.c_str());
  FUZZ_CHECK(again->balanced == w->balanced && again->shares == w->shares,
             "\"%s\" reads back as other weights", spelled.c_str());
  return 0;
}
