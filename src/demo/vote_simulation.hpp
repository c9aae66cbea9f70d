#pragma once
// Private to the demo layer: the demo's battles and votes, cast by simulated voters who
// judge every pair by the entrants' true strengths (demo_content.hpp) — Bradley-Terry on
// the 400-point logistic scale, ties and both-bad counted so that the expected score still
// equals the model's probability — over a timeline of kTimelineDays days in which entrants
// debut on their own day (HappyHorse-1.0 late, to lead from then on).

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "store/records.hpp"

namespace paddock::demo {

struct SimulatedVotes {
  std::vector<store::Battle> battles;  // every battle, voted or not, by issue time
  std::vector<store::Vote> votes;      // by creation time, so vote ids follow the timeline
};

// Simulates every track's battles and votes on `clips` (the stored clips of the demo
// catalog), the timeline ending at `end_ms`. Deterministic: the same clips and end give
// the same battles and votes (ids included), so a resumed build stores nothing twice; and
// `end_ms` moves only the times, so the demo's boards are the same whenever it is built.
// Errors: "incomplete_catalog" when a clip of the demo content is missing.
Result<SimulatedVotes> simulate_votes(std::span<const store::Clip> clips, int64_t end_ms);

}  // namespace paddock::demo
