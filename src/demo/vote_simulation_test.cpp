#include "demo/vote_simulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "demo/demo_content.hpp"

namespace paddock::demo {
namespace {

constexpr int64_t kEnd = 1'775'000'000'000;  // April 2026
constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

// A stand-in hash per clip of the demo content.
std::vector<store::Clip> all_clips() {
  std::vector<store::Clip> clips;
  for (const auto& t : demo_tracks()) {
    for (const auto& p : t.prompts) {
      for (const auto& e : t.entries) {
        store::Clip c;
        c.track_id = t.id;
        c.prompt_id = p.id;
        c.model_id = e.model;
        c.hash = std::string(t.id) + "/" + std::string(p.id) + "/" + std::string(e.model);
        clips.push_back(c);
      }
    }
  }
  return clips;
}

const SimulatedVotes& simulated() {
  static const SimulatedVotes votes = [] {
    auto v = simulate_votes(all_clips(), kEnd);
    if (!v) throw std::runtime_error(v.error().message);
    return *v;
  }();
  return votes;
}

TEST(VoteSimulation, IsTheSameEveryTime) {
  auto again = simulate_votes(all_clips(), kEnd);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->votes, simulated().votes);
  EXPECT_EQ(again->battles, simulated().battles);
}

TEST(VoteSimulation, IsTheSameWhicheverDayItIsBuiltOn) {
  // Built three days later (another weekday): only the times move, by exactly those days
  // (and the battle ids, which start with their time, as the server's do).
  constexpr int64_t kLater = kEnd + 3 * kDayMs;
  auto later = simulate_votes(all_clips(), kLater);
  ASSERT_TRUE(later);
  const auto& votes = simulated().votes;
  ASSERT_EQ(later->votes.size(), votes.size());
  for (std::size_t i = 0; i < votes.size(); ++i) {
    store::Vote moved = later->votes[i];
    moved.created_at_ms -= kLater - kEnd;
    moved.battle_id = votes[i].battle_id;
    ASSERT_EQ(moved, votes[i]) << "vote " << i;
  }
}

TEST(VoteSimulation, CastsEachTracksVotesOverTheTimelineInOrder) {
  const auto& s = simulated();
  std::map<std::string, int> per_track;
  for (const auto& v : s.votes) {
    ++per_track[v.track_id];
    EXPECT_GE(v.created_at_ms, kEnd - kTimelineDays * kDayMs);
    EXPECT_LE(v.created_at_ms, kEnd + kDayMs);
  }
  for (const auto& t : demo_tracks()) EXPECT_EQ(per_track[std::string(t.id)], t.votes) << t.id;
  EXPECT_TRUE(std::is_sorted(s.votes.begin(), s.votes.end(), [](const auto& a, const auto& b) {
    return a.created_at_ms < b.created_at_ms;
  }));
  EXPECT_LT(s.votes.front().created_at_ms, kEnd - (kTimelineDays - 1) * kDayMs);
  EXPECT_GT(s.votes.back().created_at_ms, kEnd - kDayMs);
}

TEST(VoteSimulation, EveryVoteHasItsBattleAndSomeBattlesAreNeverVotedOn) {
  const auto& s = simulated();
  std::map<std::string, const store::Battle*> battles;
  for (const auto& b : s.battles) battles[b.id] = &b;
  EXPECT_EQ(battles.size(), s.battles.size()) << "battle ids are unique";
  for (const auto& v : s.votes) {
    auto it = battles.find(v.battle_id);
    ASSERT_NE(it, battles.end());
    const store::Battle& b = *it->second;
    EXPECT_EQ(b.track_id, v.track_id);
    EXPECT_EQ(b.prompt_id, v.prompt_id);
    EXPECT_EQ(b.left_model, v.left_model);
    EXPECT_EQ(b.right_model, v.right_model);
    EXPECT_EQ(b.session, v.session);
    EXPECT_EQ(b.left_clip, v.track_id + "/" + v.prompt_id + "/" + v.left_model);
    EXPECT_NE(v.left_model, v.right_model);
    EXPECT_GT(v.created_at_ms, b.issued_at_ms);
    EXPECT_LT(v.created_at_ms, b.expires_at_ms);
    EXPECT_EQ(v.session.size(), 32u);
    EXPECT_FALSE(v.categories.empty());
    EXPECT_EQ(b.id.size(), 32u);
    EXPECT_EQ(std::stoll(b.id.substr(0, 12), nullptr, 16), b.issued_at_ms) << b.id;
  }
  const double unvoted = 1.0 - static_cast<double>(s.votes.size()) / s.battles.size();
  EXPECT_GT(unvoted, 0.04);
  EXPECT_LT(unvoted, 0.15);
}

TEST(VoteSimulation, EntrantsOnlyBattleFromTheirDebut) {
  const auto& s = simulated();
  const int64_t start = kEnd - kTimelineDays * kDayMs;
  for (const auto& m : demo_models()) {
    int64_t first = INT64_MAX;
    for (const auto& b : s.battles) {
      if (b.left_model == m.id || b.right_model == m.id) first = std::min(first, b.issued_at_ms);
    }
    EXPECT_GE(first, start + m.debut_day * kDayMs) << m.id;
    EXPECT_LT(first, start + (m.debut_day + 1) * kDayMs) << m.id;
  }
}

// Each pair's tally follows the true win probability closely (the draws are low-discrepancy),
// so the boards come out near the intended ratings.
TEST(VoteSimulation, PairTalliesMatchTheTrueProbabilities) {
  const DemoTrack& t2v = demo_tracks()[0];
  double expected = 0, scored = 0;
  int n = 0;
  for (const auto& v : simulated().votes) {
    if (v.track_id != "t2v") continue;
    const bool pair = (v.left_model == "seedance-2.0" && v.right_model == "kling-3.0") ||
                      (v.left_model == "kling-3.0" && v.right_model == "seedance-2.0");
    if (!pair) continue;
    const bool sd_left = v.left_model == "seedance-2.0";
    ++n;
    expected += 1 / (1 + std::pow(10.0, (1228.0 - 1273.0) / 400));
    if (v.choice == store::Choice::Tie || v.choice == store::Choice::BothBad) {
      scored += 0.5;
    } else if ((v.choice == store::Choice::Left) == sd_left) {
      scored += 1;
    }
  }
  ASSERT_EQ(t2v.id, "t2v");
  ASSERT_GT(n, 50);
  EXPECT_NEAR(scored, expected, 2.0) << n << " votes";
}

TEST(VoteSimulation, MissingClipIsAnIncompleteCatalog) {
  auto clips = all_clips();
  clips.pop_back();
  auto r = simulate_votes(clips, kEnd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "incomplete_catalog");
}

}  // namespace
}  // namespace paddock::demo
