// copy_store between every pair of backends: everything arrives, ids and voids included,
// and a target that is not empty is refused unless merging.

#include "store/store_copy.hpp"

#include <gtest/gtest.h>

#include "store/open_store.hpp"
#include "store/testing/backends.hpp"
#include "store/testing/must.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "store/testing/sample_arena.hpp"
#include "store/testing/sample_data.hpp"

namespace paddock::store {
namespace {

using test_support::must;
using test_support::sample_vote;
using test_support::TestBackend;

const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new test_support::PostgresEnvironment);

struct Direction {
  const TestBackend* from;
  const TestBackend* to;
};

class StoreCopy : public ::testing::TestWithParam<Direction> {
 protected:
  void SetUp() override {
    from_ = must(open_store(GetParam().from->fresh_location()));
    to_ = must(open_store(GetParam().to->fresh_location()));
  }
  std::unique_ptr<Store> from_, to_;
};

TEST_P(StoreCopy, CopiesEverythingKeepingIdsAndVoids) {
  test_support::fill_sample_arena(*from_);
  std::vector<std::string> steps;
  const auto report =
      must(copy_store(*from_, *to_, {.page_size = 10, .progress = [&](auto what, auto, auto) {
                                       if (steps.empty() || steps.back() != what) {
                                         steps.emplace_back(what);
                                       }
                                     }}));
  EXPECT_EQ(steps, (std::vector<std::string>{"settings", "tracks", "models", "prompts", "clips",
                                             "change log", "battles", "votes"}));
  EXPECT_EQ(report.votes_copied, 48);  // one of them on an attention check
  EXPECT_EQ(report.target.controls, 1);
  EXPECT_EQ(report.target.max_vote_id, report.source.max_vote_id);
  EXPECT_EQ(report.target.voided_votes, 9);
  test_support::expect_same_content(*from_, *to_);
  // the target goes on where the source left off
  EXPECT_GT(must(to_->insert_votes(std::vector{sample_vote("new")}))[0].id, 1000);
}

TEST_P(StoreCopy, CarriesTheChangeLogWithItsTimes) {
  test_support::fill_sample_arena(*from_);
  Model m = test_support::sample_model("late", ModelStatus::Anonymous);
  must(from_->upsert_model_with_event(m, {.model_id = "late",
                                          .kind = ModelEventKind::Added,
                                          .from_status = ModelStatus::Hidden,
                                          .to_status = ModelStatus::Anonymous,
                                          .shown_before = "",
                                          .shown_after = m.codename,
                                          .organization = "(undisclosed)",
                                          .at_ms = 1234}));
  must(copy_store(*from_, *to_));
  const auto copied = must(to_->list_model_events());
  ASSERT_EQ(copied.size(), 1u);
  EXPECT_EQ(copied[0].at_ms, 1234);
  EXPECT_EQ(copied[0].shown_after, m.codename);
  // Merging again adds no second entry.
  must(copy_store(*from_, *to_, {.merge = true}));
  EXPECT_EQ(must(to_->list_model_events()).size(), 1u);
}

TEST_P(StoreCopy, KeepsGenerationConfigsSeedPoliciesAndClipProvenance) {
  Track t = test_support::sample_track("t2v");
  t.seed = "fixed:9";
  t.watermark = true;
  must(from_->upsert_track(t));
  Model m = test_support::sample_model("hh");
  m.generation = R"({"model":{"text-to-video":"happyhorse-1.0-t2v"},"provider":"dashscope"})";
  must(from_->upsert_model(m));
  must(from_->upsert_prompt(test_support::sample_prompt("t2v", "p1")));
  must(from_->upsert_clip(test_support::sample_clip("t2v", "p1", "hh")));
  const ClipGeneration g{.track_id = "t2v",
                         .prompt_id = "p1",
                         .model_id = "hh",
                         .provider = "dashscope",
                         .provider_model = "happyhorse-1.0-t2v",
                         .task_id = "task-9",
                         .request = R"({"parameters":{"seed":9}})",
                         .seed = 9,
                         .cost = 0.7,
                         .currency = "USD",
                         .generation_ms = 65000,
                         .generated_at_ms = 42};
  must(from_->upsert_clip_generation(g));
  must(copy_store(*from_, *to_, {}));
  EXPECT_EQ(must(to_->find_track("t2v")), t);
  EXPECT_EQ(must(to_->find_model("hh")), m);
  EXPECT_EQ(must(to_->list_clip_generations("")), std::vector{g});
}

TEST_P(StoreCopy, RefusesATargetThatIsNotEmpty) {
  test_support::fill_sample_arena(*from_);
  must(to_->set_setting("signing_key", "the target's own"));
  auto refused = copy_store(*from_, *to_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "not_empty");
  EXPECT_NE(refused.error().message.find(to_->describe()), std::string::npos);
  EXPECT_NE(refused.error().message.find("--force-merge"), std::string::npos);
  EXPECT_EQ(must(to_->counts()).votes, 0);
  EXPECT_EQ(must(to_->get_setting("signing_key")), "the target's own");
}

TEST_P(StoreCopy, MergingKeepsWhatTheTargetHadAndAddsTheRest) {
  test_support::fill_sample_arena(*from_);
  must(to_->set_setting("signing_key", "the target's own"));
  must(to_->insert_votes(std::vector{sample_vote("battle-3"), sample_vote("target-only")}));
  const auto report = must(copy_store(*from_, *to_, {.merge = true, .page_size = 7}));
  EXPECT_EQ(report.votes_already_there, 1);  // battle-3
  EXPECT_EQ(report.votes_copied, 47);
  EXPECT_EQ(must(to_->counts()).votes, 49);
  EXPECT_EQ(must(to_->get_setting("signing_key")), "the target's own");
  EXPECT_EQ(must(to_->get_setting("arena_name")), "Video Arena");
  // votes whose ids were taken got new ones; none is lost or doubled
  const auto votes = must(to_->list_votes({.include_voided = true}));
  std::set<std::string> battles;
  for (const Vote& v : votes) EXPECT_TRUE(battles.insert(v.battle_id).second) << v.battle_id;
  EXPECT_EQ(battles.size(), 48u);
}

TEST_P(StoreCopy, AnInterruptedCopyCanBeResumedByMergingKeepingIds) {
  test_support::fill_sample_arena(*from_);
  const auto all = must(from_->list_votes({.include_voided = true}));
  // as if a copy with pages of 10 votes died after its second page of votes
  const std::vector<Vote> first_pages(all.begin(), all.begin() + 20);
  for (const auto& s : must(from_->list_settings())) {
    if (s.name != kCatalogVersionSetting && s.name != kVoidVersionSetting) {
      must(to_->set_setting(s.name, s.value));
    }
  }
  must(to_->import_votes(first_pages));
  const auto report = must(copy_store(*from_, *to_, {.merge = true, .page_size = 10}));
  EXPECT_EQ(report.votes_already_there, 20);
  EXPECT_EQ(must(to_->list_votes({.include_voided = true})), all);
  test_support::expect_same_content(*from_, *to_);
}

TEST(StoreCopyRules, ADatabaseIsNotCopiedOntoItself) {
  const std::string location = test_support::sqlite_test_backend().fresh_location();
  auto a = must(open_store(location));
  auto b = must(open_store(location));
  auto refused = copy_store(*a, *b, {.merge = true});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "invalid_argument");
}

std::string direction_name(const ::testing::TestParamInfo<Direction>& info) {
  return info.param.from->name + "_to_" + info.param.to->name;
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreCopy,
    ::testing::Values(
        Direction{&test_support::sqlite_test_backend(), &test_support::postgres_test_backend()},
        Direction{&test_support::postgres_test_backend(), &test_support::sqlite_test_backend()},
        Direction{&test_support::sqlite_test_backend(), &test_support::sqlite_test_backend()},
        Direction{&test_support::postgres_test_backend(), &test_support::postgres_test_backend()}),
    direction_name);

}  // namespace
}  // namespace paddock::store
