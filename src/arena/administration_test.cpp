// The operator's rules, stated once in Administration, on a real SQLite database.
#include "arena/administration.hpp"

#include <gtest/gtest.h>

#include "store/open_store.hpp"
#include "support/temp_dir.hpp"

namespace paddock::arena {
namespace {

class AdministrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_store((dir_ / "paddock.db").string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    std::vector<store::Vote> votes;
    for (int i = 0; i < 5; ++i) {
      store::Vote v;
      v.battle_id = "b" + std::to_string(i);
      v.track_id = i < 3 ? "t2v" : "i2v";
      v.prompt_id = "p1";
      v.left_model = "a";
      v.right_model = "b";
      v.session = i % 2 == 0 ? "s-even" : "s-odd";
      v.address = "10.0.0.1";
      votes.push_back(v);
    }
    ASSERT_TRUE(store_->insert_votes(votes));
  }

  Administration admin() {
    return Administration(*store_, {.catalog_changed =
                                        [this] {
                                          ++catalog_changes_;
                                          return ok();
                                        },
                                    .votes_voided = [this] { ++voids_; }});
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  int catalog_changes_ = 0;
  int voids_ = 0;
};

TEST_F(AdministrationTest, VoidingNeedsWhoseVotesAndWhy) {
  auto a = admin();
  for (const VoidRequest& refused :
       {VoidRequest{.reason = "everything"}, VoidRequest{.track = "t2v", .reason = "a whole track"},
        VoidRequest{.session = "s-even"}}) {
    auto r = a.void_votes(refused);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "invalid");
  }
  EXPECT_EQ(store_->counts()->voided_votes, 0);
  EXPECT_EQ(voids_, 0);
  auto r = a.void_votes({.session = "s-even", .track = "t2v", .reason = "spam"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 2);  // b0, b2 (b4 is on i2v)
  EXPECT_EQ(voids_, 1);
  EXPECT_EQ(*a.void_votes({.session = "s-even", .track = "t2v", .reason = "again"}), 0);
  EXPECT_EQ(voids_, 1);  // nothing changed: the boards need no rebuild
}

TEST_F(AdministrationTest, ListingsIncludeVoidedVotesAndStayWithinTheLimit) {
  auto a = admin();
  ASSERT_TRUE(a.void_votes({.session = "s-odd", .reason = "spam"}));
  auto all = a.votes({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_TRUE((*all)[1].voided);
  auto page = a.votes({.after = (*all)[1].id, .limit = 2});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, (*all)[2].id);
  for (int64_t limit : {int64_t{0}, int64_t{-1}, kMaxVoteListLimit + 1}) {
    auto r = a.votes({.limit = limit});
    ASSERT_FALSE(r) << limit;
    EXPECT_EQ(r.error().code, "invalid");
  }
  EXPECT_TRUE(a.votes({.limit = kMaxVoteListLimit}));
}

TEST_F(AdministrationTest, OnlyAModelThatChangedReloadsTheCatalog) {
  auto a = admin();
  ASSERT_TRUE(a.write_model(ModelWrite::Add, "veo-3", {.display_name = "Veo 3"}));
  EXPECT_EQ(catalog_changes_, 1);
  ASSERT_TRUE(a.write_model(ModelWrite::AddOrChange, "veo-3", {.display_name = "Veo 3"}));
  EXPECT_EQ(catalog_changes_, 1);
  EXPECT_FALSE(a.write_model(ModelWrite::Change, "nobody", {.display_name = "X"}));
  EXPECT_EQ(catalog_changes_, 1);
}

}  // namespace
}  // namespace paddock::arena
