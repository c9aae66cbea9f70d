#include "arena/model_change.hpp"

#include <gtest/gtest.h>

#include "store/open_store.hpp"
#include "support/temp_dir.hpp"

namespace paddock::arena {
namespace {

class ModelChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_store((dir_ / "paddock.db").string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    store::Model hh{.id = "hh1",
                    .display_name = "HappyHorse-1.0",
                    .organization = "Lab",
                    .status = store::ModelStatus::Anonymous,
                    .codename = "HappyHorse-1.0"};
    ASSERT_TRUE(store_->upsert_model(hh));
  }

  std::string catalog_version() {
    auto v = store_->get_setting(store::kCatalogVersionSetting);
    return v && *v ? **v : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ModelChangeTest, RevealMakesTheModelPublicAndBumpsTheCatalogVersion) {
  const std::string version = catalog_version();
  auto r = change_model(*store_, "hh1", {.status = store::ModelStatus::Public});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->upsert, store::Upsert::Updated);
  EXPECT_EQ(r->before.status, store::ModelStatus::Anonymous);
  EXPECT_EQ(r->after.status, store::ModelStatus::Public);
  auto stored = store_->find_model("hh1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->status, store::ModelStatus::Public);
  EXPECT_EQ((*stored)->display_name, "HappyHorse-1.0");
  EXPECT_NE(catalog_version(), version);
}

TEST_F(ModelChangeTest, RepeatingAChangeChangesNothing) {
  ASSERT_TRUE(change_model(*store_, "hh1", {.organization = "Another lab"}));
  const std::string version = catalog_version();
  auto again = change_model(*store_, "hh1", {.organization = "Another lab"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->upsert, store::Upsert::Unchanged);
  EXPECT_EQ(catalog_version(), version);
}

TEST_F(ModelChangeTest, UnknownModelIsNotFound) {
  auto r = change_model(*store_, "nobody", {.status = store::ModelStatus::Public});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_found");
  EXPECT_NE(r.error().message.find("nobody"), std::string::npos);
}

TEST_F(ModelChangeTest, InvalidResultIsRefusedAndNothingIsWritten) {
  auto r = change_model(*store_, "hh1", {.codename = ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid");
  auto stored = store_->find_model("hh1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->codename, "HappyHorse-1.0");
}

TEST_F(ModelChangeTest, AddRefusesAStoredModelAndStartsNewOnesPublic) {
  auto again = write_model(*store_, ModelWrite::Add, "hh1", {.display_name = "X"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "conflict");
  auto added = write_model(*store_, ModelWrite::Add, "veo-3", {.display_name = "Veo 3"});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->upsert, store::Upsert::Inserted);
  EXPECT_EQ(added->after.status, store::ModelStatus::Public);
  auto either = write_model(*store_, ModelWrite::AddOrChange, "veo-3", {.organization = "G"});
  ASSERT_TRUE(either);
  EXPECT_EQ(either->upsert, store::Upsert::Updated);
  EXPECT_EQ(either->after.display_name, "Veo 3");
}

TEST_F(ModelChangeTest, ABadIdIsNamedAsSuch) {
  for (ModelWrite how : {ModelWrite::Add, ModelWrite::Change, ModelWrite::AddOrChange}) {
    auto r = write_model(*store_, how, "../etc", {.display_name = "X"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "invalid");
    EXPECT_NE(r.error().message.find("\"../etc\" is not an id"), std::string::npos);
  }
}

}  // namespace
}  // namespace paddock::arena
