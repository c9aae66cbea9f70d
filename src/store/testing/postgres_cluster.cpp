#include "store/testing/postgres_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace paddock::store::test_support {
namespace {

constexpr std::string_view kSharedDatabase = "paddock_tests";

std::filesystem::path find_bindir() {
  if (const char* env = std::getenv("PADDOCK_PG_BINDIR")) return env;  // NOLINT
  std::filesystem::path best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  return best;
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string tail(const std::filesystem::path& file, size_t bytes = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    } else {
      out.append(fmt::format("%{:02X}", static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::start(const Options& options) {
  std::unique_ptr<PostgresCluster> c(new PostgresCluster());
  c->options_ = options;
  c->as_root_ = geteuid() == 0;
  c->bindir_ = find_bindir();
  if (c->bindir_.empty()) {
    return fail("not_found",
                "no PostgreSQL server programs in /usr/lib/postgresql/*/bin (install Debian's "
                "postgresql package, or set PADDOCK_PG_BINDIR)");
  }
  passwd* postgres = nullptr;
  if (c->as_root_) {
    postgres = getpwnam("postgres");  // NOLINT(concurrency-mt-unsafe): tests start it once
    if (postgres == nullptr) {
      return fail("not_found",
                  "running as root, but there is no user \"postgres\" to run "
                  "PostgreSQL as (install Debian's postgresql package)");
    }
  }

  // Under /tmp, not $TMPDIR: the postgres user must be able to reach it.
  char pattern[] = "/tmp/paddock-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return fail("io_error", "cannot create a directory in /tmp");
  c->dir_ = pattern;
  if (postgres != nullptr && chown(pattern, postgres->pw_uid, postgres->pw_gid) != 0) {
    return fail("io_error", fmt::format("cannot give {} to the postgres user", pattern));
  }

  // The watchdog: a shell waiting for the end of a pipe only we hold. When we close it, or
  // die (even by SIGKILL), it stops the server and deletes the directory.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail("io_error", "pipe2 failed");
  const std::string pg_ctl = (c->bindir_ / "pg_ctl").string();
  const std::string stop =
      fmt::format("{}'{}' -D '{}/data' -m immediate stop",
                  c->as_root_ ? "runuser -u postgres -- " : "", pg_ctl, c->dir_.string());
  const std::string script =
      fmt::format("cat >/dev/null; {} >/dev/null 2>&1; rm -rf '{}'", stop, c->dir_.string());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);  // outlives a killed group
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  const int spawned = posix_spawn(&c->watchdog_, "/bin/sh", &actions, &attributes,
                                  const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(fds[0]);
  if (spawned != 0) {
    close(fds[1]);
    std::filesystem::remove_all(c->dir_);
    return fail("io_error", "cannot start the cleanup watchdog");
  }
  c->watchdog_fd_ = fds[1];

  const std::string data = (c->dir_ / "data").string();
  if (auto s = c->run({(c->bindir_ / "initdb").string(), "-D", data, "-A", "trust", "-U",
                       "postgres", "-E", "UTF8", "--locale=C", "-N"},
                      true);
      !s) {
    return std::unexpected(s.error());
  }
  Status started = fail("io_error", "not started");
  for (int attempt = 0; attempt < 5 && !started; ++attempt) {
    c->port_ = free_port();
    started = c->start_server();
  }
  if (!started) return std::unexpected(started.error());
  return c;
}

PostgresCluster::~PostgresCluster() {
  if (port_ != 0) (void)pg_ctl({"stop", "-m", "immediate"});
  if (watchdog_fd_ >= 0) close(watchdog_fd_);
  if (watchdog_ > 0) {
    int status = 0;
    waitpid(watchdog_, &status, 0);  // it deletes the directory, then exits
  }
}

std::string PostgresCluster::url(std::string_view database) const {
  return fmt::format("postgresql://postgres@/{}?host={}&port={}", database,
                     url_encode(dir_.string()), port_);
}

std::string PostgresCluster::tcp_url(std::string_view database) const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}", port_, database);
}

std::string PostgresCluster::create_database() {
  const std::string name = fmt::format("test_{}", next_.fetch_add(1));
  execute("postgres", "CREATE DATABASE " + name);
  return url(name);
}

std::string PostgresCluster::create_schema() {
  static std::mutex mutex;
  {
    std::lock_guard lock(mutex);
    if (!shared_database_made_) {
      execute("postgres", fmt::format("CREATE DATABASE {}", kSharedDatabase));
      shared_database_made_ = true;
    }
  }
  const std::string name = fmt::format("test_{}", next_.fetch_add(1));
  execute(std::string(kSharedDatabase), "CREATE SCHEMA " + name);
  return url(kSharedDatabase) + "&options=" + url_encode("-c search_path=" + name);
}

Status PostgresCluster::stop() {
  return pg_ctl({"stop", "-m", "fast"});
}

Status PostgresCluster::start_server() {
  const std::string server_options =
      fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections={}",
                  port_, dir_.string(), options_.fsync ? "on" : "off", options_.max_connections);
  // After kill_server() the old backends take a moment to notice and leave; until then the
  // server refuses to start.
  Status started = fail("io_error", "not started");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!started && std::chrono::steady_clock::now() < deadline) {
    started = pg_ctl(
        {"start", "-w", "-t", "60", "-l", (dir_ / "server.log").string(), "-o", server_options});
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return started;
}

Status PostgresCluster::restart() {
  const std::string server_options =
      fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections={}",
                  port_, dir_.string(), options_.fsync ? "on" : "off", options_.max_connections);
  return pg_ctl({"restart", "-m", "fast", "-w", "-t", "60", "-l", (dir_ / "server.log").string(),
                 "-o", server_options});
}

Status PostgresCluster::kill_server() {
  std::ifstream pid_file(dir_ / "data" / "postmaster.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) return fail("not_found", "the server is not running");
  if (kill(pid, SIGKILL) != 0) return fail("io_error", "cannot kill the server");
  while (kill(pid, 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return ok();
}

std::string PostgresCluster::log() const {
  return tail(dir_ / "server.log", 20000);
}

Status PostgresCluster::pg_ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, true);
}

Status PostgresCluster::run(const std::vector<std::string>& command, bool as_postgres) {
  std::vector<std::string> argv;
  if (as_root_ && as_postgres) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);

  const std::string log = (dir_ / "commands.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0666);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return fail("io_error", fmt::format("cannot run {}", argv[0]));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  std::string line;
  for (const auto& a : command) line += a + " ";
  return fail("io_error", fmt::format("PostgreSQL test cluster: {}failed:\n{}\nserver log:\n{}",
                                      line, tail(log), tail(dir_ / "server.log")));
}

void PostgresCluster::execute(const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(url(database).c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

namespace {

std::mutex shared_mutex;
std::unique_ptr<PostgresCluster> shared_cluster;
std::string shared_failure;

}  // namespace

PostgresCluster& shared_postgres_cluster() {
  std::lock_guard lock(shared_mutex);
  if (!shared_cluster && shared_failure.empty()) {
    auto started = PostgresCluster::start();
    if (started) {
      shared_cluster = std::move(*started);
    } else {
      shared_failure = started.error().message;
    }
  }
  if (!shared_cluster) throw std::runtime_error("no PostgreSQL for tests: " + shared_failure);
  return *shared_cluster;
}

void PostgresEnvironment::TearDown() {
  std::lock_guard lock(shared_mutex);
  shared_cluster.reset();
}

}  // namespace paddock::store::test_support
