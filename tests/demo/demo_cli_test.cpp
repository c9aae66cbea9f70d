// paddock demo's refusals, which cost no build.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "demo_fixture.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::demo_test {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(DemoCli, FolderWithOtherFilesIsRefusedAndLeftAlone) {
  TempDir tmp;
  testing::write_file(tmp / "thesis.txt", "mine");
  auto r = paddock({"demo", "--prepare-only", "--dir", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a paddock demo folder"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("thesis.txt"), std::string::npos) << r.err;
  EXPECT_EQ(testing::read_file(tmp / "thesis.txt"), "mine");
  EXPECT_FALSE(fs::exists(tmp / "demo.db"));
}

TEST(DemoCli, FolderBeingPreparedByAnotherRunIsRefused) {
  TempDir tmp;
  const fs::path lock = tmp / "demo.lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto r = paddock({"demo", "--prepare-only", "--dir", tmp.path().string()});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("another paddock demo"), std::string::npos) << r.err;
}

TEST(DemoCli, UnknownFlagIsAUsageError) {
  auto r = paddock({"demo", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace paddock::demo_test
