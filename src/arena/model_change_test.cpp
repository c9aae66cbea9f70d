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

}  // namespace
}  // namespace paddock::arena
