#pragma once
// Test support: each store backend as a test sees it, so one suite runs against all of them
// (store_conformance_test.cpp, and any suite that wants "a fresh database of kind X").

#include <functional>
#include <string>

namespace paddock::store::test_support {

struct TestBackend {
  std::string name;  // "sqlite", "postgresql"; usable in test names
  // Where a new, empty database is (a file path or a URL); open it with open_store().
  std::function<std::string()> fresh_location;
  // Runs one SQL statement on the database at `location`, outside paddock's store (to set
  // up what paddock itself would never write), and returns the first cell of the first row
  // as text ("" if none). Throws std::runtime_error if the statement fails.
  std::function<std::string(const std::string& location, const std::string& sql)> query_text;
};

// SQLite files in a temporary directory deleted at exit.
const TestBackend& sqlite_test_backend();

// Fresh schemas (see PostgresCluster::create_schema) on the shared test cluster, started on
// first use. The URLs carry a password, which trust authentication ignores, so tests can
// check that it never shows.
const TestBackend& postgres_test_backend();

}  // namespace paddock::store::test_support
