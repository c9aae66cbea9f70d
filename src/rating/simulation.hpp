#pragma once
// Synthetic votes with known true strengths, for tests, benchmarks and demos
// (`paddock simulate`). Pure computation: the caller writes the votes wherever it likes.
//
// The model: true ratings R_i ~ Normal(mean, spread), shifted so their mean is exactly
// `mean` (the board's default anchor). Each vote picks two distinct models uniformly and
// its categories by their shares (a second category with probability multi_category_rate).
// In category set g model i plays at R_i + the mean of its offsets for the categories of g
// (offsets ~ Normal(0, category_offset_spread), drawn once). With p = P(a beats b) on the
// 400-point scale, the vote is a tie with probability tau = tie_rate * 2 * min(p, 1 - p),
// a win for a with probability p - tau/2, else a win for b. So the expected credit of a is
// exactly p: Bradley-Terry with ties as half wins recovers the true ratings. A tie is
// recorded as "tie (bothbad)" with probability bothbad_share.
//
// With tie_model Davidson the outcome follows Davidson's model instead (davidson.hpp):
// with d the strength difference in natural units, P(a) = e^(d/2) / D, P(tie) = nu / D,
// D = e^(d/2) + e^(-d/2) + nu; Davidson's fit recovers the ratings and nu.
//
// With clip_features, each clip carries two features (a separate random stream, so the
// votes of the same seed are otherwise unchanged): "duration", kLongClipSeconds with the
// model's long-clip share (drawn uniformly in [0, 1] per model) or else kShortClipSeconds,
// and "motion", uniform in [kMinMotion, kMaxMotion], which has no effect. The presentation
// effect adds  logit(long_clip_win_rate) * r / r_long  to the logit of a's win, r = (d_a -
// d_b) / (d_a + d_b) and r_long its value for a long clip against a short one: at equal
// strength a long clip beats a short one with probability long_clip_win_rate. Since the
// models differ in how often they make long clips, the raw board is biased and presentation
// control removes the bias. With languages, each vote's prompt language is drawn uniformly.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "rating/random.hpp"
#include "rating/rating.hpp"

namespace paddock::rating {

struct SimulatedCategory {
  std::string name;
  double share = 1;  // relative; normalized over all categories
};

struct SimulationOptions {
  int models = 10;
  int64_t votes = 10000;
  double mean = 1000;
  double spread = 100;  // standard deviation of the true ratings, in points
  double tie_rate = 0.1;
  double bothbad_share = 0.25;
  std::vector<SimulatedCategory> categories;  // none: votes without category
  double category_offset_spread = 0;          // points
  double multi_category_rate = 0;
  double start_tstamp = 1'700'000'000;
  double interval = 1;  // seconds between votes
  std::string track;    // written with each vote when not empty
  std::string model_prefix = "model-";
  uint64_t seed = 1;
  TieModel tie_model = TieModel::Half;
  double davidson_nu = 0.5;  // Davidson's tie parameter (tie_model Davidson)
  bool clip_features = false;
  double long_clip_win_rate = 0.5;     // 0.5: no presentation effect
  std::vector<std::string> languages;  // none: votes without language
};

inline constexpr double kLongClipSeconds = 8;
inline constexpr double kShortClipSeconds = 4;
inline constexpr double kMinMotion = 0.05;
inline constexpr double kMaxMotion = 0.5;

struct TrueModel {
  std::string name;
  double rating = 0;
  std::vector<double> category_offsets;  // per SimulationOptions::categories entry
  double long_clip_share = 0;            // with clip_features
};

struct SimulatedVote {
  uint32_t model_a = 0, model_b = 0;  // indices into VoteSimulator::models()
  Outcome outcome = Outcome::Tie;
  uint32_t category_count = 0;  // 0, 1 or 2
  uint32_t categories[2] = {0, 0};
  double tstamp = 0;
  double duration[2] = {0, 0}, motion[2] = {0, 0};  // a's clip, b's clip (clip_features)
  uint32_t language = 0;                            // index into options.languages
};

// Errors "bad_option": fewer than 2 models, negative votes, rates outside [0, 1], ...
Status validate(const SimulationOptions& options);

// Produces the votes one at a time (the same sequence for the same options).
class VoteSimulator {
 public:
  // REQUIRES: validate(options) succeeded.
  explicit VoteSimulator(const SimulationOptions& options);
  const std::vector<TrueModel>& models() const { return models_; }
  const SimulationOptions& options() const { return options_; }
  // The next vote; REQUIRES fewer than options().votes produced so far.
  SimulatedVote next();

 private:
  uint32_t pick_category();

  SimulationOptions options_;
  std::vector<TrueModel> models_;
  std::vector<double> category_cdf_;
  Xoshiro256 rng_;
  Xoshiro256 clip_rng_;  // features and languages: apart, so the outcomes' stream is as before
  int64_t produced_ = 0;
};

// All simulated votes in a table (models interned in order, so table index = model index).
struct Simulation {
  std::vector<TrueModel> models;
  VoteTable votes;
};
Result<Simulation> simulate(const SimulationOptions& options);

}  // namespace paddock::rating
