#include "generate/generate_config.hpp"

#include <gtest/gtest.h>

#include "generate/provider_factory.hpp"

namespace paddock::generate {
namespace {

constexpr std::string_view kExample = R"(
[providers.dashscope]
protocol = "dashscope"
base_url = "https://dashscope-intl.aliyuncs.com"
key_env = "DASHSCOPE_API_KEY"
concurrency = 3
requests_per_second = 2
poll_interval_s = 15
allow_addresses = ["127.0.0.1"]
region_note = "kept for the protocol"
[providers.dashscope.prices."happyhorse-1.0-t2v"]
per_second = { "720P" = 0.14, "1080P" = 0.24 }
currency = "USD"
[providers.dashscope.prices."wan2.6-t2v"]
per_clip = 0.5

[providers.local]
protocol = "placeholder"
)";

TEST(GenerateConfig, ReadsProvidersLimitsAndPrices) {
  auto c = parse_generate_config(kExample, "paddock-generate.toml");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->providers.size(), 2u);
  const ProviderConfig* d = c->find("dashscope");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->protocol, "dashscope");
  EXPECT_EQ(d->key_env, "DASHSCOPE_API_KEY");
  EXPECT_EQ(d->concurrency, 3);
  EXPECT_EQ(d->requests_per_second, 2);
  EXPECT_EQ(d->allow_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(d->raw.value("region_note", ""), "kept for the protocol");
  const Price* hh = d->price_of("happyhorse-1.0-t2v");
  ASSERT_TRUE(hh);
  EXPECT_EQ(hh->basis, PriceBasis::PerSecond);
  EXPECT_EQ(hh->amounts.at("1080p"), 0.24);
  ASSERT_TRUE(d->price_of("wan2.6-t2v"));
  EXPECT_EQ(d->price_of("wan2.6-t2v")->basis, PriceBasis::PerClip);
  EXPECT_EQ(d->price_of("wan2.6-t2v")->amounts.at(""), 0.5);
  EXPECT_EQ(d->price_of("wan2.6-t2v")->currency, "USD");  // the default
  EXPECT_FALSE(d->price_of("nope"));
  const ProviderConfig* local = c->find("local");
  ASSERT_TRUE(local);
  EXPECT_LT(local->poll_interval_s, 0.01) << "the renderer has nothing to wait for";
}

TEST(GenerateConfig, RefusesWhatItCannotUseNamingTheField) {
  struct Case {
    const char* toml;
    const char* says;
  };
  for (const Case& c :
       {Case{"[providers.a]\nbase_url = \"x\"\n", "\"protocol\" is missing"},
        Case{"[providers.a]\nprotocol = \"dashscope\"\nconcurrency = 0\n", "\"concurrency\""},
        Case{"[providers.a]\nprotocol = \"dashscope\"\n[providers.a.prices.m]\nper_second = -1\n",
             "providers.a.prices.\"m\".per_second: must be a number >= 0"},
        Case{
            "[providers.a]\nprotocol = \"dashscope\"\n[providers.a.prices.m]\ncurrency = \"USD\"\n",
            "give exactly one of per_second, per_clip, per_unit, per_million_tokens"},
        Case{"[providers.a]\nprotocol = \"dashscope\"\n[providers.a.prices.m]\nper_clip = 1\n"
             "usage_field = \"usage.units\"\n",
             "usage_field goes with per_unit or per_million_tokens"},
        // One price table for every protocol: a preset's is read by the same rules.
        Case{"[providers.k]\nprotocol = \"kling\"\n[providers.k.prices.m]\nper_unit = 1\n"
             "estimate_tokens = \"width\"\n",
             "estimate_tokens goes with per_million_tokens only"},
        Case{"[other]\nx = 1\n", "unknown table"},
        Case{"[providers.a\n", "paddock-generate.toml:1"}}) {
    auto r = parse_generate_config(c.toml, "paddock-generate.toml");
    ASSERT_FALSE(r) << c.toml;
    EXPECT_EQ(r.error().code, "bad_config");
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
}

TEST(ProviderFactory, MakesTheBuiltInProtocolsAndNamesTheOthers) {
  auto c = parse_generate_config(R"(
[providers.local]
protocol = "placeholder"
[providers.odd]
protocol = "no-such-protocol"
[providers.ds]
protocol = "dashscope"
key_env = "PADDOCK_TEST_KEY_THAT_IS_NOT_SET"
)",
                                 "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  auto local = make_provider(*c->find("local"));
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ((*local)->name(), "local");
  auto odd = make_provider(*c->find("odd"));
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, "bad_config");
  EXPECT_NE(odd.error().message.find("no-such-protocol"), std::string::npos) << odd.error().message;
  auto ds = make_provider(*c->find("ds"));
  ASSERT_FALSE(ds);
  EXPECT_EQ(ds.error().code, "missing_secret");
  EXPECT_NE(ds.error().message.find("PADDOCK_TEST_KEY_THAT_IS_NOT_SET"), std::string::npos);
}

}  // namespace
}  // namespace paddock::generate
