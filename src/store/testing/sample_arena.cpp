#include "store/testing/sample_arena.hpp"

#include <gtest/gtest.h>

#include "store/testing/must.hpp"
#include "store/testing/sample_data.hpp"

namespace paddock::store::test_support {

void fill_sample_arena(Store& s) {
  must(s.upsert_track(sample_track("t2v")));
  must(s.upsert_track(sample_track("i2v", Task::ImageToVideo)));
  must(s.upsert_model(sample_model("alpha")));
  must(s.upsert_model(sample_model("beta", ModelStatus::Anonymous)));
  must(s.upsert_model(sample_model("hidden", ModelStatus::Hidden)));
  Prompt with_source = sample_prompt("i2v", "p1", {"portrait", "text-in-video"});
  with_source.source_hash = "src";
  with_source.source_mime = "image/png";
  must(s.upsert_prompt(with_source));
  must(s.upsert_prompt(sample_prompt("t2v", "p1")));
  for (const char* m : {"alpha", "beta", "hidden"})
    must(s.upsert_clip(sample_clip("t2v", "p1", m)));
  Clip measured = sample_clip("i2v", "p1", "alpha");  // the others are not measured
  measured.motion = 0.03125;
  measured.luma = 0.4;
  measured.saturation = 0.2;
  must(s.upsert_clip(measured));

  std::vector<Battle> battles;
  for (int i = 0; i < 57; ++i) battles.push_back(sample_battle("battle-" + std::to_string(i)));
  must(s.insert_battles(battles));
  std::vector<Vote> votes;
  for (int i = 0; i < 45; ++i) {
    votes.push_back(sample_vote("battle-" + std::to_string(i), i % 3 ? "t2v" : "i2v",
                                "s" + std::to_string(i % 5)));
    votes.back().choice = static_cast<Choice>(i % 4);
  }
  must(s.insert_votes(votes));
  must(s.insert_votes(std::vector{sample_vote("battle-0")}));  // a duplicate
  Vote imported = sample_vote("from-an-old-arena");
  imported.id = 1000;  // a gap before it
  must(s.import_votes(std::vector{imported}));
  must(s.insert_votes(std::vector{sample_vote("after-the-gap")}));
  // An attention check, a battle and a vote on it (votes on controls travel with the rest).
  must(s.upsert_control(Control{.track_id = "t2v",
                                .id = "frozen",
                                .prompt_id = "p1",
                                .intact_model = "alpha",
                                .broken_hash = std::string(64, 'b'),
                                .broken_mime = "video/mp4",
                                .broken_bytes = 1234,
                                .note = "frozen after 1 s",
                                .created_at_ms = 1'700'000'000'000}));
  Battle check = sample_battle("control-battle");
  check.right_model = "";
  check.control = "frozen";
  must(s.insert_battles(std::vector{check}));
  Vote on_check = sample_vote("control-battle");
  on_check.right_model = "";
  on_check.control = "frozen";
  on_check.expected = Choice::Left;
  on_check.choice = Choice::Right;
  must(s.insert_votes(std::vector{on_check}));
  must(s.void_votes({.session = "s2"}, "bot"));
  must(s.set_setting("signing_key", "0123456789abcdef"));
  must(s.set_setting("arena_name", "Video Arena"));
}

void expect_same_content(Store& a, Store& b) {
  std::vector<Track> ta, tb;
  for (const auto& t : must(a.list_tracks())) ta.push_back(t.track);
  for (const auto& t : must(b.list_tracks())) tb.push_back(t.track);
  EXPECT_EQ(ta, tb);
  EXPECT_EQ(must(a.list_tracks()), must(b.list_tracks()));
  EXPECT_EQ(must(a.list_models()), must(b.list_models()));
  EXPECT_EQ(must(a.list_prompts("")), must(b.list_prompts("")));
  EXPECT_EQ(must(a.list_clips("")), must(b.list_clips("")));
  EXPECT_EQ(must(a.list_battles("", 0)), must(b.list_battles("", 0)));
  EXPECT_EQ(must(a.list_controls("")), must(b.list_controls("")));
  EXPECT_EQ(must(a.list_votes({.include_voided = true, .controls = ControlVotes::Included})),
            must(b.list_votes({.include_voided = true, .controls = ControlVotes::Included})));
  auto settings = [](Store& s) {
    std::vector<Setting> out;
    for (auto& x : must(s.list_settings())) {
      if (x.name != kCatalogVersionSetting && x.name != kVoidVersionSetting) out.push_back(x);
    }
    return out;
  };
  EXPECT_EQ(settings(a), settings(b));
}

}  // namespace paddock::store::test_support
