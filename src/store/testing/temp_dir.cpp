#include "store/testing/temp_dir.hpp"

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace paddock::store::test_support {

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
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::file(std::string_view name) const {
  return (path_ / name).string();
}

}  // namespace paddock::store::test_support
