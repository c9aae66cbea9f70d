// /media: byte ranges, validators, content types, and no way to name a path.

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "api.hpp"
#include "paddock_server.hpp"
#include "support/media_files.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Media : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PaddockServer>(arena_.server_options());
    client_ = std::make_unique<HttpClient>(server_->client());
    battle_ = new_battle(*client_);
    whole_ = client_->get(battle_.left_url);
    ASSERT_EQ(whole_.status, 200) << whole_.body;
    size_ = static_cast<int64_t>(whole_.body.size());
  }

  // True if some file in the media folder has exactly these bytes.
  bool is_a_stored_file(const std::string& bytes) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(arena_.media())) {
      if (e.is_regular_file() && read_file(e.path()) == bytes) return true;
    }
    return false;
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
  std::unique_ptr<HttpClient> client_;
  IssuedBattle battle_;
  HttpResponse whole_;
  int64_t size_ = 0;
};

TEST_F(Media, ServesTheWholeClipWithItsTypeAndValidators) {
  EXPECT_EQ(whole_.header("Content-Type"), "video/mp4");
  EXPECT_EQ(whole_.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(whole_.header("Content-Length"), std::to_string(size_));
  ASSERT_TRUE(whole_.header("ETag"));
  EXPECT_TRUE(is_a_stored_file(whole_.body));
  EXPECT_GT(size_, 1000);
}

TEST_F(Media, AnswersARangeWith206) {
  auto r = client_->get(battle_.left_url, {{"Range", "bytes=100-199"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("Content-Range"), "bytes 100-199/" + std::to_string(size_));
  EXPECT_EQ(r.header("Content-Length"), "100");
  EXPECT_EQ(r.body, whole_.body.substr(100, 100));
}

TEST_F(Media, AnswersSuffixAndOpenEndedRanges) {
  auto suffix = client_->get(battle_.left_url, {{"Range", "bytes=-500"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, whole_.body.substr(static_cast<std::size_t>(size_ - 500)));
  EXPECT_EQ(suffix.header("Content-Range"), "bytes " + std::to_string(size_ - 500) + "-" +
                                                std::to_string(size_ - 1) + "/" +
                                                std::to_string(size_));
  auto open = client_->get(battle_.left_url, {{"Range", "bytes=1000-"}});
  EXPECT_EQ(open.status, 206);
  EXPECT_EQ(open.body, whole_.body.substr(1000));
  auto clamped = client_->get(battle_.left_url, {{"Range", "bytes=10-99999999"}});
  EXPECT_EQ(clamped.status, 206);
  EXPECT_EQ(clamped.body, whole_.body.substr(10));
}

TEST_F(Media, RefusesARangePastTheEndWith416) {
  auto r = client_->get(battle_.left_url, {{"Range", "bytes=" + std::to_string(size_) + "-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.header("Content-Range"), "bytes */" + std::to_string(size_));
  auto zero = client_->get(battle_.left_url, {{"Range", "bytes=-0"}});
  EXPECT_EQ(zero.status, 416);
}

TEST_F(Media, IgnoresRangesItDoesNotServe) {
  for (const char* range : {"bytes=0-1,5-9", "items=0-5", "bytes=abc", "bytes=9-1"}) {
    auto r = client_->get(battle_.left_url, {{"Range", range}});
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.body.size(), whole_.body.size()) << range;
  }
}

TEST_F(Media, RevalidatesWithTheETag) {
  auto etag = *whole_.header("ETag");
  auto r = client_->get(battle_.left_url, {{"If-None-Match", etag}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("ETag"), etag);
  EXPECT_EQ(client_->get(battle_.left_url, {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(client_->get(battle_.left_url, {{"If-None-Match", "\"x\", " + etag}}).status, 304);
  // If-Range with a stale validator sends the whole file.
  auto stale = client_->get(battle_.left_url, {{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}});
  EXPECT_EQ(stale.status, 200);
  auto fresh = client_->get(battle_.left_url, {{"Range", "bytes=0-9"}, {"If-Range", etag}});
  EXPECT_EQ(fresh.status, 206);
}

TEST_F(Media, GivesTheSameClipAnotherETagInEveryBattle) {
  // A clip's ETag once followed the clip: after one battle revealed it, If-None-Match on a
  // later battle's URL answered 304 exactly when that battle showed the same clip.
  const std::string first_etag = *whole_.header("ETag");
  std::optional<std::string> again_url;
  for (int i = 0; i < 200 && !again_url; ++i) {
    auto b = new_battle(*client_);
    for (const auto& url : {b.left_url, b.right_url}) {
      if (client_->get(url).body == whole_.body) again_url = url;
    }
  }
  ASSERT_TRUE(again_url) << "the clip never came back in 200 battles";
  auto again = client_->get(*again_url);
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.header("ETag"), first_etag);
  EXPECT_EQ(again.header("ETag")->size(), first_etag.size());
  EXPECT_EQ(client_->get(*again_url, {{"If-None-Match", first_etag}}).status, 200);
  EXPECT_EQ(client_->get(*again_url, {{"Range", "bytes=0-9"}, {"If-Range", first_etag}}).status,
            200);
  EXPECT_EQ(client_->request("HEAD", *again_url).header("ETag"), again.header("ETag"));
}

TEST_F(Media, HeadGivesTheHeadersOnly) {
  auto r = client_->request("HEAD", battle_.left_url);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), std::to_string(size_));
  EXPECT_TRUE(r.body.empty());
}

TEST_F(Media, GivesEveryBattleItsOwnClipUrls) {
  std::set<std::string> urls;
  for (int i = 0; i < 30; ++i) {
    auto b = new_battle(*client_);
    EXPECT_TRUE(urls.insert(b.left_url).second);
    EXPECT_TRUE(urls.insert(b.right_url).second);
  }
}

TEST_F(Media, ServesPromptSourcesByHash) {
  auto b = new_battle(*client_, "i2v");
  auto url = b.body.at("prompt").at("source_image_url").get<std::string>();
  EXPECT_TRUE(url.starts_with("/media/s/"));
  auto r = client_->get(url);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "image/png");
  EXPECT_EQ(r.body.substr(1, 3), "PNG");
}

TEST_F(Media, NoRequestReachesAFileByPath) {
  // A clip's content hash is not a source: /media/s/ serves prompt sources only.
  std::string clip_hash;
  for (const auto& e : std::filesystem::recursive_directory_iterator(arena_.media())) {
    if (e.path().extension() == ".mp4") clip_hash = e.path().stem().string();
  }
  ASSERT_EQ(clip_hash.size(), 64u);
  std::string altered = battle_.left_url;
  altered[altered.size() / 2 + 5] = altered[altered.size() / 2 + 5] == 'A' ? 'B' : 'A';
  const std::vector<std::string> attempts{
      "/media/c/../../../../etc/passwd",
      "/media/c/..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/media/c/%2e%2e/%2e%2e/paddock.db",
      "/media/c/%2Fetc%2Fpasswd",
      "/media/c//etc/passwd",
      "/media/c/",
      "/media/c/" + std::string(600, 'A'),
      "/media/c/not-a-token",
      altered,
      "/media/s/../paddock.db",
      "/media/s/%2e%2e%2fpaddock.db",
      "/media/s/" + clip_hash,
      "/media/s/" + std::string(64, 'a'),
      "/media/s/" + clip_hash.substr(0, 2) + "/" + clip_hash,
      "/media/s/%252e%252e%252fpaddock.db",
      "/media/" + arena_.db().string(),
      "/../paddock.db",
      "/%2e%2e/paddock.db",
      "/assets/..%2f..%2fpaddock.db",
      "/assets/%2e%2e/%2e%2e/etc/passwd",
      "/..%5c..%5cetc%5cpasswd",
      "/%00/etc/passwd",
      "/.git/config",
      "//etc/passwd",
      arena_.db().string(),
  };
  for (const auto& target : attempts) {
    auto r = client_->get(target);
    EXPECT_TRUE(r.status == 404 || r.status == 400 ||
                (r.status == 200 && r.body.find("<main id=\"app\">") != std::string::npos))
        << target << " answered " << r.status;
    EXPECT_EQ(r.body.find("SQLite format 3"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
    if (target.starts_with("/media/")) {
      EXPECT_EQ(r.status, 404) << target;
    }
  }
}

}  // namespace
}  // namespace paddock::testing
