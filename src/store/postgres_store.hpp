#pragma once
// The PostgreSQL implementation of Store, for several paddock servers sharing one database.
//
// A pool of StoreOptions::connections connections (libpq), each with synchronous_commit on
// and lock_timeout = busy_timeout_ms. Votes are stored under a transaction-level advisory
// lock so that vote ids increase in commit order across all servers (docs/storage.md).
// A connection found dead when a call starts (the server restarted) is replaced once;
// while the server is down calls fail with "db_unreachable".

#include <memory>
#include <string>

#include "store/open_store.hpp"

namespace paddock::store {

// Connects to the database at `url` ("postgresql://user:password@host:port/dbname?..."; any
// libpq parameter may be given in the query string) and migrates it. Errors:
// "invalid_argument" (not a connection URL), "db_unreachable", "schema_too_new", "db_busy".
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url,
                                                   const StoreOptions& options = {});

// The URL without its password (and without parameters that do not pick the database),
// e.g. "postgresql://arena@db.internal:5432/paddock"; what Store::describe() returns.
// nullopt if libpq cannot parse `url`.
std::optional<std::string> describe_postgres_url(const std::string& url);

}  // namespace paddock::store
