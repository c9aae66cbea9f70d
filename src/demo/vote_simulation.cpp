#include "demo/vote_simulation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include "demo/demo_content.hpp"
#include "rating/scale.hpp"

namespace paddock::demo {
namespace {

constexpr uint64_t kSeed = 20260407;  // the same votes on every machine
constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr int64_t kTicketTtlMs = 30 * 60 * 1000;  // paddock serve's default
constexpr int kVoters = 2400;
constexpr double kTieShare = 0.06;        // "tie"
constexpr double kBothBadShare = 0.02;    // "both_bad"
constexpr double kAbandonedShare = 0.08;  // battles handed out and never voted on
constexpr int kNewcomerDays = 7;          // new entrants get more battles for a week
constexpr double kNewcomerBoost = 3;
constexpr int kLaunchBuzzDay = 28;  // HappyHorse-1.0's debut drew crowds
constexpr double kLaunchBuzz = 1.8;

// mt19937_64 is the same everywhere; the standard distributions are not, so the few
// conversions needed are written out.
class DemoRandom {
 public:
  explicit DemoRandom(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // An integer in [0, n).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>(uniform() * static_cast<double>(n)); }
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
  }
  std::string hex128() { return fmt::format("{:016x}{:016x}", engine_(), engine_()); }
  // A battle id as the server makes them: the issue time in milliseconds (12 hex digits),
  // then 80 random bits.
  std::string battle_id(int64_t issued_at_ms) {
    return fmt::format("{:012x}{:04x}{:016x}", static_cast<uint64_t>(issued_at_ms),
                       engine_() & 0xffff, engine_());
  }

 private:
  std::mt19937_64 engine_;
};

struct DemoVoter {
  std::string session;
  std::string address;
};

std::vector<DemoVoter> make_voters(DemoRandom& rng) {
  // Documentation address blocks (RFC 5737): clearly not real people.
  constexpr std::string_view kNets[] = {"192.0.2", "198.51.100", "203.0.113"};
  std::vector<DemoVoter> voters;
  for (int i = 0; i < kVoters; ++i) {
    voters.push_back({rng.hex128(), fmt::format("{}.{}", kNets[i % 3], 1 + (i / 3) % 254)});
  }
  return voters;
}

// A few voters vote a lot, most a little.
const DemoVoter& pick_voter(DemoRandom& rng, const std::vector<DemoVoter>& voters) {
  const double u = rng.uniform();
  return voters[static_cast<size_t>(u * u * static_cast<double>(voters.size()))];
}

const DemoModel* find_model(std::string_view id) {
  for (const auto& m : demo_models()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

// How many votes fall on each day: weekends quieter, a slow rise, and a crowd once
// HappyHorse-1.0 appears. The week is the timeline's own (it starts on a Monday, so days 5
// and 6 of each week are the weekend), not the calendar's: the demo must come out the same
// whatever day it is built on.
std::vector<int> votes_per_day(int total) {
  std::vector<double> weight(kTimelineDays);
  for (int d = 0; d < kTimelineDays; ++d) {
    const bool weekend = d % 7 >= 5;
    weight[static_cast<size_t>(d)] = (weekend ? 0.8 : 1.0) * (1 + 0.3 * d / kTimelineDays) *
                                     (d >= kLaunchBuzzDay ? kLaunchBuzz : 1.0);
  }
  double sum = 0;
  for (double w : weight) sum += w;
  std::vector<int> per_day(kTimelineDays);
  int assigned = 0;
  for (int d = 0; d < kTimelineDays; ++d) {
    per_day[static_cast<size_t>(d)] =
        static_cast<int>(std::floor(total * weight[static_cast<size_t>(d)] / sum));
    assigned += per_day[static_cast<size_t>(d)];
  }
  per_day.back() += total - assigned;
  return per_day;
}

struct Cast {
  store::Battle battle;
  std::optional<store::Vote> vote;
};

// Outcomes of one pair of entrants on one kind of prompt (portrait or not) are drawn from
// a low-discrepancy sequence (golden-ratio steps from a random start) instead of
// independent draws: each pair's tally of wins, ties and losses then matches its true
// probabilities within a vote or two, so the boards land on the intended gaps rather than
// somewhere within sampling noise of them. Which battles get which outcome still looks
// random, and the intervals still reflect how many votes there are.
class OutcomeDraws {
 public:
  explicit OutcomeDraws(DemoRandom& rng) : rng_(rng) {}

  // The next draw in [0, 1) for this pair (in either order) on this kind of prompt.
  double next(std::string_view a, std::string_view b, bool portrait) {
    auto key = std::make_tuple(std::string(std::min(a, b)), std::string(std::max(a, b)), portrait);
    auto [it, fresh] = state_.try_emplace(std::move(key), 0.0);
    if (fresh) it->second = rng_.uniform();
    it->second += kGoldenStep;
    it->second -= std::floor(it->second);
    return it->second;
  }

 private:
  static constexpr double kGoldenStep = 0.6180339887498949;
  DemoRandom& rng_;
  std::map<std::tuple<std::string, std::string, bool>, double> state_;
};

// The verdict given draw u in [0, 1), from the point of view of model `a`: its expected
// score (wins plus half of ties and both-bad) equals P(a is better).
store::Choice judge(double u, double a_rating, double b_rating, bool a_is_left) {
  const double p = rating::win_probability(a_rating, b_rating);
  const double split = std::min(kTieShare + kBothBadShare, 2 * std::min(p, 1 - p));
  const double tie = split * kTieShare / (kTieShare + kBothBadShare);
  const store::Choice a_wins = a_is_left ? store::Choice::Left : store::Choice::Right;
  const store::Choice b_wins = a_is_left ? store::Choice::Right : store::Choice::Left;
  if (u < p - split / 2) return a_wins;
  if (u < p - split / 2 + tie) return store::Choice::Tie;
  if (u < p + split / 2) return store::Choice::BothBad;
  return b_wins;
}

}  // namespace

Result<SimulatedVotes> simulate_votes(std::span<const store::Clip> clips, int64_t end_ms) {
  std::map<std::tuple<std::string, std::string, std::string>, std::string> hash;
  for (const auto& c : clips) hash[{c.track_id, c.prompt_id, c.model_id}] = c.hash;

  DemoRandom rng(kSeed);
  const std::vector<DemoVoter> voters = make_voters(rng);
  OutcomeDraws draws(rng);
  const int64_t start_ms = end_ms - int64_t{kTimelineDays} * kDayMs;
  std::vector<Cast> casts;

  for (const auto& track : demo_tracks()) {
    for (const auto& p : track.prompts) {
      for (const auto& e : track.entries) {
        if (!hash.contains({std::string(track.id), std::string(p.id), std::string(e.model)})) {
          return fail("incomplete_catalog", fmt::format("the demo catalog has no clip for {}/{}/{}",
                                                        track.id, p.id, e.model));
        }
      }
    }
    const std::vector<int> per_day = votes_per_day(track.votes);
    for (int day = 0; day < kTimelineDays; ++day) {
      // Who is in the arena that day, and how often each is drawn.
      std::vector<const DemoEntry*> present;
      std::vector<double> weight;
      for (const auto& e : track.entries) {
        const DemoModel* m = find_model(e.model);
        if (!m || m->debut_day > day) continue;
        present.push_back(&e);
        const bool newcomer = m->debut_day > 0 && day < m->debut_day + kNewcomerDays;
        weight.push_back(newcomer ? kNewcomerBoost : 1.0);
      }
      if (present.size() < 2) continue;
      auto draw = [&](size_t skip) {
        double total = 0;
        for (size_t i = 0; i < present.size(); ++i) total += i == skip ? 0 : weight[i];
        double u = rng.uniform() * total;
        for (size_t i = 0; i < present.size(); ++i) {
          if (i == skip) continue;
          if ((u -= weight[i]) < 0) return i;
        }
        return present.size() - 1 == skip ? present.size() - 2 : present.size() - 1;
      };
      const int64_t day_start = start_ms + day * kDayMs;
      for (int n = 0; n < per_day[static_cast<size_t>(day)];) {
        const size_t a = draw(present.size());
        const size_t b = draw(a);
        const bool a_left = rng.below(2) == 0;
        const DemoEntry& left = *present[a_left ? a : b];
        const DemoEntry& right = *present[a_left ? b : a];
        const DemoPrompt& prompt = track.prompts[rng.below(track.prompts.size())];
        const DemoVoter& voter = pick_voter(rng, voters);

        Cast c;
        store::Battle& battle = c.battle;
        battle.track_id = track.id;
        battle.prompt_id = prompt.id;
        battle.left_model = left.model;
        battle.right_model = right.model;
        battle.left_clip = hash[{battle.track_id, battle.prompt_id, battle.left_model}];
        battle.right_clip = hash[{battle.track_id, battle.prompt_id, battle.right_model}];
        battle.session = voter.session;
        battle.address = voter.address;
        battle.issued_at_ms = day_start + rng.between(0, kDayMs - 60'000);
        battle.id = rng.battle_id(battle.issued_at_ms);
        battle.expires_at_ms = battle.issued_at_ms + kTicketTtlMs;
        if (rng.uniform() >= kAbandonedShare) {
          // Judged from the side of the entrant whose id sorts first, so that a pair's
          // sequence of draws means the same whichever side each entrant is on.
          const bool left_first = left.model < right.model;
          const DemoEntry& first = left_first ? left : right;
          const DemoEntry& second = left_first ? right : left;
          const double u = draws.next(left.model, right.model, is_portrait(prompt));
          const int64_t left_watch = rng.between(2'500, 7'500);
          const int64_t right_watch = rng.between(2'500, 7'500);
          store::Vote v;
          v.battle_id = battle.id;
          v.track_id = battle.track_id;
          v.prompt_id = battle.prompt_id;
          v.left_model = battle.left_model;
          v.right_model = battle.right_model;
          v.categories.assign(prompt.categories.begin(), prompt.categories.end());
          v.choice = judge(u, true_rating(track, first, prompt), true_rating(track, second, prompt),
                           left_first);
          v.left_watch_ms = left_watch;
          v.right_watch_ms = right_watch;
          v.decision_ms = std::max(left_watch, right_watch) + rng.between(800, 9'000);
          v.session = voter.session;
          v.address = voter.address;
          v.created_at_ms = battle.issued_at_ms + v.decision_ms;
          c.vote = std::move(v);
          ++n;
        }
        casts.push_back(std::move(c));
      }
    }
  }

  SimulatedVotes out;
  std::stable_sort(casts.begin(), casts.end(), [](const Cast& x, const Cast& y) {
    return x.battle.issued_at_ms < y.battle.issued_at_ms;
  });
  for (auto& c : casts) {
    if (c.vote) out.votes.push_back(std::move(*c.vote));
    out.battles.push_back(std::move(c.battle));
  }
  std::stable_sort(out.votes.begin(), out.votes.end(),
                   [](const auto& x, const auto& y) { return x.created_at_ms < y.created_at_ms; });
  return out;
}

}  // namespace paddock::demo
