// Prices from the configuration: estimates before a clip is paid for, costs from usage after.

#include "generate/price.hpp"

#include <gtest/gtest.h>

namespace paddock::generate {
namespace {

PriceTable table(std::string_view text) {
  auto read = PriceTable::from_toml(toml::parse(text), "providers.p.prices");
  EXPECT_TRUE(read) << read.error().message;
  return read ? std::move(*read) : PriceTable{};
}

const PricedClip k720{5, 1280, 720, "720P", "720p"};

TEST(Price, PerSecondByResolution) {
  const PriceTable prices = table(R"(
["happyhorse-1.0-t2v"]
currency = "USD"
per_second = { "720P" = 0.14, "1080P" = 0.24 }
)");
  const Price* price = prices.find("happyhorse-1.0-t2v");
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(estimate_cost(*price, k720), (Cost{0.14 * 5, "USD"}));
  EXPECT_EQ(estimate_cost(*price, {5, 3840, 2160, "4K", "4k"}), std::nullopt);  // no price
  EXPECT_EQ(reported_cost(*price, k720, {.seconds = 6}), (Cost{0.14 * 6, "USD"}));
  EXPECT_EQ(prices.find("other"), nullptr);
}

TEST(Price, TheStarPricesEveryOtherModel) {
  const PriceTable prices = table(R"(
["*"]
currency = "credits"
per_clip = 10
)");
  ASSERT_NE(prices.find("anything"), nullptr);
  EXPECT_EQ(estimate_cost(*prices.find("anything"), k720), (Cost{10, "credits"}));
}

TEST(Price, UnitsAndTokensComeFromUsageOrTheEstimate) {
  const PriceTable prices = table(R"(
[kling]
currency = "USD"
per_unit = 0.14
estimate_units_per_second = 0.2
[seedance]
currency = "USD"
per_million_tokens = 1.2
estimate_tokens = "width * height * 24 * duration / 1024"
)");
  EXPECT_NEAR(estimate_cost(*prices.find("kling"), k720)->amount, 0.14, 1e-12);
  EXPECT_NEAR(reported_cost(*prices.find("kling"), k720, {.units = 2.5})->amount, 0.35, 1e-12);
  const double tokens = 1280.0 * 720 * 24 * 5 / 1024;
  EXPECT_NEAR(estimate_cost(*prices.find("seedance"), k720)->amount, tokens * 1.2e-6, 1e-12);
  EXPECT_NEAR(reported_cost(*prices.find("seedance"), k720, {.tokens = 1e6})->amount, 1.2, 1e-12);
}

TEST(Price, FormulasReadArithmetic) {
  EXPECT_EQ(*evaluate_formula("(width + height) * 2 - duration / 5", k720), 4000 - 1);
  for (const char* bad : {"width *", "depth * 2", "1 / 0", "(1 + 2", "2 $ 3"}) {
    auto value = evaluate_formula(bad, k720);
    ASSERT_FALSE(value) << bad;
    EXPECT_EQ(value.error().code, "bad_config");
  }
}

TEST(Price, MistakesNameTheField) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[m]\ncurrency = \"\"\nper_clip = 1", "providers.p.prices.\"m\".currency: must be"},
      {"[m]\nper_clip = 1\nusage_field = \"usage.n\"", "usage_field goes with per_unit"},
      {"[m]\ncurrency = \"USD\"", "give exactly one of per_second"},
      {"[m]\ncurrency = \"USD\"\nper_clip = 1\nper_second = 1", "give exactly one of"},
      {"[m]\ncurrency = \"USD\"\nper_second = -1", "per_second: must be a number >= 0"},
      {"[m]\ncurrency = \"USD\"\nper_second = { \"720p\" = \"cheap\" }", "per_second.720p"},
      {"[m]\ncurrency = \"USD\"\nper_clip = 1\nprice = 2", "\"m\".price: unknown field"},
      {"[m]\ncurrency = \"USD\"\nper_million_tokens = 1\nestimate_tokens = \"w*h\"",
       "estimate_tokens: formula \"w*h\": unknown name w"},
      {"[m]\ncurrency = \"USD\"\nper_clip = 1\nestimate_units = 2", "goes with per_unit only"},
      {"m = 3", "providers.p.prices.\"m\": expected a table"},
  };
  for (const Case& c : cases) {
    auto read = PriceTable::from_toml(toml::parse(c.text), "providers.p.prices");
    ASSERT_FALSE(read) << c.text;
    EXPECT_EQ(read.error().code, "bad_config");
    EXPECT_NE(read.error().message.find(c.message), std::string::npos)
        << c.text << ": " << read.error().message;
  }
}

TEST(Price, TheCurrencyIsUsdUnlessSaid) {
  const PriceTable prices = table("[m]\nper_clip = 0.5\n");
  EXPECT_EQ(estimate_cost(*prices.find("m"), k720), (Cost{0.5, "USD"}));
}

// A provider whose protocol does not say where its usage counts units (DashScope): the
// price's usage_field does; the estimate stands in when the usage has no number there.
TEST(Price, AUsageFieldReadsUnitsOrTokensFromTheUsageObject) {
  const PriceTable prices = table(R"(
[units]
per_unit = 0.000002
usage_field = "usage.total_tokens"
estimate_units_per_second = 50000
[tokens]
per_million_tokens = 2
usage_field = "video_tokens"
)");
  const Price& units = *prices.find("units");
  const PricedClip four{4, 1280, 720, "720P", "720p"};
  EXPECT_EQ(estimate_cost(units, four), (Cost{0.000002 * 200000, "USD"}));
  const nlohmann::json usage = {{"usage", {{"total_tokens", 100000}}}};
  auto charged = reported_cost(units, four, usage_of(units, usage, 4));
  ASSERT_TRUE(charged);
  EXPECT_DOUBLE_EQ(charged->amount, 0.2);
  EXPECT_EQ(reported_cost(units, four, usage_of(units, nlohmann::json::object(), 4)),
            estimate_cost(units, four));
  const Price& tokens = *prices.find("tokens");
  EXPECT_DOUBLE_EQ(
      reported_cost(tokens, four, usage_of(tokens, {{"video_tokens", 5e5}}, 4))->amount, 1.0);
}

}  // namespace
}  // namespace paddock::generate
