#include "cli/serve_config.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <functional>

#include "arena/keys.hpp"
#include "arena/watch_weighting.hpp"

extern char** environ;

namespace paddock::cli {
namespace {

using Apply = std::function<Status(ServeSettings&, std::string_view)>;

struct Setting {
  SettingInfo info;
  Apply apply;
};

constexpr int64_t kMaxDurationSeconds = 10LL * 366 * 24 * 3600;
// Long enough that guessing it through the throttled admin endpoints is hopeless.
constexpr std::size_t kMinAdminTokenLength = 24;

Status bad(std::string what) {
  return fail("bad_config", std::move(what));
}

template <typename T>
Result<T> parse_number(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail("bad_config", "\"" + std::string(text) + "\" is not a number");
  }
  return v;
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return fail("bad_config", "\"" + std::string(text) + "\" is not true or false");
}

Apply rate(double ServeSettings::*field) {
  return [field](ServeSettings& s, std::string_view v) -> Status {
    auto n = parse_number<double>(v);
    if (!n || !std::isfinite(*n) || *n < 0) {
      return bad("\"" + std::string(v) + "\" is not a rate (requests per minute, 0 = unlimited)");
    }
    s.*field = *n;
    return ok();
  };
}

Apply text(std::string ServeSettings::*field) {
  return [field](ServeSettings& s, std::string_view v) -> Status {
    s.*field = std::string(v);
    return ok();
  };
}

Apply flag(bool ServeSettings::*field) {
  return [field](ServeSettings& s, std::string_view v) -> Status {
    auto b = parse_bool(v);
    if (!b) return std::unexpected(b.error());
    s.*field = *b;
    return ok();
  };
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings{
      {{"listen", "PADDOCK_LISTEN", "--listen", false,
        "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free one)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto colon = v.rfind(':');
         if (colon == std::string_view::npos || colon == 0) return bad("expected HOST:PORT");
         auto host = v.substr(0, colon);
         if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
           host = host.substr(1, host.size() - 2);
         }
         auto port = parse_number<unsigned>(v.substr(colon + 1));
         if (!port || *port > 65535)
           return bad("\"" + std::string(v.substr(colon + 1)) + "\" is not a port");
         s.host = std::string(host);
         s.port = static_cast<uint16_t>(*port);
         return ok();
       }},
      {{"db", "PADDOCK_DB", "--db", false,
        "the database: a SQLite file (default paddock.db) or a postgresql:// URL"},
       text(&ServeSettings::db)},
      {{"media", "PADDOCK_MEDIA", "--media", false, "the media folder (default media/)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         s.media = std::string(v);
         return ok();
       }},
      {{"web_root", "PADDOCK_WEB_ROOT", "--web-root", false,
        "the built front end (default: the web/ folder next to the paddock executable)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         s.web_root = std::string(v);
         return ok();
       }},
      {{"threads", "PADDOCK_THREADS", "--threads", false, "io threads (default: one per core)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int>(v);
         if (!n || *n < 0 || *n > 256) return bad("threads must be from 0 to 256");
         s.threads = *n;
         return ok();
       }},
      {{"max_connections", "PADDOCK_MAX_CONNECTIONS", "--max-connections", false,
        "open connections at most; more are answered 503 (default 10000)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<std::size_t>(v);
         if (!n || *n < 1) return bad("max_connections must be a whole number >= 1");
         s.max_connections = *n;
         return ok();
       }},
      {{"min_votes", "PADDOCK_MIN_VOTES", "--min-votes", false,
        "models with fewer votes are marked preliminary (default 50)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int64_t>(v);
         if (!n || *n < 0) return bad("min_votes must be a whole number >= 0");
         s.min_votes = *n;
         return ok();
       }},
      {{"preliminary_votes", "PADDOCK_PRELIMINARY_VOTES", "--preliminary-votes", false,
        "a revealed model stays preliminary until it was in this many votes cast after its "
        "reveal (default 0: no rule)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int64_t>(v);
         if (!n || *n < 0) return bad("preliminary_votes must be a whole number >= 0");
         s.preliminary_votes = *n;
         return ok();
       }},
      {{"max_anonymous_per_org", "PADDOCK_MAX_ANONYMOUS_PER_ORG", "--max-anonymous-per-org", false,
        "refuse to list more anonymous models of one organization at once (default 0: no cap)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int64_t>(v);
         if (!n || *n < 0) return bad("max_anonymous_per_org must be a whole number >= 0");
         s.max_anonymous_per_org = *n;
         return ok();
       }},
      {{"keep_withdrawn", "PADDOCK_KEEP_WITHDRAWN", "--keep-withdrawn", true,
        "a model hidden after it was listed stays on the board, marked withdrawn"},
       flag(&ServeSettings::keep_withdrawn)},
      {{"public_change_log", "PADDOCK_PUBLIC_CHANGE_LOG", "--public-change-log", true,
        "publish the board's change log at GET /api/changes (models added, revealed, "
        "retired, withdrawn; voided votes per reason)"},
       flag(&ServeSettings::public_change_log)},
      {{"ticket_ttl", "PADDOCK_TICKET_TTL", "--ticket-ttl", false,
        "how long a battle can be voted on: seconds, or with s/m/h (default 30m)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto d = parse_duration(v);
         if (!d) return std::unexpected(d.error());
         if (d->count() <= 0) return bad("ticket_ttl must be positive");
         s.ticket_ttl = *d;
         return ok();
       }},
      {{"min_watch_fraction", "PADDOCK_MIN_WATCH_FRACTION", "--min-watch-fraction", false,
        "refuse votes sooner after the battle than this fraction of the clip duration "
        "(default 1; 0: no minimum)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<double>(v);
         if (!n || !std::isfinite(*n) || *n < 0 || *n > 10) {
           return bad("min_watch_fraction must be a number from 0 to 10");
         }
         s.min_watch_fraction = *n;
         return ok();
       }},
      {{"ticket_key", "PADDOCK_TICKET_KEY", "--ticket-key", false,
        "64 hex digits sealing tickets (default: generated once, kept in the database)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         // Checked here, so a bad key is a configuration error naming where it came from.
         if (!arena::derive_keys(v)) return bad("ticket_key must be 64 hex digits");
         s.ticket_key = std::string(v);
         return ok();
       }},
      {{"admin_token", "PADDOCK_ADMIN_TOKEN", "--admin-token", false,
        "bearer token of /api/admin/... (default: none, admin endpoints off)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         // Never named in the message: it is a secret, and this goes to the terminal.
         if (!v.empty() && v.size() < kMinAdminTokenLength) {
           return bad("the admin token is too short: it must be at least " +
                      std::to_string(kMinAdminTokenLength) +
                      " characters (e.g. the output of `openssl rand -hex 24`)");
         }
         s.admin_token = std::string(v);
         return ok();
       }},
      {{"unlock", "PADDOCK_UNLOCK", "--unlock", false,
        "when the vote buttons unlock: played_once (default) or none"},
       [](ServeSettings& s, std::string_view v) -> Status {
         if (v != "played_once" && v != "none") return bad("unlock must be played_once or none");
         s.unlock = std::string(v);
         return ok();
       }},
      {{"secure_cookies", "PADDOCK_SECURE_COOKIES", "--secure-cookies", true,
        "mark the session cookie Secure (behind HTTPS)"},
       flag(&ServeSettings::secure_cookies)},
      {{"trust_forwarded_for", "PADDOCK_TRUST_FORWARDED_FOR", "--trust-forwarded-for", true,
        "take client addresses from X-Forwarded-For (behind a reverse proxy)"},
       flag(&ServeSettings::trust_forwarded_for)},
      {{"trusted_proxies", "PADDOCK_TRUSTED_PROXIES", "--trusted-proxy", false,
        "with --trust-forwarded-for: the proxies whose X-Forwarded-For entries count, as "
        "CIDR,... (default 127.0.0.0/8,::1)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto ranges = http::parse_address_ranges(v);
         if (!ranges) return std::unexpected(ranges.error());
         s.trusted_proxies = std::move(*ranges);
         return ok();
       }},
      {{"demo_banner", "PADDOCK_DEMO_BANNER", "--demo-banner", true,
        "every page says its data is demo data (paddock demo turns this on)"},
       flag(&ServeSettings::demo)},
      {{"rate_limits", "PADDOCK_RATE_LIMITS", "--rate-limits", false,
        "true (default) or false: false lifts every rate limit (benchmarks)"},
       flag(&ServeSettings::rate_limits)},
      {{"session_battles_per_minute", "PADDOCK_SESSION_BATTLES_PER_MINUTE",
        "--session-battles-per-minute", false, "battles per session per minute (default 120)"},
       rate(&ServeSettings::session_battles_per_minute)},
      {{"session_votes_per_minute", "PADDOCK_SESSION_VOTES_PER_MINUTE",
        "--session-votes-per-minute", false, "votes per session per minute (default 30)"},
       rate(&ServeSettings::session_votes_per_minute)},
      {{"address_battles_per_minute", "PADDOCK_ADDRESS_BATTLES_PER_MINUTE",
        "--address-battles-per-minute", false,
        "battles per client address per minute (default 1200)"},
       rate(&ServeSettings::address_battles_per_minute)},
      {{"address_votes_per_minute", "PADDOCK_ADDRESS_VOTES_PER_MINUTE",
        "--address-votes-per-minute", false, "votes per client address per minute (default 300)"},
       rate(&ServeSettings::address_votes_per_minute)},
      {{"ipv6_rate_prefix", "PADDOCK_IPV6_RATE_PREFIX", "--ipv6-rate-prefix", false,
        "per-address limits count IPv6 clients by this prefix (default 64; 128: each address)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int>(v);
         if (!n || *n < 1 || *n > 128) return bad("ipv6_rate_prefix must be from 1 to 128");
         s.ipv6_rate_prefix = *n;
         return ok();
       }},
      {{"seed", "PADDOCK_SEED", "--seed", false, "bootstrap seed of the boards (default 1)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<uint64_t>(v);
         if (!n) return bad("seed must be a whole number >= 0");
         s.seed = *n;
         return ok();
       }},
      {{"bootstrap", "PADDOCK_BOOTSTRAP", "--bootstrap", false,
        "bootstrap rounds of the boards (default 1000)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<int>(v);
         if (!n || *n < 0 || *n > 100000) return bad("bootstrap must be from 0 to 100000");
         s.bootstrap = *n;
         return ok();
       }},
      {{"matchmaking", "PADDOCK_MATCHMAKING", "--matchmaking", false,
        "how battles are paired: uniform or adaptive (default adaptive; docs/matchmaking.md)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         if (v != "uniform" && v != "adaptive") {
           return bad("matchmaking must be \"uniform\" or \"adaptive\"");
         }
         s.matchmaking = std::string(v);
         return ok();
       }},
      {{"watch_weighting", "PADDOCK_WATCH_WEIGHTING", "--watch-weighting", false,
        "weight of a vote cast without watching both clips on the boards and in the public "
        "export, in (0, 1], or off (default off; docs/voter-scoring.md)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         if (auto rule = arena::parse_watch_weighting(v, s.watch_share); !rule) {
           return bad(rule.error().message);
         }
         s.watch_weighting = std::string(v);
         return ok();
       }},
      {{"watch_share", "PADDOCK_WATCH_SHARE", "--watch-share", false,
        "with --watch-weighting: the share of each clip's duration that must have played "
        "(default 0.5)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<double>(v);
         if (!n || !(*n >= 0 && *n <= 1)) return bad("watch_share must be a number from 0 to 1");
         s.watch_share = *n;
         return ok();
       }},
      {{"control_share", "PADDOCK_CONTROL_SHARE", "--control-share", false,
        "share of battles that are attention checks, on tracks with controls (default 0: "
        "none; paddock admin controls add)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto n = parse_number<double>(v);
         if (!n || !std::isfinite(*n) || *n < 0 || *n > 0.5) {
           return bad("control_share must be a number from 0 to 0.5");
         }
         s.control_share = *n;
         return ok();
       }},
      {{"board_interval", "PADDOCK_BOARD_INTERVAL", "--board-interval", false,
        "shortest time between two recomputations of the boards (default 1s)"},
       [](ServeSettings& s, std::string_view v) -> Status {
         auto d = parse_duration(v);
         if (!d) return std::unexpected(d.error());
         s.board_interval = *d;
         return ok();
       }},
      {{"log_level", "PADDOCK_LOG_LEVEL", "--log-level", false,
        "debug, info (default), warn or error"},
       [](ServeSettings& s, std::string_view v) -> Status {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") {
           return bad("log_level must be debug, info, warn or error");
         }
         s.log_level = std::string(v);
         return ok();
       }},
  };
  return kSettings;
}

// A TOML value as the text a flag would carry.
std::optional<std::string> toml_text(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *node.value<double>());
    return std::string(buf, end);
  }
  return std::nullopt;
}

}  // namespace

const std::vector<SettingInfo>& serve_setting_infos() {
  static const std::vector<SettingInfo> kInfos = [] {
    std::vector<SettingInfo> infos;
    for (const auto& s : settings()) infos.push_back(s.info);
    return infos;
  }();
  return kInfos;
}

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return fail("bad_config", "empty duration");
  int64_t scale = 1;
  switch (text.back()) {
    case 's':
      text.remove_suffix(1);
      break;
    case 'm':
      scale = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      scale = 3600;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  auto n = parse_number<int64_t>(text);
  if (!n || *n < 0) {
    return fail("bad_config",
                "\"" + std::string(text) + "\" is not a duration (e.g. 90s, 30m, 2h)");
  }
  // Bounded so that the duration, in milliseconds and added to a time, cannot overflow.
  if (*n > kMaxDurationSeconds / scale) {
    return fail("bad_config", "\"" + std::string(text) + "\" is longer than 10 years");
  }
  return std::chrono::seconds(*n * scale);
}

std::map<std::string, std::string> paddock_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("PADDOCK_")) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Result<ServeSettings> resolve_serve_settings(
    const std::map<std::string, std::string>& flags,
    const std::map<std::string, std::string>& environment,
    const std::optional<std::filesystem::path>& config_file) {
  std::map<std::string, std::string> from_file;
  if (config_file) {
    toml::table table;
    try {
      table = toml::parse_file(config_file->string());
    } catch (const toml::parse_error& e) {
      std::string where = config_file->string();
      if (e.source().begin) where += ":" + std::to_string(e.source().begin.line);
      return fail("bad_config", where + ": " + std::string(e.description()));
    }
    for (const auto& [key, node] : table) {
      std::string k(key.str());
      bool known = false;
      for (const auto& s : settings()) known = known || s.info.key == k;
      if (!known)
        return fail("bad_config", config_file->string() + ": unknown setting \"" + k + "\"");
      auto value = toml_text(node);
      if (!value) {
        return fail("bad_config",
                    config_file->string() + ": \"" + k + "\" must be a string, number or boolean");
      }
      from_file.emplace(std::move(k), std::move(*value));
    }
  }

  ServeSettings out;
  for (const auto& s : settings()) {
    std::string source;
    const std::string* value = nullptr;
    if (auto f = flags.find(s.info.key); f != flags.end()) {
      value = &f->second;
      source = s.info.flag;
    } else if (auto e = environment.find(s.info.env); e != environment.end()) {
      value = &e->second;
      source = s.info.env;
    } else if (auto t = from_file.find(s.info.key); t != from_file.end()) {
      value = &t->second;
      source = config_file->string() + ": " + s.info.key;
    }
    if (!value) continue;
    if (auto st = s.apply(out, *value); !st) {
      return fail("bad_config", source + ": " + st.error().message);
    }
  }
  return out;
}

}  // namespace paddock::cli
