#pragma once
// A fresh folder for one test, removed with everything in it when the object dies: the
// store's test-support TempDir (PADDOCK_KEEP_TEST_FILES=1 keeps it), named for the suites
// above the store.
//
//   paddock::testing::TempDir dir("paddock-test");   // e.g. /tmp/paddock-test-3f9a1c
//   auto db = dir / "paddock.db";

#include "store/testing/temp_dir.hpp"

namespace paddock::testing {

using TempDir = store::test_support::TempDir;

}  // namespace paddock::testing
