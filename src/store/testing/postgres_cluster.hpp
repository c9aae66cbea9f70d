#pragma once
// Test support: a throwaway PostgreSQL server for tests that need a real one.
//
//   #include "store/testing/postgres_cluster.hpp"
//   // once per test binary (register before RUN_ALL_TESTS, e.g. at namespace scope):
//   const auto* const kPostgres = ::testing::AddGlobalTestEnvironment(
//       new paddock::store::test_support::PostgresEnvironment);
//   // in a test:
//   auto& pg = paddock::store::test_support::shared_postgres_cluster();
//   std::string url = pg.create_database();  // a new, empty database
//
// The cluster is made with initdb and run with pg_ctl from the newest
// /usr/lib/postgresql/N/bin (or $PADDOCK_PG_BINDIR), as the unprivileged user "postgres"
// when the test runs as root, in a temporary directory, on a free port on 127.0.0.1 and a
// unix socket in that directory, with trust authentication for the superuser "postgres".
// It is stopped and deleted when the environment tears down or the cluster object is
// destroyed — and also when the test process dies in any way (a watchdog process waits
// for it), so no server is left behind.
//
// Register binaries that use it with add_test (one process for the whole binary), not
// gtest_discover_tests (one process per test), or each test would start its own cluster.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "base/result.hpp"

namespace paddock::store::test_support {

class PostgresCluster {
 public:
  struct Options {
    // Off by default: tests never lose power, and CREATE DATABASE and commits are much
    // faster; benchmarks turn it on to measure durable commits.
    bool fsync = false;
    int max_connections = 100;
  };

  static Result<std::unique_ptr<PostgresCluster>> start(const Options& options);
  static Result<std::unique_ptr<PostgresCluster>> start() { return start(Options{}); }
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& directory() const { return dir_; }

  // URL of `database` through the unix socket, as superuser "postgres".
  std::string url(std::string_view database) const;
  // The same over TCP on 127.0.0.1.
  std::string tcp_url(std::string_view database) const;

  // Creates a new, empty database and returns its URL (about a second: CREATE DATABASE
  // copies a template). Throws std::runtime_error on failure.
  std::string create_database();
  // Creates a new, empty schema in a database shared by such callers and returns a URL
  // whose search_path is that schema only: to paddock, a fresh empty database, in a few
  // milliseconds. Throws std::runtime_error on failure.
  std::string create_schema();

  // Server control, for outage tests. Each waits until done.
  Status stop();          // pg_ctl stop -m fast
  Status start_server();  // pg_ctl start after stop() or kill_server()
  Status restart();       // pg_ctl restart -m fast
  Status kill_server();   // SIGKILL to the postmaster: a crash, recovered on the next start

  std::string log() const;  // the server's log so far

 private:
  PostgresCluster() = default;
  Status pg_ctl(const std::vector<std::string>& args);
  Status run(const std::vector<std::string>& argv, bool as_postgres);
  void execute(const std::string& database, const std::string& sql);

  std::filesystem::path dir_;
  std::filesystem::path bindir_;
  int port_ = 0;
  bool as_root_ = false;
  Options options_;
  pid_t watchdog_ = -1;
  int watchdog_fd_ = -1;  // closing it (or dying) tells the watchdog to clean up
  std::atomic<int> next_{0};
  bool shared_database_made_ = false;
};

// The cluster shared by every test of this process, started on first use (aborting the
// test with a clear message if PostgreSQL cannot start).
PostgresCluster& shared_postgres_cluster();

// Stops and deletes the shared cluster, if it was started, when the tests end.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace paddock::store::test_support
