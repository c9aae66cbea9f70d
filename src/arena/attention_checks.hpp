#pragma once
// Attention checks: how a voter did on control battles (store::Control), an intact clip
// against a deliberately broken copy, where the right answer is known — the intact side.
// A voter who watches picks it nearly always; one who clicks without watching (at random,
// or always the same side) misses about half. A voter is flagged when it missed more
// controls than an honest voter would with probability above `false_flag_rate`: with n
// controls seen, the fewest misses that flag it is the smallest k with
//     P(Binomial(n, honest_miss_rate) >= k) <= false_flag_rate,
// so an honest voter whose true miss rate is at most honest_miss_rate is flagged with
// probability at most false_flag_rate, whatever n (docs/voter-scoring.md). Pure: no store,
// no clock. The server's admin review (voter_review.hpp) and `paddock simulate --arena`
// both call it.

#include <cstdint>
#include <span>
#include <vector>

namespace paddock::arena {

struct AttentionOptions {
  // The miss rate assumed of an honest voter: a slip of the finger, a clip that did not
  // load, a broken clip not broken enough. Conservative: make controls plainly broken.
  double honest_miss_rate = 0.1;
  double false_flag_rate = 0.01;  // at most this share of honest voters flagged
};

// One answered control: who answered, and whether it was anything but the intact side.
struct ControlAnswer {
  uint32_t voter = 0;
  bool missed = false;
};

struct AttentionScore {
  uint32_t voter = 0;
  int64_t seen = 0;    // controls answered
  int64_t missed = 0;  // answered anything but the intact side
  // P(Binomial(seen, honest_miss_rate) >= missed): how likely an honest voter misses as many.
  double p_value = 1;
  bool flagged = false;
};

// P(Binomial(n, p) >= k).
double binomial_upper_tail(int64_t n, int64_t k, double p);

// The fewest misses out of `seen` controls that flag a voter; seen + 1 when no number can
// (too few controls: even missing all is not improbable enough for an honest voter).
int64_t misses_to_flag(int64_t seen, const AttentionOptions& options);

// Scores of voters 0..voter_count-1, in that order. REQUIRES: every answer's voter <
// voter_count.
std::vector<AttentionScore> score_attention(std::span<const ControlAnswer> answers,
                                            std::size_t voter_count,
                                            const AttentionOptions& options = {});

}  // namespace paddock::arena
