#pragma once
// The three vote-log readers, behind read_vote_log. Each appends to ctx.table and counts in
// ctx.report; a record's problem goes through report_problem.

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "rating/rating.hpp"
#include "votelog/byte_source.hpp"
#include "votelog/vote_record.hpp"
#include "votelog/votelog.hpp"

namespace paddock::votelog {

struct ReadContext {
  std::string_view name;  // the file, for messages
  const ReadOptions& options;
  ReadReport& report;
  rating::VoteTable& table;
};

// With skip_invalid, counts the problem and returns ok; otherwise the "bad_vote_log" error
// "NAME:LINE: detail".
Status report_problem(ReadContext& ctx, int64_t line, const Problem& problem);

// `head` holds bytes already taken from `source`: they come first.
Status read_json_lines(ByteSource& source, std::string head, ReadContext& ctx);
Status read_json_array(ByteSource& source, std::string head, ReadContext& ctx);
Status read_csv(ByteSource& source, std::string head, ReadContext& ctx);

}  // namespace paddock::votelog
