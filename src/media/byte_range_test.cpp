#include <gtest/gtest.h>

#include "media/media.hpp"

namespace paddock::media {
namespace {

struct RangeCase {
  const char* header;  // nullptr: no Range header
  int64_t size;
  RangeKind kind;
  int64_t first = 0;
  int64_t last = 0;
};

// RFC 9110 §14.1.2 and §14.4: what each Range header means for a resource of `size` bytes.
const RangeCase kCases[] = {
    {nullptr, 1000, RangeKind::Whole},
    {"bytes=0-499", 1000, RangeKind::Partial, 0, 499},
    {"bytes=500-999", 1000, RangeKind::Partial, 500, 999},
    {"bytes=500-", 1000, RangeKind::Partial, 500, 999},      // open-ended
    {"bytes=-500", 1000, RangeKind::Partial, 500, 999},      // suffix
    {"bytes=-1", 1000, RangeKind::Partial, 999, 999},        // last byte
    {"bytes=-5000", 1000, RangeKind::Partial, 0, 999},       // suffix longer than the file
    {"bytes=0-0", 1000, RangeKind::Partial, 0, 0},           // first byte
    {"bytes=900-5000", 1000, RangeKind::Partial, 900, 999},  // last clamped to the end
    {"bytes=999-", 1000, RangeKind::Partial, 999, 999},
    {"bytes=1000-", 1000, RangeKind::Unsatisfiable},  // first at the end
    {"bytes=1000-2000", 1000, RangeKind::Unsatisfiable},
    {"bytes=99999999999999999999999-", 1000, RangeKind::Unsatisfiable},  // saturates
    {"bytes=0-99999999999999999999999", 1000, RangeKind::Partial, 0, 999},
    {"bytes=-0", 1000, RangeKind::Unsatisfiable},  // empty suffix
    {"bytes=0-", 0, RangeKind::Unsatisfiable},     // empty resource
    {"bytes=-10", 0, RangeKind::Unsatisfiable},
    {"Bytes=10-19", 1000, RangeKind::Partial, 10, 19},      // unit is case-insensitive
    {" bytes = 10-19 ", 1000, RangeKind::Partial, 10, 19},  // optional whitespace
    {"bytes=0-1,5-6", 1000, RangeKind::Whole},              // multi-range: ignored
    {"bytes=-1,-2", 1000, RangeKind::Whole},
    {"bytes=500-400", 1000, RangeKind::Whole},  // last < first: invalid
    {"bytes=abc-", 1000, RangeKind::Whole},
    {"bytes=1-x", 1000, RangeKind::Whole},
    {"bytes=+1-2", 1000, RangeKind::Whole},
    {"bytes=-", 1000, RangeKind::Whole},
    {"bytes=", 1000, RangeKind::Whole},
    {"bytes=5", 1000, RangeKind::Whole},
    {"items=0-10", 1000, RangeKind::Whole},  // other units: ignored
    {"0-10", 1000, RangeKind::Whole},
    {"", 1000, RangeKind::Whole},
};

TEST(DecideRange, FollowsRfc9110ForEveryCase) {
  for (const RangeCase& c : kCases) {
    SCOPED_TRACE(c.header ? c.header : "(no header)");
    std::optional<std::string_view> header;
    if (c.header) header = c.header;
    RangeDecision d = decide_range(header, c.size);
    EXPECT_EQ(d.kind, c.kind);
    if (c.kind == RangeKind::Partial) {
      EXPECT_EQ(d.range.first, c.first);
      EXPECT_EQ(d.range.last, c.last);
      EXPECT_EQ(d.range.length(), c.last - c.first + 1);
    }
  }
}

TEST(DecideRange, PartialRangesAlwaysLieInsideTheResource) {
  const char* headers[] = {"bytes=0-", "bytes=-1", "bytes=-7", "bytes=3-4", "bytes=6-100"};
  for (int64_t size = 1; size <= 8; ++size) {
    for (const char* h : headers) {
      RangeDecision d = decide_range(std::string_view(h), size);
      if (d.kind != RangeKind::Partial) continue;
      EXPECT_GE(d.range.first, 0) << h << " size " << size;
      EXPECT_LE(d.range.first, d.range.last) << h << " size " << size;
      EXPECT_LT(d.range.last, size) << h << " size " << size;
    }
  }
}

}  // namespace
}  // namespace paddock::media
