// paddock demo run again: a complete demo is reused as it is, an interrupted build is
// completed, an older demo is rebuilt.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "demo_fixture.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::demo_test {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Every regular file under dir, relative, sorted.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  }
  return out;
}

// The random part of every battle id (the first 12 digits are the issue time, which
// depends on when the demo was built).
std::set<std::string> battle_ids(store::Store& db) {
  auto battles = db.list_battles("", 0);
  EXPECT_TRUE(battles);
  std::set<std::string> ids;
  for (const auto& b : *battles) ids.insert(b.id.substr(12));
  return ids;
}

TEST(DemoReuse, SecondRunReusesTheDemoWithoutChangingIt) {
  TempDir tmp;
  const fs::path dir = tmp / "demo";
  copy_demo(dir);
  const auto marker = testing::read_file(dir / "demo.json");
  const auto media = files_under(dir / "media");
  auto before = open_demo_db(dir)->counts();
  ASSERT_TRUE(before);
  auto r = paddock({"demo", "--prepare-only", "--dir", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("reusing the demo"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("render"), std::string::npos) << "nothing is rendered again:\n" << r.err;
  EXPECT_EQ(files_under(dir / "media"), media);
  EXPECT_EQ(testing::read_file(dir / "demo.json"), marker) << "not built again";
  auto after = open_demo_db(dir)->counts();
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before);
}

TEST(DemoReuse, InterruptedBuildIsCompletedByTheNextRun) {
  TempDir tmp;
  const fs::path dir = tmp / "demo";
  // Killed (SIGKILL) a few seconds in, while clips are being made one at a time.
  auto killed = paddock({"demo", "--prepare-only", "--jobs", "1", "--dir", dir.string()},
                        std::chrono::seconds(4));
  ASSERT_TRUE(killed.timed_out) << "the first run finished before it could be interrupted";
  ASSERT_TRUE(fs::exists(dir / "render"));
  {
    auto partial = open_demo_db(dir)->counts();
    auto reference = open_demo_db(shared_demo())->counts();
    ASSERT_TRUE(partial && reference);
    ASSERT_LT(partial->clips, reference->clips)
        << "the build was not interrupted while making clips";
  }

  auto r = paddock({"demo", "--prepare-only", "--dir", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("finished the interrupted build"), std::string::npos) << r.err;

  auto db = open_demo_db(dir);
  auto reference = open_demo_db(shared_demo());
  auto counts = db->counts();
  auto expected = reference->counts();
  ASSERT_TRUE(counts && expected);
  EXPECT_EQ(counts->clips, expected->clips);
  EXPECT_EQ(counts->votes, expected->votes);
  EXPECT_EQ(counts->battles, expected->battles);
  EXPECT_EQ(battle_ids(*db), battle_ids(*reference)) << "the same simulated battles";
  // Nothing half-written is left, and the media folder holds each clip and source once.
  for (const auto& f : files_under(dir)) EXPECT_FALSE(f.ends_with(".part")) << f;
  EXPECT_EQ(files_under(dir / "media"), files_under(shared_demo() / "media"));
}

TEST(DemoReuse, DemoOfAnotherContentVersionIsBuiltAgain) {
  // The old demo is thrown away and a build of this version starts. Stopped a few seconds in:
  // a build running to its end is what the other tests check (the shared demo, the
  // interrupted build), and a whole one here cost a minute of CI.
  TempDir tmp;
  const fs::path dir = tmp / "demo";
  fs::create_directories(dir / "render");
  testing::write_file(dir / "render" / "leftover.mp4", "not a clip");
  testing::write_file(dir / "demo.json", R"({"content_version": 0, "complete": true})");
  auto r = paddock({"demo", "--prepare-only", "--jobs", "1", "--dir", dir.string()},
                   std::chrono::seconds(3));
  ASSERT_TRUE(r.timed_out) << "built a whole demo in 3 s?\n" << r.err;
  EXPECT_FALSE(fs::exists(dir / "render" / "leftover.mp4")) << "the old demo was not thrown away";
  const auto marker = nlohmann::json::parse(testing::read_file(dir / "demo.json"));
  EXPECT_NE(marker.at("content_version").get<int>(), 0) << marker.dump();
  EXPECT_FALSE(marker.at("complete").get<bool>()) << marker.dump();
  EXPECT_EQ(r.err.find("reusing the demo"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace paddock::demo_test
