#pragma once
// Test support: a temporary directory that is deleted with everything in it when the
// object goes away.

#include <filesystem>
#include <string>
#include <string_view>

namespace paddock::store::test_support {

class TempDir {
 public:
  // Creates a new directory under $TMPDIR (or /tmp) named PREFIX-XXXXXX. Aborts the test
  // program if it cannot (nothing useful can be tested without it).
  explicit TempDir(std::string_view prefix = "paddock");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string file(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace paddock::store::test_support
