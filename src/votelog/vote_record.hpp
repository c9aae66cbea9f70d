#pragma once
// One record as any of the formats reads it, the problems a record can have, and the sink
// that checks a record and appends it to a table.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rating/rating.hpp"
#include "votelog/votelog.hpp"

namespace paddock::votelog {

// Field values as read; string_views point into the parser's buffers until the next record.
struct RawVote {
  std::optional<std::string_view> model_a, model_b, winner, track;
  std::vector<std::string_view> categories;
  double tstamp = rating::kNoTstamp;
};

enum class ProblemKind {
  MalformedJson,  // not valid JSON, or more than one value on a line
  MalformedCsv,   // wrong number of fields, unterminated quote
  NotAnObject,
  MissingField,
  WrongType,
  EmptyModel,
  UnknownWinner,
  SelfMatch,
};

struct Problem {
  ProblemKind kind;
  std::string detail;  // e.g. "unknown winner \"draw\" (expected ...)"
};

// Short reason for --skip-invalid counts: "malformed JSON", "unknown winner", ...
std::string_view reason_of(ProblemKind kind);

// Checks records and appends the valid ones that pass the filters to a table.
class VoteSink {
 public:
  VoteSink(const ReadOptions& options, rating::VoteTable& table);

  // Adds the vote, or counts it as filtered out; returns the problem if it is invalid.
  std::optional<Problem> accept(const RawVote& vote);

  int64_t added = 0;
  int64_t filtered = 0;

 private:
  uint32_t category_set(const std::vector<std::string_view>& categories);

  const ReadOptions& options_;
  rating::VoteTable& table_;
  bool time_filter_ = false;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> set_cache_;
  std::string key_;
};

}  // namespace paddock::votelog
