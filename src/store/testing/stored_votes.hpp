#pragma once
// Test support: the votes a test run left in a database, read back, and what the crash and
// fault tests ask of them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/open_store.hpp"

namespace paddock::store::test_support {

// Every vote stored at `location` (anything open_store takes), in id order, voided ones
// included.
// Throws if the database cannot be opened or read.
std::vector<Vote> stored_votes(const std::string& location);

// What every crash test asks of the votes stored afterwards: no vote id and no battle is
// stored twice (each one a test failure). Returns battle id -> vote id of what is stored.
std::map<std::string, int64_t> expect_stored_once(const std::vector<Vote>& stored);

// expect_stored_once, and every acknowledged vote (battle id -> vote id) is stored.
void expect_acknowledged_stored_once(const std::vector<Vote>& stored,
                                     const std::map<std::string, int64_t>& acknowledged);

}  // namespace paddock::store::test_support
