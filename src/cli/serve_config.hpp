#pragma once
// Settings of `paddock serve`, from flags, the environment (PADDOCK_*) and an optional TOML
// file, in that order of precedence, over built-in defaults. docs/running.md lists them all.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "http/client_address.hpp"

namespace paddock::cli {

struct ServeSettings {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string db = "paddock.db";
  std::filesystem::path media = "media";
  std::filesystem::path web_root;  // empty: <directory of the executable>/web
  int threads = 0;                 // io threads; 0: one per core
  std::size_t max_connections = 10'000;
  int64_t min_votes = 50;
  // Listing rules (docs/running.md, "Listing rules"); all off by default.
  int64_t preliminary_votes = 0;
  int64_t max_anonymous_per_org = 0;
  bool keep_withdrawn = false;
  bool public_change_log = false;
  std::chrono::seconds ticket_ttl{30 * 60};
  double min_watch_fraction = 1.0;
  std::string ticket_key;   // empty: generated once, kept in the database
  std::string admin_token;  // empty: admin endpoints off
  std::string unlock = "played_once";
  bool secure_cookies = false;
  bool trust_forwarded_for = false;
  std::vector<http::AddressRange> trusted_proxies;  // empty: loopback
  int ipv6_rate_prefix = 64;
  bool rate_limits = true;
  double session_battles_per_minute = 120;
  double session_votes_per_minute = 30;
  double address_battles_per_minute = 1200;
  double address_votes_per_minute = 300;
  uint64_t seed = 1;
  int bootstrap = 1000;
  // How battles are paired: "uniform" or "adaptive" (docs/matchmaking.md). Adaptive by
  // default: it settles the top 5 with half the votes uniform pairing needs (bench/
  // matchmaking.sh).
  std::string matchmaking = "adaptive";
  // Votes cast without watching weigh less on the boards (docs/voter-scoring.md): "off", or
  // the weight of such a vote; a vote is one when decided sooner than the shorter clip lasts
  // or when either clip played less than watch_share of its duration.
  std::string watch_weighting = "off";
  double watch_share = 0.5;
  // Share of battles that are attention checks, on tracks with controls (0: none;
  // docs/voter-scoring.md).
  double control_share = 0;
  std::chrono::milliseconds board_interval{1000};
  std::string log_level = "info";
  bool demo = false;  // --demo-banner, or paddock demo: GET /api/config says "demo": true
};

// One setting: its TOML key, environment variable and flag.
struct SettingInfo {
  std::string key;   // TOML key, e.g. "min_votes"
  std::string env;   // e.g. "PADDOCK_MIN_VOTES"
  std::string flag;  // e.g. "--min-votes"
  bool is_switch;    // a flag without a value (--secure-cookies)
  std::string help;
};

// Every setting, in the order docs/running.md lists them.
const std::vector<SettingInfo>& serve_setting_infos();

// Resolves the settings. `flags` holds the value of each flag given on the command line, by
// TOML key ("true" for switches); `environment` the PADDOCK_* variables; `config_file` the
// TOML file, if any. Errors: "bad_config", naming the source (flag, variable or file:key)
// and the problem.
Result<ServeSettings> resolve_serve_settings(
    const std::map<std::string, std::string>& flags,
    const std::map<std::string, std::string>& environment,
    const std::optional<std::filesystem::path>& config_file);

// The PADDOCK_* variables of this process.
std::map<std::string, std::string> paddock_environment();

// "90", "90s", "15m", "2h" -> seconds. Errors: "bad_config".
Result<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace paddock::cli
