#pragma once
// `paddock simulate --arena --attack ...`: attackers and careless voters in the simulated
// arena, the arena's voter review at the end, and the report of what the attack did to its
// target with the defences off (every vote counts) and on (the flagged voters' votes
// voided). docs/voter-scoring.md.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "demo/arena_simulation.hpp"

namespace paddock::cli {

struct AttackArguments {
  std::string attack = "none";  // none, targeted, omnipresent
  std::string target;           // model id; default: the 7th strongest
  int64_t votes = 1000;         // attacker's votes at most
  double accuracy = 0.9;        // of identifying its model
  int64_t sessions = 50;        // the attacker's sessions and address prefixes
  int64_t prefixes = 5;
  int reach = 3;  // omnipresent: rivals just above the target it votes against
  std::string careless_habit = "random";  // random or left
  double noisy = 0;                       // share of honest voters with half the discernment
  bool review = false;   // run the voter review (implied by an attack or careless voters)
  double threshold = 0;  // 0: the arena's default
  int64_t min_votes = 0;
  // Watch weighting (docs/voter-scoring.md): the server's rule, and how often each kind of
  // voter watches before voting (attackers' scripts fake watch times: always watched).
  std::string watch_weighting = "off";
  double watch_share = 0.5;
  double honest_watches = 0.95;
  double careless_watches = 0.1;
};

void add_attack_options(CLI::App& cmd, AttackArguments& args);

// Adds the voter groups (honest, noisy, careless, attacker) and the review to `o`, and
// returns the target's id. `careless` is the share of careless voters. Throws
// CLI::ValidationError on bad values.
std::string configure_attack(demo::ArenaSimulationOptions& o, const AttackArguments& args,
                             double careless, double tie_rate);

// The target and its board rows with and without defences, and what was flagged; null if
// the result was not reviewed.
nlohmann::json attack_json(const demo::ArenaSimulationResult& r, const std::string& target);
// Medians over arenas of attack_json's figures, and the pooled false-positive rates.
nlohmann::json attack_summary(const std::vector<nlohmann::json>& arenas);

}  // namespace paddock::cli
