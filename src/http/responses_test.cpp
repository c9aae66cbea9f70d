#include "http/responses.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace paddock::http {
namespace {

TEST(ErrorResponse, IsJsonWhateverTheMessage) {
  auto r = error_response(400, "bad_weights", "weight \"\xff\xfe\" is not CATEGORY=SHARE");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["error"]["code"], "bad_weights");
}

}  // namespace
}  // namespace paddock::http
