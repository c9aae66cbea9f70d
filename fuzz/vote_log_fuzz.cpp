// Vote logs (votelog::read_vote_log_bytes): JSON Lines, JSON arrays and CSV, plain or gzip.
// The first byte chooses the options (format, --skip-invalid, filters); the rest is the log.
// Besides "no crash, no leak, no undefined behaviour", it checks what the header promises:
// - the votes read do not depend on the thread count or chunk size (JSON Lines is read in
//   parallel, in chunks that end at newlines);
// - the same log gzip'd reads the same;
// - every vote read is sound (two different, non-empty models) and passes the filters;
// - on error nothing is appended, and the error is "bad_vote_log" or "io_error".

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "support/fuzz_support.hpp"
#include "votelog/votelog.hpp"

namespace {

using namespace paddock;

// A table as comparable text: one line per vote, names and categories spelled out.
std::string describe(const rating::VoteTable& t) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    out += t.model_name(t.model_a()[i]);
    out += '\x1f';
    out += t.model_name(t.model_b()[i]);
    out += '\x1f';
    out += std::to_string(static_cast<int>(t.outcome()[i]));
    for (uint32_t c : t.category_set_members(t.category_set()[i])) {
      out += '\x1f';
      out += t.category_names()[c];
    }
    out += '\x1f';
    const double ts = t.tstamp()[i];
    out += std::isnan(ts) ? std::string("none") : std::to_string(ts);
    out += '\n';
  }
  return out;
}

std::string gzip(std::string_view bytes) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Outcome {
  Result<votelog::ReadReport> report;
  std::string votes;
};

Outcome read(std::string_view bytes, const votelog::ReadOptions& options) {
  rating::VoteTable table;
  auto report = votelog::read_vote_log_bytes(bytes, "votes", options, table);
  if (!report) {
    FUZZ_CHECK(table.empty(), "a failed read appended %zu votes", table.size());
    const auto& code = report.error().code;
    FUZZ_CHECK(code == "bad_vote_log" || code == "io_error", "unexpected error code %s",
               code.c_str());
  } else {
    FUZZ_CHECK(static_cast<int64_t>(table.size()) == report->added,
               "report says %lld added, table has %zu", static_cast<long long>(report->added),
               table.size());
    FUZZ_CHECK(report->added + report->filtered + report->skipped == report->records,
               "records %lld != added %lld + filtered %lld + skipped %lld",
               static_cast<long long>(report->records), static_cast<long long>(report->added),
               static_cast<long long>(report->filtered), static_cast<long long>(report->skipped));
    for (std::size_t i = 0; i < table.size(); ++i) {
      const auto& a = table.model_name(table.model_a()[i]);
      const auto& b = table.model_name(table.model_b()[i]);
      FUZZ_CHECK(!a.empty() && !b.empty() && a != b, "unsound vote %zu: \"%s\" vs \"%s\"", i,
                 a.c_str(), b.c_str());
      const double ts = table.tstamp()[i];
      if (options.filter.since) FUZZ_CHECK(ts >= *options.filter.since, "vote before since");
      if (options.filter.until) FUZZ_CHECK(ts < *options.filter.until, "vote after until");
    }
  }
  return {std::move(report), describe(table)};
}

bool same(const Outcome& x, const Outcome& y) {
  if (x.report.has_value() != y.report.has_value()) return false;
  if (!x.report) return x.report.error().message == y.report.error().message;
  return x.votes == y.votes && x.report->records == y.report->records &&
         x.report->skipped == y.report->skipped && x.report->filtered == y.report->filtered;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  const uint8_t bits = fuzz::take_byte(input);
  const uint8_t chunk = fuzz::take_byte(input);

  votelog::ReadOptions options;
  constexpr votelog::InputFormat kFormats[] = {
      votelog::InputFormat::Auto, votelog::InputFormat::JsonLines, votelog::InputFormat::JsonArray,
      votelog::InputFormat::Csv};
  options.format = kFormats[bits & 3];
  options.skip_invalid = (bits & 4) != 0;
  if (bits & 8) options.track = "t2v";
  if (bits & 16) {
    options.filter.since = 100;
    options.filter.until = 2e9;
  }
  if (bits & 32) options.filter.categories = {"animals", std::string(rating::kUncategorized)};
  options.threads = 1;
  options.chunk_bytes = std::size_t{1} << 16;  // one chunk for any input libFuzzer makes, at a
                                               // fraction of the default's 4 MiB per read

  const Outcome plain = read(input, options);

  // Many small chunks on two threads: the parallel JSON Lines path must agree. (Only JSON
  // Lines is read in chunks; every read costs a few large buffers, so the others skip this.)
  const auto first = input.find_first_not_of(" \t\r\n");
  const bool json_lines = options.format == votelog::InputFormat::JsonLines ||
                          (options.format == votelog::InputFormat::Auto &&
                           (first == std::string_view::npos || input[first] == '{' ||
                            input.starts_with("\xEF\xBB\xBF")));
  if (json_lines) {
    votelog::ReadOptions parallel = options;
    parallel.threads = 2;
    parallel.chunk_bytes = 1 + chunk % 97;
    const Outcome split = read(input, parallel);
    FUZZ_CHECK(same(plain, split), "one thread and two threads with %zu-byte chunks disagree",
               parallel.chunk_bytes);
  }

  // The same log gzip'd reads the same (unless it was gzip data already).
  if ((bits & 64) && !(input.size() >= 2 && static_cast<uint8_t>(input[0]) == 0x1f &&
                       static_cast<uint8_t>(input[1]) == 0x8b)) {
    const Outcome zipped = read(gzip(input), options);
    FUZZ_CHECK(same(plain, zipped), "the gzip'd log reads differently");
  }
  return 0;
}
