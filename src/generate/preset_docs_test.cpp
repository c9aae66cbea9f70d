// The configuration examples of docs/providers.md load and plan as the text says, so the
// operator's guide to presets and custom protocols stays true.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "generate/generate_config.hpp"
#include "generate/provider_factory.hpp"
#include "generate/testing/protocol_harness.hpp"

namespace paddock::generate {
namespace {

using namespace testing;

// The ```toml blocks of docs/providers.md, in order.
std::vector<std::string> toml_examples() {
  std::ifstream in(std::string(PADDOCK_DOCS_DIR) + "/providers.md");
  std::vector<std::string> blocks;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```toml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

// The provider of [providers.NAME] in `example`.
Result<std::unique_ptr<ProtocolProvider>> provider_of(const std::string& example,
                                                      std::string_view name) {
  const toml::table parsed = toml::parse(example);
  const toml::table* entry = parsed["providers"][name].as_table();
  if (entry == nullptr) return fail("test", "no [providers." + std::string(name) + "]");
  return make_protocol_provider(name, *entry);
}

TEST(Docs, EveryExampleOfTheGuideLoads) {
  set_test_keys();
  ::setenv("ACME_KEY", "acme-test-key", 1);
  const auto examples = toml_examples();
  ASSERT_EQ(examples.size(), 3u) << "docs/providers.md changed: update this test";
  for (const auto& [index, name] :
       std::vector<std::pair<size_t, std::string>>{{0, "kling"}, {1, "acme"}, {2, "grok"}}) {
    SCOPED_TRACE(name);
    auto provider = provider_of(examples[index], name);
    ASSERT_TRUE(provider) << provider.error().code << ": " << provider.error().message;
  }
}

TEST(Docs, TheCustomProtocolExamplePlansWhatItSays) {
  ::setenv("ACME_KEY", "acme-test-key", 1);
  auto provider = provider_of(toml_examples().at(1), "acme");
  ASSERT_TRUE(provider) << provider.error().message;
  GenerationRequest request = t2v_request("acme-1", "a kite");
  request.duration_s = 6;
  auto planned = (*provider)->plan(request);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->parameters, nlohmann::json({{"model", "acme-1"},
                                                 {"prompt", "a kite"},
                                                 {"duration", 5},
                                                 {"size", "16:9"},
                                                 {"seed", 42}}));
  EXPECT_TRUE(says(*planned, "duration 6 s sent as 5 s")) << deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "Acme makes 720p only")) << deviations_of(*planned);
  EXPECT_TRUE(says(*planned, "no watermark switch")) << deviations_of(*planned);
  EXPECT_FALSE(planned->estimated_cost);
}

TEST(Docs, TheKlingExamplePricesByUnits) {
  set_test_keys();
  auto provider = provider_of(toml_examples().at(0), "kling");
  ASSERT_TRUE(provider) << provider.error().message;
  auto planned = (*provider)->plan(t2v_request("kling-v3", "a kite"));
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_TRUE(planned->estimated_cost);
  // 5 s at 0.6 units a second, 0.14 USD a unit.
  EXPECT_NEAR(planned->estimated_cost->amount, 5 * 0.6 * 0.14, 1e-9);
  EXPECT_EQ(planned->parameters["duration"], "5");
}

TEST(Docs, TheOverrideExampleChangesOneField) {
  set_test_keys();
  auto provider = provider_of(toml_examples().at(2), "grok");
  ASSERT_TRUE(provider) << provider.error().message;
  GenerationRequest request = t2v_request("grok-imagine-video", "a kite");
  request.duration_s = 12;
  auto planned = (*provider)->plan(request);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->parameters["duration"], 10);
  EXPECT_EQ(planned->parameters["aspect_ratio"], "16:9");  // the rest of the preset stays
}

// The configuration `paddock generate` reads selects a preset by its protocol name through
// the provider factory, and the provider it makes runs a task on the fake vendor.
TEST(Docs, TheProviderFactoryMakesAPresetFromTheConfiguration) {
  set_test_keys();
  auto config = parse_generate_config(
      "[providers.kl]\nprotocol = \"kling\"\nbase_url = \"" + fake().base("kling") +
          "\"\nallow_addresses = [\"127.0.0.1\"]\nconcurrency = 3\npoll_interval_s = 0.5\n"
          "max_attempts = 2\nmax_download_mb = 100\n"
          "[providers.kl.prices.\"kling-v3\"]\ncurrency = \"USD\"\nper_unit = "
          "0.14\nestimate_units_per_second = 0.6\n"
          "[providers.odd]\nprotocol = \"sora\"\n",
      "test.toml");
  ASSERT_TRUE(config) << config.error().message;
  auto made = make_provider(*config->find("kl"));
  ASSERT_TRUE(made) << made.error().code << ": " << made.error().message;
  EXPECT_EQ((*made)->name(), "kl");
  const GenerationRequest request = t2v_request("kling-v3", "factory " + test_name());
  auto planned = (*made)->plan(request);
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_TRUE(planned->estimated_cost);  // the protocol's own price table, per unit
  EXPECT_NEAR(planned->estimated_cost->amount, 5 * 0.6 * 0.14, 1e-9);
  auto task = (*made)->submit(request, *planned);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(submitted_body("kling", request.prompt_text)["model_name"], "kling-v3");

  auto odd = make_provider(*config->find("odd"));
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, "bad_config");
  EXPECT_NE(odd.error().message.find("\"kling\""), std::string::npos) << odd.error().message;
}

}  // namespace
}  // namespace paddock::generate
