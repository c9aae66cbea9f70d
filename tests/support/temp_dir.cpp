#include "support/temp_dir.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

namespace paddock::testing {

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (const char* keep = std::getenv("PADDOCK_KEEP_TEST_FILES"); keep && *keep && *keep != '0') {
    std::cerr << "kept test files in " << path_ << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace paddock::testing
