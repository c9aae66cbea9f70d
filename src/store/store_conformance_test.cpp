// The behaviour every Store implementation promises (store.hpp), written once and run
// against each backend: each test gets a fresh, empty database from its backend.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <set>
#include <thread>

#include "store/migrations.hpp"
#include "store/open_store.hpp"
#include "store/testing/backends.hpp"
#include "store/testing/must.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "store/testing/sample_data.hpp"

namespace paddock::store {
namespace {

using test_support::must;
using test_support::sample_battle;
using test_support::sample_clip;
using test_support::sample_model;
using test_support::sample_prompt;
using test_support::sample_track;
using test_support::sample_vote;
using test_support::TestBackend;

std::string fmt_id(int a, int b, int c) {
  return "battle-" + std::to_string(a) + "-" + std::to_string(b) + "-" + std::to_string(c);
}

class StoreConformance : public ::testing::TestWithParam<const TestBackend*> {
 protected:
  void SetUp() override {
    location_ = backend().fresh_location();
    store_ = must(open_store(location_));
  }

  const TestBackend& backend() const { return *GetParam(); }
  Store& store() { return *store_; }

  void reopen(const StoreOptions& options = {}) {
    store_.reset();
    store_ = must(open_store(location_, options));
  }
  std::unique_ptr<Store> another() { return must(open_store(location_)); }

  std::optional<std::string> setting(std::string_view name) {
    return must(store().get_setting(name));
  }

  // Two tracks, four models (one hidden), prompts and clips.
  void seed_catalog() {
    must(store().upsert_track(sample_track("t2v")));
    must(store().upsert_track(sample_track("i2v", Task::ImageToVideo)));
    must(store().upsert_model(sample_model("alpha")));
    must(store().upsert_model(sample_model("beta", ModelStatus::Anonymous)));
    must(store().upsert_model(sample_model("gamma", ModelStatus::Retired)));
    must(store().upsert_model(sample_model("secret", ModelStatus::Hidden)));
    for (const char* p : {"p1", "p2"}) {
      must(store().upsert_prompt(sample_prompt("t2v", p)));
      for (const char* m : {"alpha", "beta", "gamma", "secret"}) {
        must(store().upsert_clip(sample_clip("t2v", p, m)));
      }
    }
    must(store().upsert_prompt(sample_prompt("i2v", "p1", {"portrait"})));
    must(store().upsert_clip(sample_clip("i2v", "p1", "alpha")));
  }

  std::vector<VoteInsertResult> insert(std::vector<Vote> votes) {
    return must(store().insert_votes(votes));
  }

  std::vector<int64_t> vote_ids(const VoteQuery& q) {
    std::vector<int64_t> ids;
    for (const Vote& v : must(store().list_votes(q))) ids.push_back(v.id);
    return ids;
  }

  std::string location_;
  std::unique_ptr<Store> store_;
};

// ---- opening ---------------------------------------------------------------------------

TEST_P(StoreConformance, NewDatabaseIsEmptyAtTheLatestSchemaVersion) {
  EXPECT_EQ(store().schema_version(), latest_schema_version());
  EXPECT_EQ(must(store().counts()), Counts{});
  EXPECT_TRUE(must(store().list_tracks()).empty());
  EXPECT_TRUE(must(store().list_settings()).empty());
  EXPECT_TRUE(store().ping().has_value());
}

TEST_P(StoreConformance, DescribeOpensTheSameDatabaseAndShowsNoPassword) {
  must(store().set_setting("marker", "here"));
  const std::string description = store().describe();
  EXPECT_EQ(description.find("secret-password"), std::string::npos);
  auto again = must(open_store(description));
  EXPECT_EQ(must(again->get_setting("marker")), "here");
}

// ---- catalog ---------------------------------------------------------------------------

TEST_P(StoreConformance, TrackUpsertReportsInsertedUnchangedUpdated) {
  Track t = sample_track("t2v");
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Inserted);
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Unchanged);
  t.duration_s = 10.5;
  t.audio = true;
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Updated);
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Unchanged);
  t.fps = 30000.0 / 1001;  // the frame rate alone is a change, and round-trips exactly
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Updated);
  EXPECT_EQ(must(store().upsert_track(t)), Upsert::Unchanged);
  EXPECT_EQ(must(store().find_track("t2v")), t);
  EXPECT_EQ(must(store().find_track("nope")), std::nullopt);
}

TEST_P(StoreConformance, EveryTaskAndStatusRoundTrips) {
  for (Task task : {Task::TextToVideo, Task::ImageToVideo, Task::VideoEdit}) {
    Track t = sample_track(std::string(to_string(task)), task);
    must(store().upsert_track(t));
    EXPECT_EQ(must(store().find_track(t.id)), t);
  }
  for (ModelStatus status :
       {ModelStatus::Hidden, ModelStatus::Anonymous, ModelStatus::Public, ModelStatus::Retired}) {
    Model m = sample_model(std::string(to_string(status)), status);
    must(store().upsert_model(m));
    EXPECT_EQ(must(store().find_model(m.id)), m);
  }
}

TEST_P(StoreConformance, ModelUpsertDetectsEachChangedField) {
  Model m = sample_model("hh1", ModelStatus::Anonymous);
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Inserted);
  m.status = ModelStatus::Public;
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Updated);
  m.codename = "";
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Updated);
  m.display_name = "HappyHorse-1.0";
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Updated);
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Unchanged);
  EXPECT_EQ(must(store().find_model("hh1")), m);
}

TEST_P(StoreConformance, AModelChangeWithAnEventLogsItOnlyWhenTheRowChanges) {
  Model m = sample_model("hh1", ModelStatus::Anonymous);
  ModelEvent added{.model_id = "hh1",
                   .kind = ModelEventKind::Added,
                   .from_status = ModelStatus::Hidden,
                   .to_status = ModelStatus::Anonymous,
                   .shown_before = "",
                   .shown_after = m.codename,
                   .organization = "(undisclosed)",
                   .at_ms = 1000};
  EXPECT_EQ(must(store().upsert_model_with_event(m, added)), Upsert::Inserted);
  EXPECT_EQ(must(store().upsert_model_with_event(m, added)), Upsert::Unchanged);  // not logged
  m.status = ModelStatus::Public;
  ModelEvent revealed = added;
  revealed.kind = ModelEventKind::Revealed;
  revealed.from_status = ModelStatus::Anonymous;
  revealed.to_status = ModelStatus::Public;
  revealed.shown_before = m.codename;
  revealed.shown_after = m.display_name;
  revealed.at_ms = 0;  // the store's time
  EXPECT_EQ(must(store().upsert_model_with_event(m, revealed)), Upsert::Updated);
  EXPECT_EQ(must(store().find_model("hh1")), m);
  const auto events = must(store().list_model_events());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_GT(events[1].id, events[0].id);
  added.id = events[0].id;
  EXPECT_EQ(events[0], added);
  EXPECT_EQ(events[1].kind, ModelEventKind::Revealed);
  EXPECT_EQ(events[1].shown_before, m.codename);
  EXPECT_GT(events[1].at_ms, 1'600'000'000'000);
  EXPECT_EQ(must(store().counts()).model_events, 2);
  // A mismatched event is refused and nothing is written.
  ModelEvent other = added;
  other.model_id = "someone-else";
  m.display_name = "changed";
  EXPECT_FALSE(store().upsert_model_with_event(m, other));
  EXPECT_NE(must(store().find_model("hh1"))->display_name, "changed");
  // Importing skips what the log has and keeps times.
  ModelEvent retired = added;
  retired.kind = ModelEventKind::Retired;
  retired.at_ms = 5000;
  EXPECT_EQ(must(store().import_model_events(std::vector{added, retired})), 1);
  ASSERT_EQ(must(store().list_model_events()).size(), 3u);
  EXPECT_EQ(must(store().list_model_events())[2].at_ms, 5000);
}

TEST_P(StoreConformance, VoidsAreCountedPerReason) {
  insert({sample_vote("b1", "t2v", "s1", "10.0.0.1"), sample_vote("b2", "t2v", "s1", "10.0.0.2"),
          sample_vote("b3", "t2v", "s2", "10.0.0.1"), sample_vote("b4", "t2v", "s3", "10.0.0.3")});
  EXPECT_TRUE(must(store().count_voids()).empty());
  must(store().void_votes({.address = "10.0.0.1"}, "proxy"));
  must(store().void_votes({.session = "s1"}, "ballot stuffing"));
  // Most first: b1 and b3 by address, then b2 by session.
  EXPECT_EQ(must(store().count_voids()),
            (std::vector<VoidCount>{{"proxy", 2}, {"ballot stuffing", 1}}));
}

TEST_P(StoreConformance, CatalogVersionIncreasesOnlyWhenTheCatalogChanges) {
  EXPECT_EQ(setting(kCatalogVersionSetting), std::nullopt);
  seed_catalog();
  const auto seeded = setting(kCatalogVersionSetting);
  ASSERT_TRUE(seeded.has_value());
  EXPECT_EQ(*seeded, "18");  // 2 tracks + 4 models + 3 prompts + 9 clips

  const Counts before = must(store().counts());
  seed_catalog();  // identical data again
  EXPECT_EQ(setting(kCatalogVersionSetting), seeded);
  EXPECT_EQ(must(store().counts()), before);

  Prompt p = sample_prompt("t2v", "p1");
  p.text = "A different prompt";
  EXPECT_EQ(must(store().upsert_prompt(p)), Upsert::Updated);
  EXPECT_EQ(setting(kCatalogVersionSetting), "19");
  Clip c = sample_clip("t2v", "p1", "alpha");
  c.bytes += 1;
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Updated);
  EXPECT_EQ(setting(kCatalogVersionSetting), "20");
  must(store().upsert_model(sample_model("delta")));
  EXPECT_EQ(setting(kCatalogVersionSetting), "21");
}

TEST_P(StoreConformance, PromptCategoriesRoundTripInOrder) {
  must(store().upsert_track(sample_track("t2v")));
  Prompt p = sample_prompt("t2v", "p1",
                           {"multi-shot", "animals", "text \"in\" video", "back\\slash",
                            "ünïcödé 動物", "tab\there", "animals"});
  p.source_hash = "abc123";
  p.source_mime = "image/png";
  EXPECT_EQ(must(store().upsert_prompt(p)), Upsert::Inserted);
  EXPECT_EQ(must(store().upsert_prompt(p)), Upsert::Unchanged);
  auto listed = must(store().list_prompts("t2v"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], p);

  std::reverse(p.categories.begin(), p.categories.end());
  EXPECT_EQ(must(store().upsert_prompt(p)), Upsert::Updated);
  EXPECT_EQ(must(store().list_prompts("t2v"))[0].categories, p.categories);
  p.categories.clear();
  EXPECT_EQ(must(store().upsert_prompt(p)), Upsert::Updated);
  EXPECT_EQ(must(store().list_prompts("t2v"))[0].categories, p.categories);
}

TEST_P(StoreConformance, PromptAndClipNeedTheRowsTheyReferTo) {
  auto orphan = store().upsert_prompt(sample_prompt("nope", "p1"));
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code, "not_found");
  EXPECT_NE(orphan.error().message.find("track nope"), std::string::npos);

  must(store().upsert_track(sample_track("t2v")));
  must(store().upsert_prompt(sample_prompt("t2v", "p1")));
  auto no_model = store().upsert_clip(sample_clip("t2v", "p1", "ghost"));
  ASSERT_FALSE(no_model.has_value());
  EXPECT_EQ(no_model.error().code, "not_found");
  EXPECT_NE(no_model.error().message.find("model ghost"), std::string::npos);

  must(store().upsert_model(sample_model("alpha")));
  auto no_prompt = store().upsert_clip(sample_clip("t2v", "p9", "alpha"));
  ASSERT_FALSE(no_prompt.has_value());
  EXPECT_EQ(no_prompt.error().code, "not_found");
  EXPECT_EQ(must(store().counts()).clips, 0);
}

TEST_P(StoreConformance, ClipFactsRoundTripExactly) {
  seed_catalog();
  Clip c = sample_clip("t2v", "p1", "alpha");
  c.duration_s = 0.1 + 0.2;  // not representable in short decimal: must still round-trip
  c.fps = 24000.0 / 1001.0;
  c.has_audio = true;
  c.audio_codec = "aac";
  c.bytes = int64_t{1} << 40;
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Updated);
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Unchanged);
  auto clips = must(store().list_clips("t2v"));
  auto found = std::find_if(clips.begin(), clips.end(), [](const Clip& x) {
    return x.prompt_id == "p1" && x.model_id == "alpha";
  });
  ASSERT_NE(found, clips.end());
  EXPECT_EQ(*found, c);
}

TEST_P(StoreConformance, ClipPresentationRoundTripsAndMayBeAbsent) {
  seed_catalog();
  Clip c = sample_clip("t2v", "p1", "alpha");
  c.motion = 0.1 + 0.2;
  c.luma = 1.0 / 3.0;
  c.saturation = 0;
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Updated);
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Unchanged);
  auto find = [&] {
    for (const Clip& x : must(store().list_clips("t2v"))) {
      if (x.prompt_id == "p1" && x.model_id == "alpha") return x;
    }
    ADD_FAILURE() << "clip t2v/p1/alpha not listed";
    return Clip{};
  };
  EXPECT_EQ(find(), c);
  c.motion.reset();  // not measured
  EXPECT_EQ(must(store().upsert_clip(c)), Upsert::Updated);
  EXPECT_EQ(find(), c);

  for (double bad : {-0.01, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    Clip wrong = c;
    wrong.luma = bad;
    auto refused = store().upsert_clip(wrong);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, "invalid_argument");
    EXPECT_NE(refused.error().message.find("luma"), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(find(), c);
}

TEST_P(StoreConformance, SetClipPresentationMeasuresOnlyTheFileStillStored) {
  seed_catalog();
  const Clip stored = sample_clip("t2v", "p1", "alpha");  // no measurements
  const auto version = setting(kCatalogVersionSetting);
  Clip measured = stored;
  measured.motion = 0.02;
  measured.luma = 0.5;
  measured.saturation = 0.25;
  Clip other_file = measured;
  other_file.hash = "replaced-meanwhile";
  EXPECT_FALSE(must(store().set_clip_presentation(other_file)));
  EXPECT_EQ(setting(kCatalogVersionSetting), version);

  EXPECT_TRUE(must(store().set_clip_presentation(measured)));
  EXPECT_NE(setting(kCatalogVersionSetting), version);          // servers see the new measurements
  EXPECT_FALSE(must(store().set_clip_presentation(measured)));  // nothing to change
  const auto clips = must(store().list_clips("t2v"));
  const auto found = std::find_if(clips.begin(), clips.end(), [](const Clip& x) {
    return x.prompt_id == "p1" && x.model_id == "alpha";
  });
  ASSERT_NE(found, clips.end());
  EXPECT_EQ(*found, measured);

  Clip bad = measured;
  bad.motion = 2;
  auto refused = store().set_clip_presentation(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "invalid_argument");
}

TEST_P(StoreConformance, ListingsAreInByteOrderOfIds) {
  for (const char* id : {"b", "a", "B", "\xc3\xa9t\xc3\xa9", "a-1", "a_1"}) {
    must(store().upsert_model(sample_model(id)));
  }
  std::vector<std::string> ids;
  for (const Model& m : must(store().list_models())) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B", "a", "a-1", "a_1", "b", "\xc3\xa9t\xc3\xa9"}));
}

TEST_P(StoreConformance, TrackSummariesCountVisibleModelsPromptsAndClips) {
  seed_catalog();
  auto tracks = must(store().list_tracks());
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[0].track, sample_track("i2v", Task::ImageToVideo));
  EXPECT_EQ(tracks[0].models, 1);
  EXPECT_EQ(tracks[0].prompts, 1);
  EXPECT_EQ(tracks[0].clips, 1);
  EXPECT_EQ(tracks[1].track.id, "t2v");
  EXPECT_EQ(tracks[1].models, 3);  // alpha, beta, gamma; not the hidden one
  EXPECT_EQ(tracks[1].prompts, 2);
  EXPECT_EQ(tracks[1].clips, 6);
}

TEST_P(StoreConformance, ListsPromptsAndClipsOfOneTrackOrAll) {
  seed_catalog();
  EXPECT_EQ(must(store().list_prompts("t2v")).size(), 2u);
  EXPECT_EQ(must(store().list_prompts("i2v")).size(), 1u);
  auto all = must(store().list_prompts(""));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].track_id, "i2v");
  EXPECT_EQ(must(store().list_clips("t2v")).size(), 8u);
  EXPECT_EQ(must(store().list_clips("")).size(), 9u);
  EXPECT_TRUE(must(store().list_clips("nope")).empty());
}

TEST_P(StoreConformance, HasMediaKnowsClipAndSourceHashes) {
  seed_catalog();
  Prompt p = sample_prompt("i2v", "p2");
  p.source_hash = "source-hash";
  p.source_mime = "image/png";
  must(store().upsert_prompt(p));
  EXPECT_TRUE(must(store().has_media("h-t2v-p1-alpha")));
  EXPECT_TRUE(must(store().has_media("source-hash")));
  EXPECT_FALSE(must(store().has_media("unknown")));
  EXPECT_FALSE(must(store().has_media("")));
}

TEST_P(StoreConformance, RefusesInputItCannotStoreFaithfully) {
  Track t = sample_track("");
  auto empty = store().upsert_track(t);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, "invalid_argument");
  EXPECT_NE(empty.error().message.find("id is empty"), std::string::npos);

  t = sample_track("t2v");
  t.name = "bad \xff\xfe utf-8";
  auto bad_text = store().upsert_track(t);
  ASSERT_FALSE(bad_text.has_value());
  EXPECT_EQ(bad_text.error().code, "invalid_argument");
  EXPECT_NE(bad_text.error().message.find("name"), std::string::npos);

  t = sample_track("t2v");
  t.name = std::string("nul\0inside", 10);
  EXPECT_EQ(store().upsert_track(t).error().code, "invalid_argument");

  t = sample_track("t2v");
  t.duration_s = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(store().upsert_track(t).error().code, "invalid_argument");

  Vote v = sample_vote("b1");
  v.categories = {"ok", "\xc0\xaf"};  // an overlong encoding of '/'
  auto bad_vote = store().insert_votes(std::vector{sample_vote("b0"), v});
  ASSERT_FALSE(bad_vote.has_value());
  EXPECT_EQ(bad_vote.error().code, "invalid_argument");
  EXPECT_EQ(must(store().counts()), Counts{});  // nothing of the batch, nothing else
}

// ---- battles ---------------------------------------------------------------------------

TEST_P(StoreConformance, BattlesAreStoredOnceAndListedByTime) {
  std::vector<Battle> battles = {sample_battle("b3", "t2v", 3000), sample_battle("b1", "t2v", 1000),
                                 sample_battle("b2", "i2v", 2000),
                                 sample_battle("b0", "t2v", 1000)};
  must(store().insert_battles(battles));
  Battle again = sample_battle("b1", "t2v", 9999);
  again.session = "someone-else";
  must(store().insert_battles(std::vector{again}));  // already present: left as it is
  must(store().insert_battles({}));

  auto t2v = must(store().list_battles("t2v", 0));
  ASSERT_EQ(t2v.size(), 3u);
  EXPECT_EQ(t2v[0], battles[3]);  // time 1000, id b0
  EXPECT_EQ(t2v[1], battles[1]);  // time 1000, id b1, as first stored
  EXPECT_EQ(t2v[2], battles[0]);
  EXPECT_EQ(must(store().list_battles("", 0)).size(), 4u);
  EXPECT_EQ(must(store().list_battles("", 2)).size(), 2u);
  EXPECT_EQ(must(store().counts()).battles, 4);
}

TEST_P(StoreConformance, BattlesCanBePagedThroughById) {
  std::vector<Battle> battles;
  for (int i = 0; i < 25; ++i) battles.push_back(sample_battle("battle-" + std::to_string(i)));
  must(store().insert_battles(battles));
  std::vector<std::string> seen;
  std::string after;
  while (true) {
    auto page = must(store().list_battles_after(after, 7));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 7u);
    for (const Battle& b : page) seen.push_back(b.id);
    after = page.back().id;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
}

TEST_P(StoreConformance, UnvotedBattlesIssuedBeforeACutoffAreDeletedInPages) {
  std::vector<Battle> battles = {
      sample_battle("old-voted", "t2v", 1000), sample_battle("old-1", "t2v", 1000),
      sample_battle("old-2", "t2v", 2000), sample_battle("old-3", "t2v", 3000),
      sample_battle("new", "t2v", 9000)};
  must(store().insert_battles(battles));
  must(store().insert_votes(std::vector{sample_vote("old-voted")}));
  EXPECT_EQ(must(store().delete_unvoted_battles(5000, 2)), 2);  // a page of 2, oldest first
  EXPECT_EQ(must(store().delete_unvoted_battles(5000, 2)), 1);
  EXPECT_EQ(must(store().delete_unvoted_battles(5000, 2)), 0);
  std::set<std::string> kept;
  for (const auto& b : must(store().list_battles("", 0))) kept.insert(b.id);
  EXPECT_EQ(kept, (std::set<std::string>{"old-voted", "new"}));
}

// ---- votes -----------------------------------------------------------------------------

TEST_P(StoreConformance, VotesGetIncreasingIdsAndRoundTrip) {
  Vote v1 = sample_vote("b1");
  Vote v2 = sample_vote("b2");
  v2.choice = Choice::BothBad;
  v2.categories = {};
  v2.left_watch_ms = 0;
  Vote v3 = sample_vote("b3");
  v3.choice = Choice::Tie;
  v3.categories = {"z", "a", "m"};
  Vote v4 = sample_vote("b4");
  v4.choice = Choice::Right;
  auto results = insert({v1, v2, v3, v4});
  ASSERT_EQ(results.size(), 4u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].outcome, VoteInsert::Stored);
    if (i > 0) {
      EXPECT_GT(results[i].id, results[i - 1].id);
    }
  }
  auto listed = must(store().list_votes({}));
  ASSERT_EQ(listed.size(), 4u);
  for (size_t i = 0; i < listed.size(); ++i) {
    Vote expected = std::vector{v1, v2, v3, v4}[i];
    expected.id = results[i].id;
    EXPECT_EQ(listed[i], expected);
  }
  auto later = insert({sample_vote("b5")});
  EXPECT_GT(later[0].id, results.back().id);
  EXPECT_TRUE(must(store().insert_votes({})).empty());
}

TEST_P(StoreConformance, DuplicateVoteInOneBatchKeepsTheFirst) {
  Vote first = sample_vote("b1");
  Vote second = sample_vote("b1");
  second.choice = Choice::Right;
  auto results = insert({first, sample_vote("b2"), second});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, VoteInsert::Stored);
  EXPECT_EQ(results[1].outcome, VoteInsert::Stored);
  EXPECT_EQ(results[2].outcome, VoteInsert::Duplicate);
  EXPECT_EQ(results[2].id, results[0].id);
  auto listed = must(store().list_votes({}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].choice, Choice::Left);
}

TEST_P(StoreConformance, DuplicateVoteAcrossBatchesKeepsTheFirst) {
  auto first = insert({sample_vote("b1")});
  Vote retry = sample_vote("b1");
  retry.choice = Choice::Tie;
  retry.session = "another-session";
  auto second = insert({retry, sample_vote("b2")});
  EXPECT_EQ(second[0].outcome, VoteInsert::Duplicate);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_EQ(second[1].outcome, VoteInsert::Stored);
  auto listed = must(store().list_votes({}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].choice, Choice::Left);
  EXPECT_EQ(listed[0].session, "session-1");
  EXPECT_EQ(must(store().counts()).votes, 2);
}

TEST_P(StoreConformance, LargeBatchesWithScatteredDuplicatesKeepInputOrder) {
  auto earlier = insert({sample_vote("old-1"), sample_vote("old-2")});
  std::vector<Vote> batch;
  std::vector<int> first_of;  // for each input, the index of the first input on its battle
  for (int i = 0; i < 333; ++i) {
    if (i % 10 == 9) {  // a second vote on a battle earlier in this batch
      batch.push_back(sample_vote("new-" + std::to_string(i - 5)));
      first_of.push_back(first_of[static_cast<size_t>(i - 5)]);
    } else {
      batch.push_back(sample_vote("new-" + std::to_string(i)));
      first_of.push_back(i);
    }
  }
  batch.push_back(sample_vote("old-2"));
  batch.push_back(sample_vote("new-last"));
  auto results = insert(batch);
  ASSERT_EQ(results.size(), batch.size());
  int64_t previous = earlier.back().id;
  for (size_t i = 0; i < 333; ++i) {
    const auto first = static_cast<size_t>(first_of[i]);
    if (first == i) {
      EXPECT_EQ(results[i].outcome, VoteInsert::Stored) << i;
      EXPECT_GT(results[i].id, previous) << i;  // in input order
      previous = results[i].id;
    } else {
      EXPECT_EQ(results[i].outcome, VoteInsert::Duplicate) << i;
      EXPECT_EQ(results[i].id, results[first].id) << i;
    }
  }
  EXPECT_EQ(results[333].outcome, VoteInsert::Duplicate);
  EXPECT_EQ(results[333].id, earlier[1].id);
  EXPECT_EQ(results[334].outcome, VoteInsert::Stored);
  EXPECT_GT(results[334].id, previous);
  EXPECT_EQ(must(store().counts()).votes, 2 + 300 + 1);
}

TEST_P(StoreConformance, ListVotesFilters) {
  insert({sample_vote("b1", "t2v", "s1", "10.0.0.1"), sample_vote("b2", "i2v", "s1", "10.0.0.2"),
          sample_vote("b3", "t2v", "s2", "10.0.0.1"), sample_vote("b4", "t2v", "s3", "10.0.0.3"),
          sample_vote("b5", "i2v", "s2", "10.0.0.2")});
  const auto all = vote_ids({});
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(vote_ids({.track_id = "t2v"}), (std::vector{all[0], all[2], all[3]}));
  EXPECT_EQ(vote_ids({.session = "s2"}), (std::vector{all[2], all[4]}));
  EXPECT_EQ(vote_ids({.address = "10.0.0.2"}), (std::vector{all[1], all[4]}));
  EXPECT_EQ(vote_ids({.track_id = "i2v", .session = "s2"}), (std::vector{all[4]}));
  EXPECT_EQ(vote_ids({.after_id = all[1]}), (std::vector{all[2], all[3], all[4]}));
  EXPECT_EQ(vote_ids({.up_to_id = all[1]}), (std::vector{all[0], all[1]}));
  EXPECT_EQ(vote_ids({.after_id = all[0], .up_to_id = all[3]}),
            (std::vector{all[1], all[2], all[3]}));
  EXPECT_EQ(vote_ids({.limit = 2}), (std::vector{all[0], all[1]}));
  EXPECT_EQ(vote_ids({.after_id = all[2], .limit = 1}), (std::vector{all[3]}));
  EXPECT_TRUE(vote_ids({.track_id = "nope"}).empty());
  EXPECT_TRUE(vote_ids({.up_to_id = 0}).empty());
}

TEST_P(StoreConformance, VoidingBySessionOrAddressHidesVotesButKeepsThem) {
  insert({sample_vote("b1", "t2v", "s1", "10.0.0.1"), sample_vote("b2", "t2v", "s1", "10.0.0.2"),
          sample_vote("b3", "t2v", "s2", "10.0.0.1"), sample_vote("b4", "t2v", "s3", "10.0.0.3")});
  EXPECT_EQ(setting(kVoidVersionSetting), std::nullopt);
  EXPECT_EQ(must(store().void_votes({.session = "s1"}, "ballot stuffing")), 2);
  EXPECT_EQ(setting(kVoidVersionSetting), "1");
  EXPECT_EQ(must(store().void_votes({.address = "10.0.0.1"}, "same address")), 1);  // b3
  EXPECT_EQ(setting(kVoidVersionSetting), "2");
  EXPECT_EQ(must(store().void_votes({.session = "s1"}, "again")), 0);  // already voided
  EXPECT_EQ(must(store().void_votes({.session = "nobody"}, "x")), 0);
  EXPECT_EQ(setting(kVoidVersionSetting), "2");

  auto visible = must(store().list_votes({}));
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0].battle_id, "b4");
  auto everything = must(store().list_votes({.include_voided = true}));
  ASSERT_EQ(everything.size(), 4u);
  EXPECT_TRUE(everything[0].voided);
  EXPECT_EQ(everything[0].void_reason, "ballot stuffing");
  EXPECT_EQ(everything[2].void_reason, "same address");  // the first reason stays
  const Counts n = must(store().counts());
  EXPECT_EQ(n.votes, 4);
  EXPECT_EQ(n.voided_votes, 3);
}

TEST_P(StoreConformance, VoidingRefusesAQueryThatWouldVoidEverything) {
  insert({sample_vote("b1")});
  auto everything = store().void_votes({}, "oops");
  ASSERT_FALSE(everything.has_value());
  EXPECT_EQ(everything.error().code, "invalid_argument");
  auto limited = store().void_votes({.session = "session-1", .limit = 5}, "x");
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code, "invalid_argument");
  EXPECT_EQ(must(store().counts()).voided_votes, 0);
}

TEST_P(StoreConformance, ImportKeepsIdsAndVoidsAndLaterIdsAreLarger) {
  Vote a = sample_vote("b1");
  a.id = 10;
  Vote b = sample_vote("b2");
  b.id = 500;
  b.voided = true;
  b.void_reason = "bot";
  auto results = must(store().import_votes(std::vector{a, b}));
  EXPECT_EQ(results[0].id, 10);
  EXPECT_EQ(results[1].id, 500);
  auto listed = must(store().list_votes({.include_voided = true}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0], a);
  EXPECT_EQ(listed[1], b);
  EXPECT_GT(insert({sample_vote("b3")})[0].id, 500);

  // the same vote again is a duplicate; another vote with a used id fails the whole batch
  EXPECT_EQ(must(store().import_votes(std::vector{a}))[0].outcome, VoteInsert::Duplicate);
  Vote clash = sample_vote("b9");
  clash.id = 10;
  Vote fine = sample_vote("b8");
  fine.id = 900;
  auto failed = store().import_votes(std::vector{fine, clash});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, "conflict");
  EXPECT_NE(failed.error().message.find("already used"), std::string::npos);
  EXPECT_EQ(must(store().counts()).votes, 3);
}

// ---- settings --------------------------------------------------------------------------

TEST_P(StoreConformance, SettingsAreSetReadAndListed) {
  EXPECT_EQ(setting("signing_key"), std::nullopt);
  must(store().set_setting("b", "2"));
  must(store().set_setting("a", "1"));
  must(store().set_setting("b", "two"));
  EXPECT_EQ(setting("b"), "two");
  EXPECT_EQ(must(store().set_setting_once("key", "first")), "first");
  EXPECT_EQ(must(store().set_setting_once("key", "second")), "first");
  EXPECT_EQ(must(store().list_settings()),
            (std::vector<Setting>{{"a", "1"}, {"b", "two"}, {"key", "first"}}));
  EXPECT_EQ(store().set_setting("", "x").error().code, "invalid_argument");
}

TEST_P(StoreConformance, RacingSetSettingOnceAllAgreeOnOneValue) {
  constexpr int kRacers = 6;
  std::vector<std::unique_ptr<Store>> servers;
  for (int i = 0; i < kRacers; ++i) servers.push_back(another());
  std::vector<std::string> agreed(kRacers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kRacers) std::this_thread::yield();
      auto r = servers[i]->set_setting_once("signing_key", "key-from-" + std::to_string(i));
      agreed[i] = r ? *r : "error: " + r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRacers; ++i) EXPECT_EQ(agreed[i], agreed[0]);
  EXPECT_TRUE(agreed[0].starts_with("key-from-"));
  EXPECT_EQ(setting("signing_key"), agreed[0]);
}

// ---- schema ----------------------------------------------------------------------------

TEST_P(StoreConformance, OlderSchemaIsUpgradedOnOpen) {
  store_.reset();
  const std::string old_location = backend().fresh_location();
  {
    auto old = must(open_store(old_location, {.migrate_to = 1}));
    EXPECT_EQ(old->schema_version(), 1);
    must(old->set_setting("signing_key", "k"));
    EXPECT_FALSE(old->insert_votes(std::vector{sample_vote("b1")}).has_value());  // no table yet
  }
  // The row as a paddock of schema 1 wrote it (this one writes the columns of the latest).
  backend().query_text(old_location,
                       "INSERT INTO tracks (id, name, task, audio, duration_s, aspect, width, "
                       "height) VALUES ('t2v', 'Track t2v', 'text-to-video', 0, 5, '16:9', "
                       "1280, 720)");
  EXPECT_EQ(backend().query_text(old_location, "SELECT MAX(version) FROM schema_migrations"), "1");
  auto upgraded = must(open_store(old_location));
  EXPECT_EQ(upgraded->schema_version(), latest_schema_version());
  EXPECT_EQ(backend().query_text(old_location, "SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(migrations().size()));
  Track before_fps = sample_track("t2v");
  before_fps.fps = 0;  // migration 5: no frame rate chosen yet
  EXPECT_EQ(must(upgraded->find_track("t2v")), before_fps);
  EXPECT_EQ(must(upgraded->get_setting("signing_key")), "k");
  EXPECT_EQ(must(upgraded->insert_votes(std::vector{sample_vote("b1")}))[0].outcome,
            VoteInsert::Stored);
}

TEST_P(StoreConformance, SchemaThreeIsUpgradedWithGenerationDefaults) {
  store_.reset();
  const std::string old_location = backend().fresh_location();
  {
    auto old = must(open_store(old_location, {.migrate_to = 3}));
    EXPECT_EQ(old->schema_version(), 3);
  }
  // Rows as a paddock of schema 3 wrote them.
  for (const char* sql :
       {"INSERT INTO tracks (id, name, task, audio, duration_s, aspect, width, height) VALUES "
        "('t2v', 'Track t2v', 'text-to-video', 0, 5, '16:9', 1280, 720)",
        "INSERT INTO models (id, display_name, organization, status, codename) VALUES "
        "('alpha', 'Model alpha', 'Org alpha', 'public', '')",
        "INSERT INTO prompts (track_id, id, prompt_text, language, categories, source_hash, "
        "source_mime) VALUES ('t2v', 'p1', 'A horse', 'en', '', '', '')",
        "INSERT INTO clips (track_id, prompt_id, model_id, hash, mime, duration_s, width, height, "
        "fps, video_codec, audio_codec, has_audio, bytes) VALUES ('t2v', 'p1', 'alpha', 'h1', "
        "'video/mp4', 5, 1280, 720, 24, 'h264', '', 0, 100)"}) {
    backend().query_text(old_location, sql);
  }
  auto upgraded = must(open_store(old_location));
  const Track track = must(upgraded->find_track("t2v")).value();
  EXPECT_EQ(track.seed, "per-prompt");
  EXPECT_FALSE(track.watermark);
  EXPECT_EQ(must(upgraded->find_model("alpha")).value().generation, "");
  const auto upgraded_clips = must(upgraded->list_clips("t2v"));
  ASSERT_EQ(upgraded_clips.size(), 1u);
  // Migration 6: clips stored before it have no presentation measurements.
  EXPECT_EQ(upgraded_clips[0].motion, std::nullopt);
  EXPECT_EQ(upgraded_clips[0].luma, std::nullopt);
  EXPECT_EQ(upgraded_clips[0].saturation, std::nullopt);
  EXPECT_TRUE(must(upgraded->list_jobs("")).empty());
  EXPECT_TRUE(must(upgraded->list_clip_generations("")).empty());
}

TEST_P(StoreConformance, NewerSchemaIsRefusedNamingBothVersions) {
  must(store().upsert_track(sample_track("t2v")));
  store_.reset();
  const int future = latest_schema_version() + 7;
  backend().query_text(location_,
                       "INSERT INTO schema_migrations (version, description, applied_at_ms) "
                       "VALUES (" +
                           std::to_string(future) + ", 'from the future', 0)");
  auto refused = open_store(location_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "schema_too_new");
  EXPECT_NE(refused.error().message.find(std::to_string(future)), std::string::npos);
  EXPECT_NE(refused.error().message.find(std::to_string(latest_schema_version())),
            std::string::npos);
  // and it was left alone
  EXPECT_EQ(backend().query_text(location_, "SELECT COUNT(*) FROM tracks"), "1");
}

TEST_P(StoreConformance, ReopeningKeepsEverything) {
  seed_catalog();
  must(store().insert_battles(std::vector{sample_battle("b1"), sample_battle("b2")}));
  insert({sample_vote("b1"), sample_vote("b2", "t2v", "s2")});
  must(store().void_votes({.session = "s2"}, "test"));
  must(store().set_setting("signing_key", "secret"));

  const auto tracks = must(store().list_tracks());
  const auto models = must(store().list_models());
  const auto prompts = must(store().list_prompts(""));
  const auto clips = must(store().list_clips(""));
  const auto battles = must(store().list_battles("", 0));
  const auto votes = must(store().list_votes({.include_voided = true}));
  const auto settings = must(store().list_settings());
  const auto counts = must(store().counts());

  reopen();
  EXPECT_EQ(must(store().list_tracks()), tracks);
  EXPECT_EQ(must(store().list_models()), models);
  EXPECT_EQ(must(store().list_prompts("")), prompts);
  EXPECT_EQ(must(store().list_clips("")), clips);
  EXPECT_EQ(must(store().list_battles("", 0)), battles);
  EXPECT_EQ(must(store().list_votes({.include_voided = true})), votes);
  EXPECT_EQ(must(store().list_settings()), settings);
  EXPECT_EQ(must(store().counts()), counts);
  EXPECT_GT(insert({sample_vote("b3")})[0].id, votes.back().id);
}

// ---- concurrency -----------------------------------------------------------------------

TEST_P(StoreConformance, ConcurrentWritersThroughOneStoreLoseNothing) {
  constexpr int kThreads = 6, kBatches = 15, kBatchSize = 6;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::vector<std::vector<int64_t>> acknowledged(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Vote> batch;
        for (int i = 0; i < kBatchSize; ++i) {
          batch.push_back(sample_vote(fmt_id(t, b, i), "t2v", "s" + std::to_string(t)));
        }
        batch.push_back(sample_vote(fmt_id(t, b, 0)));  // a duplicate in every batch
        auto r = store().insert_votes(batch);
        if (!r) {
          failures.fetch_add(1);
          continue;
        }
        for (int i = 0; i < kBatchSize; ++i) acknowledged[t].push_back((*r)[i].id);
        if ((*r)[kBatchSize].outcome != VoteInsert::Duplicate) failures.fetch_add(1);
        (void)store().list_votes({.session = "s" + std::to_string(t), .limit = 3});
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<int64_t> all;
  for (const auto& ids : acknowledged) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));  // each writer's ids increase
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kBatches * kBatchSize});
  const auto stored = vote_ids({});
  EXPECT_EQ(std::set<int64_t>(stored.begin(), stored.end()), all);
}

TEST_P(StoreConformance, ReadersFollowingAfterIdNeverMissAVoteWrittenBySeveralServers) {
  constexpr int kServers = 4, kBatches = 12, kBatchSize = 5;
  std::vector<std::unique_ptr<Store>> servers;
  for (int i = 0; i < kServers; ++i) servers.push_back(another());
  auto reader = another();

  std::atomic<int> writing{kServers};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kServers; ++s) {
    threads.emplace_back([&, s] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Vote> batch;
        for (int i = 0; i < kBatchSize; ++i) batch.push_back(sample_vote(fmt_id(s, b, i)));
        if (!servers[s]->insert_votes(batch)) failures.fetch_add(1);
      }
      writing.fetch_sub(1);
    });
  }
  // Incremental reading as a leaderboard would: only votes above the last id seen.
  std::vector<int64_t> followed;
  int64_t last = 0;
  auto follow = [&] {
    auto page = reader->list_votes({.after_id = last});
    if (!page) {
      failures.fetch_add(1);
      return;
    }
    for (const Vote& v : *page) {
      followed.push_back(v.id);
      last = v.id;
    }
  };
  while (writing.load() > 0) follow();
  for (auto& t : threads) t.join();
  follow();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(std::is_sorted(followed.begin(), followed.end()));
  EXPECT_EQ(followed, vote_ids({}));  // nothing skipped, nothing twice
  EXPECT_EQ(followed.size(), size_t{kServers * kBatches * kBatchSize});
}

// ---- generation jobs -------------------------------------------------------------------

GenerationJob sample_job(std::string prompt, std::string model) {
  GenerationJob j;
  j.track_id = "t2v";
  j.prompt_id = std::move(prompt);
  j.model_id = std::move(model);
  j.provider = "dashscope";
  j.provider_model = "happyhorse-1.0-t2v";
  j.request = R"({"parameters":{"duration":5}})";
  j.seed = 42;
  j.client_reference = "ref-" + j.prompt_id + "-" + j.model_id;
  j.estimated_cost = 0.7;
  j.currency = "USD";
  return j;
}

TEST_P(StoreConformance, TrackSeedPolicyAndModelGenerationRoundTrip) {
  Track t = sample_track("t2v");
  t.seed = "fixed:7";
  t.watermark = true;
  must(store().upsert_track(t));
  Model m = sample_model("alpha");
  m.generation = R"({"provider":"dashscope","model":{"text-to-video":"wan2.6-t2v"}})";
  must(store().upsert_model(m));
  EXPECT_EQ(must(store().find_track("t2v")), t);
  EXPECT_EQ(must(store().find_model("alpha")), m);
  m.generation.clear();
  EXPECT_EQ(must(store().upsert_model(m)), Upsert::Updated);
  EXPECT_EQ(must(store().find_model("alpha")).value().generation, "");
}

TEST_P(StoreConformance, PlanningAddsMissingJobsOnceAndRefreshesOnlyPlannedOnes) {
  seed_catalog();
  EXPECT_EQ(
      must(store().plan_jobs(std::vector{sample_job("p1", "alpha"), sample_job("p2", "alpha")})),
      2);
  auto jobs = must(store().list_jobs("t2v"));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].state, JobState::Planned);
  EXPECT_EQ(jobs[0].seed, 42);
  EXPECT_EQ(jobs[0].estimated_cost, 0.7);
  EXPECT_EQ(jobs[0].cost, std::nullopt);
  EXPECT_LT(jobs[0].id, jobs[1].id);

  // p1 moves on; planning again changes p2 (still planned) but not p1
  auto claimed = must(
      store().claim_job({.track_id = "t2v", .owner = "me", .now_ms = 10, .lease_until_ms = 1000}));
  ASSERT_TRUE(claimed);
  claimed->state = JobState::Submitted;
  claimed->task_id = "task-1";
  must(store().update_job(*claimed, "me"));
  auto changed = sample_job("p1", "alpha");
  changed.provider_model = "wan2.6-t2v";
  auto changed2 = sample_job("p2", "alpha");
  changed2.provider_model = "wan2.6-t2v";
  changed2.seed = std::nullopt;
  EXPECT_EQ(must(store().plan_jobs(std::vector{changed, changed2})), 0);
  jobs = must(store().list_jobs("t2v"));
  EXPECT_EQ(jobs[0].provider_model, "happyhorse-1.0-t2v");
  EXPECT_EQ(jobs[0].task_id, "task-1");
  EXPECT_EQ(jobs[1].provider_model, "wan2.6-t2v");
  EXPECT_EQ(jobs[1].seed, std::nullopt);

  auto missing = store().plan_jobs(std::vector{sample_job("nope", "alpha")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "not_found");
}

TEST_P(StoreConformance, AClaimIsExclusiveUntilTheLeaseEndsOrTheOwnerIsDead) {
  seed_catalog();
  must(store().plan_jobs(std::vector{sample_job("p1", "alpha")}));
  auto first = must(
      store().claim_job({.track_id = "t2v", .owner = "a", .now_ms = 100, .lease_until_ms = 200}));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->owner, "a");
  EXPECT_EQ(first->lease_until_ms, 200);
  // held: nobody else gets it before the lease ends
  EXPECT_FALSE(must(
      store().claim_job({.track_id = "t2v", .owner = "b", .now_ms = 150, .lease_until_ms = 300})));
  // ...unless its owner is known to be dead
  auto taken = must(store().claim_job({.track_id = "t2v",
                                       .owner = "b",
                                       .now_ms = 150,
                                       .lease_until_ms = 300,
                                       .dead_owners = {"a"}}));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->owner, "b");
  // the old owner's writes are refused now
  first->state = JobState::Submitting;
  auto lost = store().update_job(*first, "a");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, "conflict");
  // an expired lease frees it too
  auto later = must(
      store().claim_job({.track_id = "t2v", .owner = "c", .now_ms = 301, .lease_until_ms = 400}));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->owner, "c");
  EXPECT_EQ(must(store().list_job_owners()), std::vector<std::string>{"c"});
}

TEST_P(StoreConformance, ClaimsSkipJobsNotDueFinishedOrOfOtherModels) {
  seed_catalog();
  must(store().plan_jobs(
      std::vector{sample_job("p1", "alpha"), sample_job("p1", "beta"), sample_job("p2", "alpha")}));
  auto jobs = must(store().list_jobs("t2v"));
  // p1/alpha: stored; p1/beta: due later
  auto a =
      must(store().claim_job({.track_id = "t2v", .owner = "x", .now_ms = 1, .lease_until_ms = 50}));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, jobs[0].id);
  a->state = JobState::Stored;
  a->owner = "";
  must(store().update_job(*a, "x"));
  auto b =
      must(store().claim_job({.track_id = "t2v", .owner = "x", .now_ms = 1, .lease_until_ms = 50}));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, jobs[1].id);
  b->next_attempt_at_ms = 500;
  b->attempts = 1;
  b->owner = "";
  must(store().update_job(*b, "x"));
  auto c = must(store().claim_job({.track_id = "t2v",
                                   .model_ids = {"beta"},
                                   .owner = "y",
                                   .now_ms = 100,
                                   .lease_until_ms = 150}));
  EXPECT_FALSE(c);  // beta's only job is not due yet
  c = must(store().claim_job({.track_id = "t2v",
                              .model_ids = {"beta"},
                              .owner = "y",
                              .now_ms = 600,
                              .lease_until_ms = 700}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, jobs[1].id);
  EXPECT_EQ(c->attempts, 1);
  EXPECT_FALSE(must(
      store().claim_job({.track_id = "i2v", .owner = "y", .now_ms = 600, .lease_until_ms = 700})));
}

TEST_P(StoreConformance, ConcurrentClaimantsNeverShareAJob) {
  seed_catalog();
  std::vector<GenerationJob> planned;
  for (const char* p : {"p1", "p2"}) {
    for (const char* m : {"alpha", "beta", "gamma", "secret"}) planned.push_back(sample_job(p, m));
  }
  must(store().plan_jobs(planned));
  constexpr int kClaimants = 4;
  std::vector<std::vector<int64_t>> got(kClaimants);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaimants; ++i) {
    threads.emplace_back([&, i] {
      auto mine = another();
      for (;;) {
        auto job = mine->claim_job({.track_id = "t2v",
                                    .owner = "owner-" + std::to_string(i),
                                    .now_ms = 1,
                                    .lease_until_ms = 1'000'000});
        if (!job || !*job) break;
        got[i].push_back((*job)->id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, planned.size());
  EXPECT_EQ(all.size(), planned.size());
}

TEST_P(StoreConformance, FinishingAJobStoresProvenanceWithIt) {
  seed_catalog();
  must(store().plan_jobs(std::vector{sample_job("p1", "alpha")}));
  auto job = must(
      store().claim_job({.track_id = "t2v", .owner = "me", .now_ms = 1, .lease_until_ms = 100}));
  ASSERT_TRUE(job);
  job->state = JobState::Stored;
  job->cost = 0.7;
  job->usage = R"({"duration":5})";
  job->clip_hash = "h-t2v-p1-alpha";
  job->owner = "";
  ClipGeneration g{.track_id = "t2v",
                   .prompt_id = "p1",
                   .model_id = "alpha",
                   .provider = "dashscope",
                   .provider_model = "happyhorse-1.0-t2v",
                   .task_id = "task-1",
                   .request = R"({"duration":5})",
                   .seed = 42,
                   .cost = 0.7,
                   .currency = "USD",
                   .generation_ms = 61000,
                   .generated_at_ms = 123};
  must(store().finish_job(*job, "me", g));
  EXPECT_EQ(must(store().list_clip_generations("t2v")), std::vector{g});
  EXPECT_EQ(must(store().list_clip_generations("")), std::vector{g});
  const auto stored = must(store().list_jobs("t2v")).at(0);
  EXPECT_EQ(stored.state, JobState::Stored);
  EXPECT_EQ(stored.cost, 0.7);
  EXPECT_EQ(stored.owner, "");
  EXPECT_EQ(must(store().count_jobs("t2v")), (std::vector<JobStateCount>{{JobState::Stored, 1}}));

  // provenance needs its clip; the job is left as it was when it is refused
  ClipGeneration orphan = g;
  orphan.prompt_id = "p2";
  orphan.model_id = "nobody";
  auto refused = store().upsert_clip_generation(orphan);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "not_found");
}

TEST_P(StoreConformance, RequeueingPutsJobsBackToPlanned) {
  seed_catalog();
  must(store().plan_jobs(std::vector{sample_job("p1", "alpha"), sample_job("p2", "alpha")}));
  for (int i = 0; i < 2; ++i) {
    auto job = must(
        store().claim_job({.track_id = "t2v", .owner = "me", .now_ms = 1, .lease_until_ms = 100}));
    ASSERT_TRUE(job);
    job->state = i == 0 ? JobState::InDoubt : JobState::Failed;
    job->error_code = "boom";
    job->owner = "";
    must(store().update_job(*job, "me"));
  }
  EXPECT_EQ(must(store().requeue_jobs("t2v", JobState::InDoubt)), 1);
  auto jobs = must(store().list_jobs("t2v"));
  EXPECT_EQ(jobs[0].state, JobState::Planned);
  EXPECT_EQ(jobs[0].error_code, "");
  EXPECT_EQ(jobs[1].state, JobState::Failed);
  EXPECT_EQ(must(store().count_jobs("")),
            (std::vector<JobStateCount>{{JobState::Failed, 1}, {JobState::Planned, 1}}));
}

std::string backend_name(const ::testing::TestParamInfo<const TestBackend*>& param) {
  return param.param->name;
}

// ---- attention checks ------------------------------------------------------------------

Control sample_control(std::string id = "frozen") {
  return Control{.track_id = "t2v",
                 .id = std::move(id),
                 .prompt_id = "p1",
                 .intact_model = "alpha",
                 .broken_hash = std::string(64, 'b'),
                 .broken_mime = "video/mp4",
                 .broken_bytes = 4321,
                 .note = "frozen after 1 s",
                 .created_at_ms = 1'700'000'000'000};
}

// A vote on a control battle: the broken side has no model.
Vote control_vote(std::string battle, std::string session, Choice choice) {
  Vote v = sample_vote(std::move(battle), "t2v", std::move(session));
  v.right_model = "";
  v.control = "frozen";
  v.expected = Choice::Left;
  v.choice = choice;
  return v;
}

TEST_P(StoreConformance, ControlsRoundTripAndChangeTheCatalogVersion) {
  seed_catalog();
  const auto before = setting(kCatalogVersionSetting);
  EXPECT_EQ(must(store().upsert_control(sample_control())), Upsert::Inserted);
  EXPECT_EQ(must(store().upsert_control(sample_control())), Upsert::Unchanged);
  const auto after_insert = setting(kCatalogVersionSetting);
  EXPECT_NE(before, after_insert);
  Control changed = sample_control();
  changed.note = "noise";
  EXPECT_EQ(must(store().upsert_control(changed)), Upsert::Updated);
  must(store().upsert_control(sample_control("another")));
  EXPECT_EQ(must(store().list_controls("t2v")),
            (std::vector<Control>{sample_control("another"), changed}));
  EXPECT_TRUE(must(store().list_controls("i2v")).empty());
  EXPECT_EQ(must(store().list_controls("")).size(), 2u);
  EXPECT_TRUE(must(store().has_media(std::string(64, 'b'))));
  EXPECT_EQ(must(store().counts()).controls, 2);
  EXPECT_TRUE(must(store().delete_control("t2v", "another")));
  EXPECT_FALSE(must(store().delete_control("t2v", "another")));
  EXPECT_EQ(must(store().list_controls("")).size(), 1u);
}

TEST_P(StoreConformance, AControlNeedsItsPromptAndModel) {
  seed_catalog();
  Control no_prompt = sample_control();
  no_prompt.prompt_id = "p9";
  EXPECT_EQ(store().upsert_control(no_prompt).error().code, "not_found");
  Control no_model = sample_control();
  no_model.intact_model = "nobody";
  EXPECT_EQ(store().upsert_control(no_model).error().code, "not_found");
  Control no_hash = sample_control();
  no_hash.broken_hash = "";
  EXPECT_EQ(store().upsert_control(no_hash).error().code, "invalid_argument");
  EXPECT_TRUE(must(store().list_controls("")).empty());
}

TEST_P(StoreConformance, VotesOnControlsAreKeptMarkedAndLeftOutUnlessAskedFor) {
  seed_catalog();
  must(store().upsert_control(sample_control()));
  Battle check = sample_battle("check-1");
  check.right_model = "";
  check.control = "frozen";
  must(store().insert_battles(std::vector{check}));
  EXPECT_EQ(must(store().list_battles("t2v", 0)), std::vector{check});

  insert({sample_vote("b1"), control_vote("check-1", "s1", Choice::Right), sample_vote("b2")});
  const auto all = must(store().list_votes({.controls = ControlVotes::Included}));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].control, "frozen");
  EXPECT_EQ(all[1].expected, Choice::Left);
  EXPECT_EQ(all[1].choice, Choice::Right);
  EXPECT_EQ(all[1].right_model, "");
  EXPECT_TRUE(all[0].control.empty());
  EXPECT_FALSE(all[0].expected.has_value());
  // The default (what boards, exports and the voter scoring read) leaves them out.
  EXPECT_EQ(vote_ids({}), (std::vector<int64_t>{all[0].id, all[2].id}));
  EXPECT_EQ(vote_ids({.track_id = "t2v", .controls = ControlVotes::Only}),
            std::vector<int64_t>{all[1].id});
  // A void names its votes; a void that includes controls voids them too.
  EXPECT_EQ(must(store().void_votes({.session = "s1", .controls = ControlVotes::Included}, "bot")),
            1);
  EXPECT_TRUE(vote_ids({.controls = ControlVotes::Only}).empty());
  EXPECT_EQ(vote_ids({.include_voided = true, .controls = ControlVotes::Only}),
            std::vector<int64_t>{all[1].id});
}

TEST_P(StoreConformance, AControlVoteMustCarryASideAsItsExpectedAnswer) {
  Vote no_answer = control_vote("c1", "s1", Choice::Left);
  no_answer.expected.reset();
  EXPECT_EQ(store().insert_votes(std::vector{no_answer}).error().code, "invalid_argument");
  Vote answer_without_control = sample_vote("c2");
  answer_without_control.expected = Choice::Left;
  EXPECT_EQ(store().insert_votes(std::vector{answer_without_control}).error().code,
            "invalid_argument");
  Vote tie_expected = control_vote("c3", "s1", Choice::Left);
  tie_expected.expected = Choice::Tie;
  EXPECT_EQ(store().insert_votes(std::vector{tie_expected}).error().code, "invalid_argument");
  EXPECT_EQ(must(store().counts()).votes, 0);
}

TEST_P(StoreConformance, SchemaFiveIsUpgradedWithNoControls) {
  store_.reset();
  const std::string old_location = backend().fresh_location();
  {
    auto old = must(open_store(old_location, {.migrate_to = 5}));
    EXPECT_EQ(old->schema_version(), 5);
  }
  // A vote as a paddock of schema 5 wrote it.
  backend().query_text(
      old_location,
      "INSERT INTO votes (battle_id, track_id, prompt_id, left_model, right_model, categories, "
      "choice, left_watch_ms, right_watch_ms, decision_ms, session_id, address, created_at_ms, "
      "voided, void_reason) VALUES ('b1', 't2v', 'p1', 'alpha', 'beta', '[]', 'left', 1, 1, 1, "
      "'s', 'a', 1, 0, '')");
  auto upgraded = must(open_store(old_location));
  const auto votes = must(upgraded->list_votes({}));
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_TRUE(votes[0].control.empty());
  EXPECT_FALSE(votes[0].expected.has_value());
  EXPECT_TRUE(must(upgraded->list_controls("")).empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(&test_support::sqlite_test_backend()), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformance,
                         ::testing::Values(&test_support::postgres_test_backend()), backend_name);

// The PostgreSQL cluster starts when the first Postgres test needs it, and stops at the end.
const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new test_support::PostgresEnvironment);

}  // namespace
}  // namespace paddock::store
