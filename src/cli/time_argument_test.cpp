#include "cli/time_argument.hpp"

#include <gtest/gtest.h>

namespace paddock::cli {
namespace {

TEST(TimeArgument, ReadsSecondsAndUtcDates) {
  EXPECT_EQ(parse_time_argument("1700000000"), 1700000000.0);
  EXPECT_EQ(parse_time_argument("1700000000.5"), 1700000000.5);
  EXPECT_EQ(parse_time_argument("1970-01-02"), 86400.0);
  EXPECT_EQ(parse_time_argument("2023-11-14T22:13:20Z"), 1700000000.0);
  EXPECT_EQ(parse_time_argument("2023-11-14 22:13"), 1700000000.0 - 20);
}

TEST(TimeArgument, RefusesOtherText) {
  for (const char* bad :
       {"", "yesterday", "2023-13-01", "2023-11-14T25:00", "2023-11-14X", "2023-11-14T22:13:2",
        "nan",
        // found by fuzz/time_argument_fuzz: signs where digits belong
        "0001-01-01 -1:15", "2023-11-14T22:-1", "2023-11-14T22:13:-1", "-999-01-01"}) {
    EXPECT_FALSE(parse_time_argument(bad)) << bad;
  }
}

}  // namespace
}  // namespace paddock::cli
