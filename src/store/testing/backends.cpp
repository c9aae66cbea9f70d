#include "store/testing/backends.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <stdexcept>

#include "store/testing/postgres_cluster.hpp"
#include "support/temp_dir.hpp"

namespace paddock::store::test_support {

namespace {

std::string sqlite_query_text(const std::string& location, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(location.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    throw std::runtime_error(location + ": " + message);
  }
  sqlite3_busy_timeout(db, 5000);
  std::string first;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      if (text != nullptr) first = text;
      rc = SQLITE_DONE;
    }
  }
  const std::string message = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  if (rc != SQLITE_DONE) throw std::runtime_error(location + ": " + sql + ": " + message);
  return first;
}

std::string postgres_query_text(const std::string& location, const std::string& sql) {
  PGconn* conn = PQconnectdb(location.c_str());
  std::string first;
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) {
      first = PQgetvalue(r, 0, 0);
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(location + ": " + sql + ": " + error);
  return first;
}

}  // namespace

const TestBackend& postgres_test_backend() {
  static const TestBackend backend{
      .name = "postgresql",
      .fresh_location =
          [] {
            std::string url = shared_postgres_cluster().create_schema();
            const std::string user = "postgresql://postgres@";
            return "postgresql://postgres:secret-password@" + url.substr(user.size());
          },
      .query_text = postgres_query_text,
  };
  return backend;
}

const TestBackend& sqlite_test_backend() {
  static paddock::testing::TempDir dir("paddock-store-test");
  static std::atomic<int> next{0};
  static const TestBackend backend{
      .name = "sqlite",
      .fresh_location = [] { return dir.file("db-" + std::to_string(next.fetch_add(1)) + ".db"); },
      .query_text = sqlite_query_text,
  };
  return backend;
}

}  // namespace paddock::store::test_support
