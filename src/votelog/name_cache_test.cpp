#include <gtest/gtest.h>

#include <map>
#include <string>

#include "votelog/vote_record.hpp"

namespace paddock::votelog {
namespace {

// Every name gets one value, whatever its length, and look-alike names (same size, same
// first and last eight bytes) get their own.
TEST(NameCache, GivesEachNameOneValueAcrossGrowthAndLookAlikes) {
  NameCache cache;
  std::map<std::string, uint32_t> expected;
  uint32_t next = 0;
  auto make = [&] { return next++; };
  std::vector<std::string> names = {"", "a", "ab", "abc", "abcd", "model-001", "model-010"};
  for (int i = 0; i < 2000; ++i) {
    // 17+ bytes differing only in the middle: the short path cannot tell these apart.
    names.push_back("provider/" + std::to_string(1000 + i) + "-video-model/v1");
    names.push_back("m-" + std::to_string(i));
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& name : names) {
      const uint32_t v = cache.get(name, make);
      const auto it = expected.emplace(name, v).first;
      EXPECT_EQ(it->second, v) << name;
    }
  }
  EXPECT_EQ(next, expected.size());
  EXPECT_EQ(expected.size(), names.size());
}

}  // namespace
}  // namespace paddock::votelog
