#pragma once
// Test support for crash tests: runs store_crash_writer on a database, kills it with SIGKILL
// in the middle of its work, and returns what it had acknowledged.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace paddock::store::test_support {

struct CrashLoad {
  std::map<std::string, int64_t> acknowledged;  // battle id -> vote id, as reported
  std::vector<std::string> errors;              // "error ..." lines the writer printed
  bool killed = false;                          // false: it died on its own (a test failure)
};

// Starts `writer` (the store_crash_writer binary) on `location` with battle ids starting
// with `prefix`, lets it acknowledge at least `at_least` votes (or run for `timeout`),
// then kills it with SIGKILL and reads what it had printed before it died.
CrashLoad load_and_kill(const std::string& writer, const std::string& location,
                        const std::string& prefix, int batch_size, int at_least,
                        std::chrono::milliseconds timeout);

}  // namespace paddock::store::test_support
