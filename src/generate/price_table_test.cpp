// Prices from the configuration: estimates before a clip is paid for, costs from usage after.

#include "generate/price_table.hpp"

#include <gtest/gtest.h>

namespace paddock::generate {
namespace {

PriceTable table(std::string_view text) {
  auto read = PriceTable::from_toml(toml::parse(text), "providers.p.prices");
  EXPECT_TRUE(read) << read.error().message;
  return read ? std::move(*read) : PriceTable{};
}

const PricedClip k720{5, 1280, 720, "720P", "720p"};

TEST(PriceTable, PerSecondByResolution) {
  const PriceTable prices = table(R"(
["happyhorse-1.0-t2v"]
currency = "USD"
per_second = { "720P" = 0.14, "1080P" = 0.24 }
)");
  const ProtocolPrice* price = prices.find("happyhorse-1.0-t2v");
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(estimate_cost(*price, k720), (Cost{0.14 * 5, "USD"}));
  EXPECT_EQ(estimate_cost(*price, {5, 3840, 2160, "4K", "4k"}), std::nullopt);  // no price
  EXPECT_EQ(reported_cost(*price, k720, {.seconds = 6}), (Cost{0.14 * 6, "USD"}));
  EXPECT_EQ(prices.find("other"), nullptr);
}

TEST(PriceTable, TheStarPricesEveryOtherModel) {
  const PriceTable prices = table(R"(
["*"]
currency = "credits"
per_clip = 10
)");
  ASSERT_NE(prices.find("anything"), nullptr);
  EXPECT_EQ(estimate_cost(*prices.find("anything"), k720), (Cost{10, "credits"}));
}

TEST(PriceTable, UnitsAndTokensComeFromUsageOrTheEstimate) {
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

TEST(PriceTable, FormulasReadArithmetic) {
  EXPECT_EQ(*evaluate_formula("(width + height) * 2 - duration / 5", k720), 4000 - 1);
  for (const char* bad : {"width *", "depth * 2", "1 / 0", "(1 + 2", "2 $ 3"}) {
    auto value = evaluate_formula(bad, k720);
    ASSERT_FALSE(value) << bad;
    EXPECT_EQ(value.error().code, "bad_config");
  }
}

TEST(PriceTable, MistakesNameTheField) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[m]\nper_clip = 1", "providers.p.prices.\"m\".currency: missing"},
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

}  // namespace
}  // namespace paddock::generate
