#pragma once
// Opening a paddock database by its location: a SQLite file or a PostgreSQL URL. The one
// place that knows which implementation of store/store.hpp a location means.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::store {

struct StoreOptions {
  // SQLite: create the file if it does not exist (otherwise "not_found").
  bool create_if_missing = true;
  // How long a call waits for a database lock or a free connection before "db_busy".
  int busy_timeout_ms = 5000;
  // PostgreSQL: the connection pool size. SQLite: the most read connections (one writer).
  int connections = 8;
  // PostgreSQL: how long to wait for a connection to be established.
  int connect_timeout_s = 5;
  // Tests only: migrate no further than this version (to make an older database).
  std::optional<int> migrate_to{};
  // Tests only: SQL run on every new connection, after paddock's own settings
  // (e.g. "PRAGMA max_page_count=100" to simulate a full disk).
  std::vector<std::string> connection_sql{};
};

// Opens a store from a location: a file path (SQLite, created if missing), "sqlite:PATH",
// or a "postgresql://" / "postgres://" URL. Runs pending migrations; refuses a database whose
// schema is newer than this program knows ("schema_too_new", naming both versions).
Result<std::unique_ptr<Store>> open_store(const std::string& location);
Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions&);

}  // namespace paddock::store
