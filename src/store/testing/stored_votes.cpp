#include "store/testing/stored_votes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace paddock::store::test_support {

std::vector<Vote> stored_votes(const std::string& location) {
  auto s = open_store(location);
  if (!s) throw std::runtime_error(s.error().message);
  VoteQuery q;
  q.include_voided = true;
  auto votes = (*s)->list_votes(q);
  if (!votes) throw std::runtime_error(votes.error().message);
  return *votes;
}

std::map<std::string, int64_t> expect_stored_once(const std::vector<Vote>& stored) {
  std::map<int64_t, int> ids;
  std::map<std::string, int64_t> by_battle;
  for (const Vote& v : stored) {
    EXPECT_EQ(++ids[v.id], 1) << "vote id " << v.id << " stored twice";
    EXPECT_TRUE(by_battle.emplace(v.battle_id, v.id).second)
        << "battle " << v.battle_id << " stored twice";
  }
  return by_battle;
}

void expect_acknowledged_stored_once(const std::vector<Vote>& stored,
                                     const std::map<std::string, int64_t>& acknowledged) {
  const auto by_battle = expect_stored_once(stored);
  for (const auto& [battle, id] : acknowledged) {
    auto found = by_battle.find(battle);
    ASSERT_NE(found, by_battle.end()) << "acknowledged vote lost: " << battle;
    EXPECT_EQ(found->second, id) << battle;
  }
}

}  // namespace paddock::store::test_support
