#pragma once
// Test support: a fresh folder for one test, deleted with everything in it when the object
// goes away. Set PADDOCK_KEEP_TEST_FILES=1 to keep the folders for a look after a failure
// (their paths are printed to stderr then). Standard library only, so every suite may use
// it without linking a database.
//
//   paddock::testing::TempDir dir("paddock-test");   // e.g. /tmp/paddock-test-3f9a1c
//   auto db = dir / "paddock.db";                     // or dir.file("paddock.db"), a string

#include <filesystem>
#include <string>
#include <string_view>

namespace paddock::testing {

class TempDir {
 public:
  // Creates a new directory under $TMPDIR (or /tmp) named PREFIX-XXXXXX. Aborts the test
  // program if it cannot (nothing useful can be tested without it).
  explicit TempDir(std::string_view prefix = "paddock");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& child) const {
    return path_ / child;
  }
  // path() / name, as a string.
  std::string file(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace paddock::testing
