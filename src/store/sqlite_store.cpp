#include "store/sqlite_store.hpp"

#include <fmt/core.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>
#include <unordered_map>

#include "store/connection_pool.hpp"
#include "store/migrations.hpp"
#include "store/sql_store.hpp"
#include "store/sqlite_checkpointer.hpp"

// UPSERT and RETURNING (3.35), IS DISTINCT FROM (3.39)
static_assert(SQLITE_VERSION_NUMBER >= 3039000, "paddock needs SQLite 3.39 or newer");

namespace paddock::store {
namespace {

constexpr SqlDialect kSqliteDialect = {
    .name = "sqlite",
    .id_primary_key = "INTEGER PRIMARY KEY AUTOINCREMENT",  // ids never reused
    .text_type = "TEXT",                                    // BINARY collation: byte order
    .migration_lock = "",                                   // BEGIN IMMEDIATE suffices
    .vote_order_lock = "",                                  // one writer at a time
    .after_explicit_vote_ids = "",  // AUTOINCREMENT remembers the largest id ever stored
};

Error sqlite_error(int rc, sqlite3* db, const std::string& database, int busy_timeout_ms) {
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {"db_busy",
              fmt::format("{}: the database is locked by another connection (waited {} ms): {}",
                          database, busy_timeout_ms, detail)};
    case SQLITE_FULL:
      return {"db_full",
              fmt::format("{}: the disk or the database is full; nothing of this call was "
                          "stored: {}",
                          database, detail)};
    case SQLITE_CORRUPT:
      return {"db_corrupt", fmt::format("{}: the database is damaged: {}", database, detail)};
    case SQLITE_NOTADB:
      return {"db_corrupt", fmt::format("{}: not a SQLite database: {}", database, detail)};
    case SQLITE_READONLY:
      return {"db_readonly",
              fmt::format("{}: the database cannot be written: {}", database, detail)};
    case SQLITE_IOERR:
      return {"io_error", fmt::format("{}: input/output error: {}", database, detail)};
    case SQLITE_CANTOPEN:
      return {"io_error", fmt::format("{}: cannot open the database file: {}", database, detail)};
    case SQLITE_CONSTRAINT:
      return {"conflict", fmt::format("{}: {}", database, detail)};
    default:
      return {"db_error", fmt::format("{}: {}", database, detail)};
  }
}

// Our statements use $1, $2, ...; SQLite's numbered parameters are ?1, ?2, ...
std::string sqlite_parameters(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string database, int busy_timeout_ms)
      : db_(db), database_(std::move(database)), busy_timeout_ms_(busy_timeout_ms) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  ~SqliteConnection() override {
    checkpointer_.reset();
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  // Moves this (writer) connection's checkpoints to a background thread on `own`, another
  // connection to the same database.
  void checkpoint_in_background(sqlite3* own) {
    checkpointer_ = std::make_unique<SqliteCheckpointer>(db_, own);
  }

  Result<SqlRows> query(std::string_view sql, std::span<const SqlParam> params) override {
    SqlRows rows;
    auto status = run(sql, params, &rows);
    if (!status) return std::unexpected(status.error());
    return rows;
  }

  Result<int64_t> execute(std::string_view sql, std::span<const SqlParam> params) override {
    auto status = run(sql, params, nullptr);
    if (!status) return std::unexpected(status.error());
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status execute_script(std::string_view sql) override {
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(error(rc));
    return ok();
  }

  Status begin(Access access) override {
    return execute_script(access == Access::Write ? "BEGIN IMMEDIATE" : "BEGIN");
  }

  Status commit() override { return execute_script("COMMIT"); }

  void rollback() override {
    // After some errors (SQLITE_FULL, SQLITE_IOERR, ...) SQLite has already rolled back.
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  bool usable() const override { return true; }

 private:
  Error error(int rc) const { return sqlite_error(rc, db_, database_, busy_timeout_ms_); }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    if (statements_.size() >= kMaxCachedStatements) {
      for (auto& [text, stmt] : statements_) sqlite3_finalize(stmt);
      statements_.clear();
    }
    const std::string text = sqlite_parameters(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return std::unexpected(error(rc));
    }
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  Status run(std::string_view sql, std::span<const SqlParam> params, SqlRows* rows) {
    auto prepared = prepare(sql);
    if (!prepared) return std::unexpected(prepared.error());
    sqlite3_stmt* stmt = *prepared;
    // Reset on every way out, so the statement holds no lock or snapshot between calls.
    struct Reset {
      sqlite3_stmt* stmt;
      ~Reset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};

    for (size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, at, *n);
      } else if (const auto* d = std::get_if<double>(&params[i])) {
        rc = sqlite3_bind_double(stmt, at, *d);
      } else if (const auto* s = std::get_if<std::string_view>(&params[i])) {
        rc = sqlite3_bind_text64(stmt, at, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, at);
      }
      if (rc != SQLITE_OK) return std::unexpected(error(rc));
    }

    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return std::unexpected(error(rc));
      if (rows == nullptr) continue;
      const int columns = sqlite3_column_count(stmt);
      SqlRow& row = rows->emplace_back();
      row.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            row.emplace_back(int64_t{sqlite3_column_int64(stmt, c)});
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            row.emplace_back(std::monostate{});
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            const int bytes = sqlite3_column_bytes(stmt, c);
            row.emplace_back(std::string(text == nullptr ? "" : text, static_cast<size_t>(bytes)));
          }
        }
      }
    }
  }

  static constexpr size_t kMaxCachedStatements = 128;

  sqlite3* db_;
  const std::string database_;
  const int busy_timeout_ms_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
};

enum class Role { Writer, Reader };

Result<std::unique_ptr<SqlConnection>> open_connection(const std::string& path,
                                                       const std::string& database,
                                                       const StoreOptions& options, Role role,
                                                       bool create) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, db, database, options.busy_timeout_ms);
    sqlite3_close_v2(db);
    return std::unexpected(std::move(e));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto connection = std::make_unique<SqliteConnection>(db, database, options.busy_timeout_ms);

  if (role == Role::Writer) {
    // Also the first statement that reads the file: a file that is not a database fails here.
    auto mode = connection->query("PRAGMA journal_mode=WAL", {});
    if (!mode) return std::unexpected(mode.error());
    const std::string got = mode->empty() ? "" : as_text(mode->front().at(0));
    if (got != "wal") {
      return fail("db_error",
                  fmt::format("{}: cannot use write-ahead logging (journal mode stays \"{}\"); "
                              "is the file on a network file system?",
                              database, got));
    }
  }
  std::string setup = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
  if (role == Role::Reader) setup += " PRAGMA query_only=ON;";
  if (auto s = connection->execute_script(setup); !s) return std::unexpected(s.error());
  for (const std::string& sql : options.connection_sql) {
    if (auto s = connection->execute_script(sql); !s) return std::unexpected(s.error());
  }
  // Read the schema now, so a damaged or foreign file is reported at open.
  if (auto r = connection->query("SELECT COUNT(*) FROM sqlite_schema", {}); !r) {
    return std::unexpected(r.error());
  }
  if (role == Role::Writer) {
    // Without a second connection the writer keeps SQLite's own checkpoints: slower
    // commits now and then, nothing worse.
    sqlite3* own = nullptr;
    if (sqlite3_open_v2(path.c_str(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) ==
            SQLITE_OK &&
        sqlite3_exec(own, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(own, options.busy_timeout_ms);
      connection->checkpoint_in_background(own);
    } else {
      sqlite3_close_v2(own);
    }
  }
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

std::string describe_path(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return "sqlite:" + (ec ? path : absolute.lexically_normal().string());
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const StoreOptions& options) {
  if (path.empty()) return fail("invalid_argument", "sqlite: empty database path");
  const std::string database = describe_path(path);
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && !options.create_if_missing) {
    return fail("not_found", fmt::format("{}: no such database file", database));
  }

  auto writer = open_connection(path, database, options, Role::Writer, options.create_if_missing);
  if (!writer) return std::unexpected(writer.error());
  auto version = migrate(**writer, kSqliteDialect, options.migrate_to.value_or(0), database);
  if (!version) return std::unexpected(version.error());

  const auto wait = std::chrono::milliseconds(options.busy_timeout_ms);
  auto writers = std::make_unique<ConnectionPool>(
      [path, database, options] {
        return open_connection(path, database, options, Role::Writer, false);
      },
      1, wait, database);
  writers->adopt(std::move(*writer));
  auto readers = std::make_unique<ConnectionPool>(
      [path, database, options] {
        return open_connection(path, database, options, Role::Reader, false);
      },
      options.connections, wait, database);
  return std::make_unique<SqlStore>(kSqliteDialect, database, *version, std::move(writers),
                                    std::move(readers));
}

}  // namespace paddock::store
