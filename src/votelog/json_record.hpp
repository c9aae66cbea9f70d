#pragma once
// Reading one vote object with simdjson: the DOM API (JSON Lines: the library picks the
// fastest kernel for the CPU at run time) and the On-Demand API (JSON arrays: it needs no
// tape for the whole document, so a large array costs little memory).

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/short_text.hpp"
#include "votelog/vote_record.hpp"

namespace paddock::votelog {

// Reads the fields of `object` into `out` (cleared first). Returns a MalformedJson problem
// for a simdjson error, WrongType for a field of the wrong JSON type.
std::optional<Problem> read_json_record(simdjson::ondemand::object object, RawVote& out);

// The same for a DOM element (NotAnObject if it is not an object).
std::optional<Problem> read_dom_record(simdjson::dom::element element, RawVote& out);

// The common case without simdjson: a record on one line whose bytes are all ASCII, whose
// strings have no escapes, and whose fields have the types read_dom_record reads (other
// fields: scalars). Fills `out` exactly as read_dom_record would and returns true; returns
// false for anything else, valid or not (the caller then parses the line with simdjson,
// which also says what is wrong with it). See json_record_scan.cpp for the precise subset.
bool scan_simple_record(std::string_view line, RawVote& out);

// The fields scan_simple_record reads (Other: any field it does not read).
enum class ScannedField : uint8_t {
  ModelA,
  ModelB,
  Winner,
  Track,
  Language,
  Tstamp,
  Weight,
  Category,
  FeaturesA,
  FeaturesB,
  Other
};

// scan_simple_record for the lines of one log, one after another: the same answers, faster
// when the lines are alike. For each of the first fields it remembers what the last line had
// between the previous value and this field's value (comma, key, colon), and reads the same
// bytes in the next line without scanning the key again. One per thread.
class SimpleRecordScanner {
 public:
  bool scan(std::string_view line, RawVote& out);

 private:
  struct Guess {
    ShortText text;  // the bytes, when size > 0
    uint8_t size = 0;
    ScannedField field = ScannedField::Other;
  };
  std::array<Guess, 12> guesses_{};
};

// True when an On-Demand document has no content left.
bool at_end(simdjson::ondemand::document& doc);

// A problem for a simdjson error code.
Problem json_problem(simdjson::error_code error);

}  // namespace paddock::votelog
