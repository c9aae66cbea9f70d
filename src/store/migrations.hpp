#pragma once
// Private to the store layer: the schema, as a numbered list of migrations shared by SQLite
// and PostgreSQL (docs/storage.md shows the resulting schema).

#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/sql_connection.hpp"

namespace paddock::store {

struct Migration {
  int version;  // 1, 2, 3, ... increasing (without gaps once the branches are merged)
  std::string_view description;
  // Portable SQL; {id_pk} and {text} are replaced by the dialect's spelling.
  std::string_view sql;
};

std::span<const Migration> migrations();

// The migration's SQL in the dialect's spelling.
std::string render(std::string_view sql, const SqlDialect&);

// Brings the schema of the database behind `connection` up to `target` (the latest version
// when target is 0), in one transaction. Returns the version the database has afterwards.
// Fails with "schema_too_new" when the database is newer than every migration we know;
// `database` names it in messages.
Result<int> migrate(SqlConnection& connection, const SqlDialect&, int target,
                    std::string_view database);

}  // namespace paddock::store
