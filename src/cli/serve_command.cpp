#include "cli/serve_command.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "arena/arena.hpp"
#include "arena/watch_weighting.hpp"
#include "cli/serve_config.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "http/work_queue.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("paddock");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace

int serve(const ServeSettings& s) {
  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  setup_logging(s.log_level);
  auto web_root = s.web_root.empty() ? executable_dir() / "web" : s.web_root;

  auto store = store::open_store(s.db);
  if (!store) {
    spdlog::error("cannot open the database: {}", store.error().message);
    return 1;
  }
  spdlog::info("database {}", (*store)->describe());
  std::error_code ec;
  if (!std::filesystem::is_directory(s.media, ec)) {
    spdlog::warn("media folder {} does not exist; clips cannot be served until it does",
                 s.media.string());
  }
  if (!std::filesystem::exists(web_root / "index.html", ec)) {
    spdlog::warn("no front end in {} (index.html missing); the API still works", web_root.string());
  }

  arena::ArenaOptions ao;
  ao.media_dir = s.media;
  ao.ticket_key = s.ticket_key;
  ao.ticket_ttl = s.ticket_ttl;
  // Benchmarks (rate limits off) vote at once, too.
  ao.min_watch_fraction = s.rate_limits ? s.min_watch_fraction : 0;
  ao.leaderboards.min_votes = s.min_votes;
  ao.leaderboards.preliminary_votes = s.preliminary_votes;
  ao.leaderboards.keep_withdrawn = s.keep_withdrawn;
  ao.max_anonymous_per_org = s.max_anonymous_per_org;
  ao.public_change_log = s.public_change_log;
  ao.leaderboards.seed = s.seed;
  ao.leaderboards.bootstrap_rounds = s.bootstrap;
  ao.leaderboards.matchmaking.mode =
      arena::parse_matchmaking_mode(s.matchmaking).value_or(arena::MatchmakingMode::Adaptive);
  // Checked when the settings were read.
  ao.leaderboards.watch_weighting =
      arena::parse_watch_weighting(s.watch_weighting, s.watch_share).value_or(std::nullopt);
  ao.leaderboards.matchmaking.control_share = s.control_share;
  ao.leaderboards.interval = s.board_interval;
  ao.leaderboards.history_interval = 10 * s.board_interval;
  ao.leaderboards.render_board = http::render_board_json;
  ao.leaderboards.render_history = http::render_history_json;
  auto arena = arena::Arena::open(**store, ao);
  if (!arena) {
    spdlog::error("cannot start the arena: {}", arena.error().message);
    return 1;
  }

  http::DispatcherOptions dopt;
  dopt.web_root = web_root;
  dopt.admin_token = s.admin_token;
  dopt.secure_cookies = s.secure_cookies;
  dopt.trust_forwarded_for = s.trust_forwarded_for;
  dopt.trusted_proxies = s.trusted_proxies;
  dopt.unlock = s.unlock;
  dopt.demo = s.demo;
  if (s.rate_limits) {
    dopt.limits = {s.session_battles_per_minute, s.session_votes_per_minute,
                   s.address_battles_per_minute, s.address_votes_per_minute};
  } else {
    dopt.limits = {0, 0, 0, 0};
  }
  dopt.limits.ipv6_prefix = s.ipv6_rate_prefix;
  // Exports stream through `blocking`; health checks and admin calls, and file opens, have
  // queues of their own so that no number of exports delays them.
  http::WorkQueue blocking(2);
  http::WorkQueue control(1);
  http::WorkQueue files(2);
  dopt.control_queue = &control;
  dopt.file_queue = &files;
  http::Dispatcher dispatcher(**arena, blocking, dopt);

  http::ServerOptions so;
  so.host = s.host;
  so.port = s.port;
  so.io_threads = s.threads;
  so.max_connections = s.max_connections;
  auto server = http::Server::start(so, dispatcher, blocking);
  if (!server) {
    spdlog::error("{}", server.error().message);
    (*arena)->stop();
    return 1;
  }
  std::string shown_host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  spdlog::info("listening on http://{}:{} (web root {}, admin {})", shown_host, (*server)->port(),
               web_root.string(), s.admin_token.empty() ? "off" : "on");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  // A second signal ends the process at once.
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  spdlog::info("{}: draining requests in flight", strsignal(signal_number));

  (*server)->stop(kDrainTimeout);
  (*arena)->stop();  // answers queued votes, writes queued battles
  blocking.shutdown();
  control.shutdown();
  files.shutdown();
  server->reset();
  arena->reset();
  store->reset();
  spdlog::info("stopped; the database is closed");
  return 0;
}

namespace {

// What a setting's value looks like, for --help.
std::string value_name(std::string_view key) {
  static const std::map<std::string_view, std::string_view> kNames{
      {"listen", "HOST:PORT"},    {"db", "FILE|URL"},
      {"media", "DIR"},           {"web_root", "DIR"},
      {"threads", "N"},           {"min_votes", "N"},
      {"preliminary_votes", "N"}, {"max_anonymous_per_org", "N"},
      {"ticket_ttl", "DURATION"}, {"ticket_key", "HEX"},
      {"admin_token", "TOKEN"},   {"unlock", "MODE"},
      {"rate_limits", "BOOL"},    {"seed", "N"},
      {"bootstrap", "N"},         {"board_interval", "DURATION"},
      {"log_level", "LEVEL"}};
  if (auto it = kNames.find(key); it != kNames.end()) return std::string(it->second);
  if (key.ends_with("_per_minute")) return "RATE";
  return "VALUE";
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Serve the arena: battles, votes, leaderboards, pages");
  struct Parsed {
    std::map<std::string, std::string> values;
    std::map<std::string, bool> switches;
    std::string config;
  };
  auto parsed = std::make_shared<Parsed>();
  std::vector<std::pair<std::string, CLI::Option*>> options;
  cmd->add_option("--config", parsed->config, "a TOML file of settings [env PADDOCK_CONFIG]")
      ->type_name("FILE");
  for (const auto& info : serve_setting_infos()) {
    // Each setting's variable is in its help; values are kept as text (flags, variables and
    // the file resolve together), so the help names what each takes instead of "TEXT".
    const std::string help = info.help + " [env " + info.env + "]";
    CLI::Option* opt;
    if (info.is_switch) {
      opt = cmd->add_flag(info.flag, parsed->switches[info.key], help);
    } else {
      opt = cmd->add_option(info.flag, parsed->values[info.key], help)
                ->type_name(value_name(info.key));
    }
    opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // the last one given wins
    options.emplace_back(info.key, opt);
  }
  cmd->callback([parsed, options, &exit_code] {
    std::map<std::string, std::string> flags;
    for (const auto& [key, opt] : options) {
      if (opt->count() == 0) continue;
      auto sw = parsed->switches.find(key);
      flags[key] =
          sw != parsed->switches.end() ? (sw->second ? "true" : "false") : parsed->values[key];
    }
    auto env = paddock_environment();
    std::optional<std::filesystem::path> config;
    if (!parsed->config.empty()) {
      config = parsed->config;
    } else if (auto e = env.find("PADDOCK_CONFIG"); e != env.end() && !e->second.empty()) {
      config = e->second;
    }
    auto settings = resolve_serve_settings(flags, env, config);
    if (!settings) {
      fmt::print(stderr, "paddock serve: {}\n", settings.error().message);
      exit_code = 2;
      return;
    }
    exit_code = serve(*settings);
  });
}

}  // namespace paddock::cli
