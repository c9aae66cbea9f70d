#pragma once
// Copying a whole arena from one store to another (paddock copy): SQLite to PostgreSQL when
// an arena outgrows one machine, or back, or between files.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::store {

struct CopyOptions {
  // Allow a target that already holds data: catalog rows are upserted (the source wins),
  // battles and votes already present (by battle id) are kept as they are, other votes keep
  // their ids if those are above every id in the target (so a copy that failed half-way can
  // be resumed) or else get new ids after the target's own, and settings the target already
  // has keep its value. Without it, a target that holds anything is refused ("not_empty").
  bool merge = false;
  int64_t page_size = 2000;  // rows read and written per transaction
  // Called after each step with what is being copied ("votes"), how many so far, and of how
  // many. Optional.
  std::function<void(std::string_view what, int64_t done, int64_t total)> progress{};
};

struct CopyReport {
  Counts source;  // before the copy
  Counts target;  // after it
  int64_t votes_copied = 0;
  int64_t votes_already_there = 0;  // merge only: battles the target had a vote for
};

// Copies the catalog, battles, votes (with their ids, unless merging, and their voids) and
// settings from `from` into `to`, then checks the counts: every count of the target must
// equal the source's (when merging: be at least the source's), else "copy_mismatch" saying
// which. The change counters catalog_version and void_version are the target's own and are
// not copied. REQUIRES: `from` and `to` are different databases ("invalid_argument").
// Errors from either store are passed on with their codes; a failed copy may leave part of
// the data in the target (copy again with merge, or start over with an empty target).
Result<CopyReport> copy_store(Store& from, Store& to, const CopyOptions& options = {});

}  // namespace paddock::store
