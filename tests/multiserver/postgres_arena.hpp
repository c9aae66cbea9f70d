#pragma once
// An arena on PostgreSQL for end-to-end tests: the catalog and clips of TestArena, moved
// into a fresh database of the shared PostgreSQL test cluster with `paddock copy`, as an
// operator moves an arena, ready for any number of `paddock serve` processes.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "paddock_server.hpp"
#include "store/store.hpp"
#include "store/testing/stored_votes.hpp"
#include "test_arena.hpp"

namespace paddock::testing {

class PostgresArena {
 public:
  // Throws std::runtime_error if PostgreSQL cannot start or the copy fails.
  PostgresArena();

  // The database, as every server and command of the test is given it.
  const std::string& url() const { return url_; }
  // TestArena::server_options on this database: every server gets the same configuration.
  PaddockServer::Options server_options(std::vector<std::string> extra = {}) const;
  // A store on the database, for checking what was stored.
  std::unique_ptr<store::Store> open() const;
  const TestArena& files() const { return files_; }

 private:
  TestArena files_;
  std::string url_;
};

// Every vote stored, in id order (voided ones included).
using store::test_support::stored_votes;

// The board JSON without its `computed_at` (the only field two servers may differ in).
nlohmann::json board_without_time(nlohmann::json board);

}  // namespace paddock::testing
