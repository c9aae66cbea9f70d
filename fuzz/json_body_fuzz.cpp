// JSON request bodies (http/json_body.hpp), read the way the endpoints read them: the vote
// body (ticket, choice, three watch times), the battle body (track), the admin model and void
// bodies (string fields). The first byte picks which set of fields is read.
// Checks: a body accepted as an object is nested at most 16 levels (the promise that keeps a
// body of 60,000 brackets from the parser); errors carry the documented codes; a count field
// read back is within [0, max].

#include <string>

#include "http/json_body.hpp"
#include "support/fuzz_support.hpp"

namespace {

using namespace paddock;
using nlohmann::json;

int depth(const json& j) {
  int deepest = 0;
  if (j.is_object() || j.is_array()) {
    for (const auto& child : j) deepest = std::max(deepest, depth(child));
    return deepest + 1;
  }
  return 0;
}

void strings(const json& body, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto v = http::string_field(body, name);
    if (!v)
      FUZZ_CHECK(v.error().code == "bad_request", "string_field gave %s", v.error().code.c_str());
  }
}

void counts(const json& body, std::initializer_list<const char*> names, int64_t max) {
  for (const char* name : names) {
    auto v = http::count_field(body, name, 0, max);
    if (v) {
      FUZZ_CHECK(*v >= 0 && *v <= max, "count_field %s gave %lld outside [0, %lld]", name,
                 static_cast<long long>(*v), static_cast<long long>(max));
    } else {
      FUZZ_CHECK(v.error().code == "bad_request", "count_field gave %s", v.error().code.c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  const uint8_t which = fuzz::take_byte(input);
  auto body = http::parse_json_object(input);
  if (!body) {
    FUZZ_CHECK(body.error().code == "invalid_json", "parse gave %s", body.error().code.c_str());
    return 0;
  }
  FUZZ_CHECK(body->is_object(), "accepted a body that is not an object");
  FUZZ_CHECK(depth(*body) <= 16, "accepted a body nested %d levels", depth(*body));
  switch (which % 4) {
    case 0:  // POST /api/votes
      strings(*body, {"ticket", "choice"});
      counts(*body, {"left_watch_ms", "right_watch_ms", "decision_ms"}, 24LL * 60 * 60 * 1000);
      break;
    case 1:  // POST /api/battles
      strings(*body, {"track"});
      break;
    case 2:  // POST /api/admin/models
      strings(*body, {"id", "display_name", "organization", "codename", "status"});
      break;
    default:  // POST /api/admin/votes/void
      strings(*body, {"session", "address", "track", "reason"});
      counts(*body, {"limit"}, INT64_MAX);
  }
  // What an endpoint does with a body it read: answer with parts of it.
  (void)body->dump(-1, ' ', false, json::error_handler_t::replace);
  return 0;
}
