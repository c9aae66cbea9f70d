#include "store/open_store.hpp"

#include <fmt/core.h>

#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace paddock::store {

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  return open_store(location, StoreOptions{});
}

Result<std::unique_ptr<Store>> open_store(const std::string& location,
                                          const StoreOptions& options) {
  std::string_view where = location;
  if (where.starts_with("postgresql://") || where.starts_with("postgres://")) {
    return open_postgres_store(location, options);
  }
  if (where.starts_with("sqlite:")) where.remove_prefix(7);
  if (where.find("://") != std::string_view::npos) {
    return fail("invalid_argument",
                fmt::format("{}: unknown kind of database; give a SQLite file path or a "
                            "postgresql:// URL",
                            location));
  }
  return open_sqlite_store(std::string(where), options);
}

}  // namespace paddock::store
