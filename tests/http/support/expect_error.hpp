#pragma once
// The check of a refusal that the HTTP tests share.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "http_client.hpp"

namespace paddock::testing {

// The status and the error code of a refusal; fails if the body is not the error shape.
inline void expect_error(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  ASSERT_TRUE(j.contains("error")) << r.body;
  EXPECT_EQ(j["error"].at("code"), code) << r.body;
  EXPECT_FALSE(j["error"].at("message").get<std::string>().empty());
  EXPECT_EQ(r.header("Content-Type"), "application/json");
}

}  // namespace paddock::testing
