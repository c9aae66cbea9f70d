#include "arena/catalog_rules.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace paddock::arena {
namespace {

TEST(CatalogRules, IdsAreShortSafeSlugs) {
  const std::string longest(64, 'x');
  for (std::string_view good :
       {std::string_view("t2v"), std::string_view("HappyHorse-1.0"), std::string_view("p_001"),
        std::string_view("a"), std::string_view("0"), std::string_view(longest)}) {
    EXPECT_TRUE(is_valid_id(good)) << good;
  }
  for (const char* bad : {"", ".hidden", "-x", "_x", "a/b", "a b", "..", "é", "a\\b", "x:y"}) {
    EXPECT_FALSE(is_valid_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_id(std::string(65, 'x')));
}

TEST(CatalogRules, AspectIsTheSizeInLowestTerms) {
  EXPECT_EQ(aspect_of(1280, 720), "16:9");
  EXPECT_EQ(aspect_of(720, 1280), "9:16");
  EXPECT_EQ(aspect_of(1024, 1024), "1:1");
  EXPECT_EQ(aspect_of(854, 480), "427:240");
}

store::Track track() {
  return {.id = "t2v",
          .name = "Text to video",
          .task = store::Task::TextToVideo,
          .audio = false,
          .duration_s = 5,
          .aspect = "16:9",
          .width = 1280,
          .height = 720};
}

TEST(CatalogRules, ATrackNeedsAnIdANameADurationAndAMatchingAspect) {
  EXPECT_TRUE(validate_track(track()));
  auto t = track();
  t.id = "bad id";
  EXPECT_FALSE(validate_track(t));
  t = track();
  t.name = "";
  EXPECT_FALSE(validate_track(t));
  t = track();
  t.duration_s = 0;
  EXPECT_FALSE(validate_track(t));
  t = track();
  t.height = 0;
  EXPECT_FALSE(validate_track(t));
  t = track();
  t.aspect = "4:3";
  auto e = validate_track(t);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "invalid");
  EXPECT_NE(e.error().message.find("4:3"), std::string::npos);
  t.aspect = "wide";
  EXPECT_FALSE(validate_track(t));
  t = track();
  t.width = 854;
  t.height = 480;  // 1.779, within 1% of 16:9
  EXPECT_TRUE(validate_track(t));
  for (double fps : {0.0, 24.0, 30000.0 / 1001, 1000.0}) {
    t = track();
    t.fps = fps;
    EXPECT_TRUE(validate_track(t)) << fps;
  }
  for (double fps : {-1.0, 1000.5, std::nan("")}) {
    t = track();
    t.fps = fps;
    EXPECT_FALSE(validate_track(t)) << fps;
  }
}

TEST(CatalogRules, AnAnonymousModelNeedsACodename) {
  store::Model m{.id = "hh1",
                 .display_name = "HappyHorse-1.0",
                 .organization = "Lab",
                 .status = store::ModelStatus::Anonymous,
                 .codename = ""};
  auto e = validate_model(m);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("codename"), std::string::npos);
  m.codename = "Mystery-A";
  EXPECT_TRUE(validate_model(m));
  m.display_name = "";
  EXPECT_FALSE(validate_model(m));
  m.display_name = "X";
  m.id = "";
  EXPECT_FALSE(validate_model(m));
}

TEST(CatalogRules, SeedPoliciesAreNonePerPromptOrFixed) {
  for (const char* good : {"none", "per-prompt", "fixed:0", "fixed:42", "fixed:2147483647"}) {
    EXPECT_TRUE(validate_seed_policy(good)) << good;
  }
  for (const char* bad :
       {"", "random", "fixed:", "fixed:-1", "fixed:2147483648", "fixed:4x", "Per-Prompt"}) {
    auto s = validate_seed_policy(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, "invalid");
  }
  store::Track t = track();
  t.seed = "sometimes";
  auto refused = validate_track(t);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("seed policy \"sometimes\""), std::string::npos);
}

TEST(CatalogRules, GenerationConfigIsCheckedAndStoredInOneSpelling) {
  auto canonical = canonical_generation(
      R"({"model": {"text-to-video": "happyhorse-1.0-t2v"},  "provider": "dashscope",
          "parameters": {"b": 1, "a": 2}})");
  ASSERT_TRUE(canonical) << canonical.error().message;
  EXPECT_EQ(*canonical,
            R"({"model":{"text-to-video":"happyhorse-1.0-t2v"},"parameters":{"a":2,"b":1},)"
            R"("provider":"dashscope"})");
  struct Case {
    const char* json;
    const char* says;
  };
  for (const Case& c :
       {Case{"[1]", "must be an object"}, Case{"{", "not valid JSON"},
        Case{R"({"model": {"text-to-video": "x"}})", "needs \"provider\""},
        Case{R"({"provider": "a b", "model": {"text-to-video": "x"}})", "needs \"provider\""},
        Case{R"({"provider": "p"})", "needs \"model\""},
        Case{R"({"provider": "p", "model": {}})", "needs \"model\""},
        Case{R"({"provider": "p", "model": {"t2v": "x"}})", "task \"t2v\""},
        Case{R"({"provider": "p", "model": {"text-to-video": ""}})", "non-empty string"},
        Case{R"({"provider": "p", "model": {"text-to-video": "x"}, "parameters": 3})",
             "must be an object"},
        Case{R"({"provider": "p", "model": {"text-to-video": "x"}, "key": "sk-1"})",
             "unknown field \"key\""}}) {
    auto r = canonical_generation(c.json);
    ASSERT_FALSE(r) << c.json;
    EXPECT_EQ(r.error().code, "invalid");
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
  store::Model m;
  m.id = "hh1";
  m.display_name = "HappyHorse-1.0";
  m.generation = R"({"provider": 1})";
  auto refused = validate_model(m);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("model hh1"), std::string::npos);
}

}  // namespace
}  // namespace paddock::arena
