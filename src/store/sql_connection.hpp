#pragma once
// Private to the store layer: the little a backend must offer so that one implementation of
// Store (sql_store.hpp) serves both SQLite and PostgreSQL. Statements are written once, in
// the SQL both databases accept, with PostgreSQL-style parameters $1, $2, ...

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"

namespace paddock::store {

// A parameter: NULL, an integer, a real or text (the text must outlive the call).
using SqlParam = std::variant<std::nullptr_t, int64_t, double, std::string_view>;

// A result cell. SQLite gives typed cells; PostgreSQL gives text, which the accessors parse.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;

int64_t as_int(const SqlValue&);
double as_real(const SqlValue&);
std::string as_text(const SqlValue&);

enum class Access { Read, Write };

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs one statement and returns the rows it produced (none for most writes).
  virtual Result<SqlRows> query(std::string_view sql, std::span<const SqlParam> params) = 0;
  // Runs one statement and returns how many rows it inserted, updated or deleted.
  virtual Result<int64_t> execute(std::string_view sql, std::span<const SqlParam> params) = 0;
  // Runs several statements separated by ';', without parameters (migrations).
  virtual Status execute_script(std::string_view sql) = 0;

  // Read: a consistent snapshot. Write: a transaction that may write; SQLite takes the write
  // lock at once (BEGIN IMMEDIATE) so the transaction cannot fail half-way on a lock.
  virtual Status begin(Access) = 0;
  virtual Status commit() = 0;
  // Ends the open transaction, if any, without its changes. Never fails.
  virtual void rollback() = 0;

  // False once the connection is known to be useless (PostgreSQL: the server went away).
  virtual bool usable() const = 0;
};

// What differs between the two SQL dialects, beyond what every statement can share.
struct SqlDialect {
  std::string_view name;  // "sqlite", "postgresql"
  // Substituted for {id_pk} and {text} in migrations.
  std::string_view id_primary_key;
  std::string_view text_type;
  // Run first in a write transaction that migrates the schema; empty for none.
  std::string_view migration_lock;
  // Run first in a write transaction that stores votes, so vote ids increase in commit
  // order even with several writers; empty when the database already has one writer.
  std::string_view vote_order_lock;
  // Run after votes were stored with explicit ids, so later generated ids are larger.
  std::string_view after_explicit_vote_ids;
};

}  // namespace paddock::store
