#include "http/url.hpp"

#include <gtest/gtest.h>

#include "http/mime.hpp"

namespace paddock::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndRefusesBrokenOnes) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("%2e%2E", false), "..");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("ab%", false), std::nullopt);
}

TEST(QueryParams, KeepsRepeatedNamesInOrder) {
  auto q = QueryParams::parse("track=t2v&category=a&category=b%20c&weights=balanced&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("track"), "t2v");
  EXPECT_EQ(q->all("category"), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(q->get("flag"), "");
  EXPECT_EQ(q->get("missing"), std::nullopt);
  EXPECT_FALSE(QueryParams::parse("a=%g1"));
}

TEST(ContentTypeFor, KnowsTheFrontEndAndMediaTypes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/app-1a2b.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("x.webm"), "video/webm");
  EXPECT_EQ(content_type_for("x.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("noextension"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace paddock::http
