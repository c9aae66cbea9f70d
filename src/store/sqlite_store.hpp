#pragma once
// The SQLite implementation of Store: one database file, the embedded default.
//
// One write connection (SQLite allows one writer at a time; callers queue for it) and a few
// read connections, so reads run beside a long write (WAL mode). Every connection uses
// synchronous=FULL, foreign keys and a busy timeout of StoreOptions::busy_timeout_ms.

#include <memory>
#include <string>

#include "store/open_store.hpp"

namespace paddock::store {

// Opens the database file at `path` (created when missing, unless options say otherwise),
// switches it to WAL, and migrates it. Errors: "not_found", "db_corrupt" (not a SQLite
// file), "schema_too_new", "db_busy", "db_readonly", "io_error".
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const StoreOptions& options = {});

}  // namespace paddock::store
