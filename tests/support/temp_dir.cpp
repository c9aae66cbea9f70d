#include "support/temp_dir.hpp"

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <system_error>
#include <vector>

namespace paddock::testing {

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): set before tests
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" +
                        std::string(prefix) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::perror("TempDir: mkdtemp");
    std::abort();
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing sets the environment during tests
  if (const char* keep = std::getenv("PADDOCK_KEEP_TEST_FILES");
      keep != nullptr && *keep != '\0' && *keep != '0') {
    std::cerr << "kept test files in " << path_ << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::file(std::string_view name) const {
  return (path_ / name).string();
}

}  // namespace paddock::testing
