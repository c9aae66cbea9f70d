#pragma once
// A fresh folder for one test, removed with everything in it when the object dies.
// Set PADDOCK_KEEP_TEST_FILES=1 to keep the folders for a look after a failure (their
// paths are printed to stderr then).
//
//   paddock::testing::TempDir dir;          // e.g. /tmp/paddock-test-3f9a1c2e
//   auto db = dir / "paddock.db";

#include <filesystem>
#include <string>

namespace paddock::testing {

class TempDir {
 public:
  // Creates a new empty folder under the system temp folder (or $TMPDIR).
  explicit TempDir(const std::string& prefix = "paddock-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& child) const {
    return path_ / child;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace paddock::testing
