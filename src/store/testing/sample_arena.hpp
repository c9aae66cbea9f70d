#pragma once
// Test support: a small but complete arena (two tracks, models of every status, prompts with
// and without a source, clips, battles, 47 votes with a gap in their ids and some voided,
// settings), and a check that two stores hold the same.

#include "store/store.hpp"

namespace paddock::store::test_support {

// Fills an empty store. Throws std::runtime_error if a write fails.
void fill_sample_arena(Store&);

// GoogleTest expectations that `a` and `b` hold the same catalog, battles, votes (ids, voids
// and all) and settings (the change counters aside).
void expect_same_content(Store& a, Store& b);

}  // namespace paddock::store::test_support
