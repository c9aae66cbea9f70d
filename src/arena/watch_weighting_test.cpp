// The watch weighting rule on its edges, and the clip durations read from a real SQLite store.

#include "arena/watch_weighting.hpp"

#include <gtest/gtest.h>

#include "store/open_store.hpp"
#include "store/testing/sample_data.hpp"
#include "support/temp_dir.hpp"

namespace paddock::arena {
namespace {

store::Vote watched(int64_t left, int64_t right, int64_t decision) {
  store::Vote v;
  v.left_watch_ms = left;
  v.right_watch_ms = right;
  v.decision_ms = decision;
  return v;
}

TEST(WatchWeight, ADecisionSoonerThanTheShorterClipOrAClipHalfUnplayedWeighsLess) {
  const WatchWeighting rule{.weight = 0.25, .min_share = 0.5};
  // Clips of 4 s and 6 s: decide no sooner than 4 s, play at least 2 s and 3 s.
  EXPECT_EQ(watch_weight(watched(2000, 3000, 4000), 4.0, 6.0, rule), 1);
  EXPECT_EQ(watch_weight(watched(4000, 6000, 3999), 4.0, 6.0, rule), 0.25);
  EXPECT_EQ(watch_weight(watched(1999, 6000, 9000), 4.0, 6.0, rule), 0.25);
  EXPECT_EQ(watch_weight(watched(4000, 2999, 9000), 4.0, 6.0, rule), 0.25);
  EXPECT_EQ(watch_weight(watched(0, 0, 0), 4.0, 6.0, rule), 0.25);
  // A duration not known leaves its part out; neither known: weight 1.
  EXPECT_EQ(watch_weight(watched(0, 3000, 6000), std::nullopt, 6.0, rule), 1);
  EXPECT_EQ(watch_weight(watched(0, 3000, 5000), std::nullopt, 6.0, rule), 0.25);
  EXPECT_EQ(watch_weight(watched(0, 0, 0), std::nullopt, std::nullopt, rule), 1);
  // min_share 0: only the decision time counts.
  EXPECT_EQ(watch_weight(watched(0, 0, 4000), 4.0, 6.0, {.weight = 0.5, .min_share = 0}), 1);
}

TEST(WatchWeight, TheSettingIsOffOrAWeightInZeroToOne) {
  EXPECT_FALSE(*parse_watch_weighting("off", 0.5));
  EXPECT_FALSE(*parse_watch_weighting("", 0.5));
  auto rule = parse_watch_weighting("0.25", 0.75);
  ASSERT_TRUE(rule && *rule);
  EXPECT_EQ((*rule)->weight, 0.25);
  EXPECT_EQ((*rule)->min_share, 0.75);
  EXPECT_TRUE(*parse_watch_weighting("1", 0.5));
  for (const char* bad : {"0", "-0.5", "1.5", "nan", "quarter", "0.25x"}) {
    auto r = parse_watch_weighting(bad, 0.5);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "bad_option");
  }
  EXPECT_FALSE(parse_watch_weighting("0.25", 1.5));
}

TEST(ClipSeconds, AreReadFromTheStoredClips) {
  namespace sample = store::test_support;
  testing::TempDir dir;
  auto store = store::open_store((dir.path() / "paddock.db").string(), {});
  ASSERT_TRUE(store) << store.error().message;
  auto& s = **store;
  ASSERT_TRUE(s.upsert_track(sample::sample_track("t2v")));
  ASSERT_TRUE(s.upsert_model(sample::sample_model("m1")));
  ASSERT_TRUE(s.upsert_model(sample::sample_model("m2")));
  ASSERT_TRUE(s.upsert_prompt(sample::sample_prompt("t2v", "p1")));
  auto long_clip = sample::sample_clip("t2v", "p1", "m2");
  long_clip.duration_s = 8.5;
  ASSERT_TRUE(s.upsert_clip(sample::sample_clip("t2v", "p1", "m1")));
  ASSERT_TRUE(s.upsert_clip(long_clip));
  auto durations = ClipFeatureIndex::load(s);
  ASSERT_TRUE(durations) << durations.error().message;
  EXPECT_EQ(clip_seconds(*durations, "t2v", "p1", "m1"), 5.005);
  EXPECT_EQ(clip_seconds(*durations, "t2v", "p1", "m2"), 8.5);
  EXPECT_FALSE(clip_seconds(*durations, "t2v", "p1", "m3"));
  EXPECT_FALSE(clip_seconds(*durations, "t2v", "p2", "m1"));
  // A vote on them: decided in 5.1 s, m1's clip played 3 s, m2's 4 s (less than half of 8.5).
  store::Vote v = watched(3000, 4000, 5100);
  v.track_id = "t2v";
  v.prompt_id = "p1";
  v.left_model = "m1";
  v.right_model = "m2";
  EXPECT_EQ(watch_weight(v, *durations, {.weight = 0.25, .min_share = 0.5}), 0.25);
  v.right_watch_ms = 4250;
  EXPECT_EQ(watch_weight(v, *durations, {.weight = 0.25, .min_share = 0.5}), 1);
}

}  // namespace
}  // namespace paddock::arena
