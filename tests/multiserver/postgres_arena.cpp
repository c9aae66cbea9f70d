#include "postgres_arena.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "store/open_store.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "support/process.hpp"

namespace paddock::testing {
namespace {

// The shared PostgreSQL cluster stops when the tests end (its watchdog also stops it if the
// test process dies).
const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new store::test_support::PostgresEnvironment);

}  // namespace

PostgresArena::PostgresArena()
    : url_(store::test_support::shared_postgres_cluster().create_database()) {
  auto r = run_process(
      {paddock_binary().string(), "copy", "--from", files_.db().string(), "--to", url_});
  if (r.exit_code != 0) throw std::runtime_error("paddock copy failed:\n" + r.out + r.err);
}

PaddockServer::Options PostgresArena::server_options(std::vector<std::string> extra) const {
  auto o = files_.server_options(std::move(extra));
  o.db = url_;
  return o;
}

std::unique_ptr<store::Store> PostgresArena::open() const {
  auto s = store::open_store(url_);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

nlohmann::json board_without_time(nlohmann::json board) {
  board.erase("computed_at");
  return board;
}

}  // namespace paddock::testing
