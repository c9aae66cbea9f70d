// scan_simple_record and SimpleRecordScanner against simdjson + read_dom_record: every line
// the scanner accepts must be valid JSON that read_dom_record reads into the very same
// RawVote (the reader trusts the scanner's answer and never parses such a line again), and
// the records paddock writes must be accepted (else the fast path is dead code).

#include <gtest/gtest.h>
#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "votelog/json_record.hpp"

namespace paddock::votelog {
namespace {

std::string describe(const RawVote& v) {
  auto text = [](const std::optional<std::string_view>& s) {
    return s ? "\"" + std::string(*s) + "\"" : std::string("none");
  };
  auto bits = [](double x) { return std::to_string(std::bit_cast<uint64_t>(x)); };
  std::string out = "a=" + text(v.model_a) + " b=" + text(v.model_b) + " w=" + text(v.winner) +
                    " track=" + text(v.track) + " lang=" + text(v.language) + " cat=[";
  for (auto c : v.categories) out += std::string(c) + ";";
  out += "] t=" + (std::isnan(v.tstamp) ? std::string("none") : bits(v.tstamp));
  out += " weight=" + (std::isnan(v.weight) ? std::string("none") : bits(v.weight)) + " fa={";
  for (const auto& [name, x] : v.features_a) out += std::string(name) + ":" + bits(x) + ";";
  out += "} fb={";
  for (const auto& [name, x] : v.features_b) out += std::string(name) + ":" + bits(x) + ";";
  return out + "}";
}

// Whether `scanner` accepted `line`; when it did, the test fails unless simdjson's DOM and
// read_dom_record read the same line into the same record. A scanner that has read other
// lines before (and guesses this one's layout from them) must answer as a fresh one does.
bool expect_scan_agrees(simdjson::dom::parser& parser, const std::string& line,
                        SimpleRecordScanner& scanner) {
  RawVote scanned, fresh;
  const bool accepted = scanner.scan(line, scanned);
  EXPECT_EQ(accepted, scan_simple_record(line, fresh))
      << "the scanner's guesses changed its answer: " << line;
  if (!accepted) return false;
  const std::string scanned_text = describe(scanned);
  EXPECT_EQ(scanned_text, describe(fresh)) << "the scanner's guesses changed the record: " << line;
  simdjson::padded_string padded(line);
  simdjson::dom::element element;
  const auto error = parser.parse(padded).get(element);
  EXPECT_EQ(error, simdjson::SUCCESS) << "scanner accepted invalid JSON: " << line;
  if (error) return true;
  RawVote dom;
  const auto problem = read_dom_record(element, dom);
  EXPECT_FALSE(problem) << "scanner accepted a record read_dom_record refuses ("
                        << (problem ? problem->detail : "") << "): " << line;
  if (!problem) {
    EXPECT_EQ(scanned_text, describe(dom)) << line;
  }
  return true;
}

const std::vector<std::string> kCommonRecords = {
    R"({"model_a":"model-089","model_b":"model-070","winner":"tie","category":["text"],"tstamp":1700000000,"track":"t2v"})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","category":"portrait","tstamp":1.5})",
    R"x({ "model_a" : "a" , "model_b" : "b" , "winner" : "tie (bothbad)" , "category" : [ "x" , "y" ] } )x",
    R"({"model_a":"a","model_b":"b","winner":"model_b","category":null,"tstamp":null,"language":"de"})",
    R"({"model_a":"a","model_b":"b","winner":"model_b","features_a":{"duration":4.5,"fps":24,"audio":null},"features_b":{}})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","voter":"v1","n":-12,"ok":true,"no":false,"x":null,"e":1e-3,"E":-2.5E+7})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","category":[]})",
    R"({"model_a":"a","model_a":"c","model_b":"b","winner":"model_a","category":["x"],"category":null})",
    R"({"model_a":"a","model_b":null,"winner":"model_a","tstamp":0,"tstamp":123456789012345})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","weight":0.25,"tstamp":7})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","weight":1,"weight":null})",
    R"({"model_a":"a","model_b":"b","winner":"model_a","weight":2.5e-1})",
    "{}",
    "\t{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\"}\r",
};

TEST(ScanSimpleRecord, ReadsTheCommonRecordsAsTheDomReaderDoes) {
  simdjson::dom::parser parser;
  for (const auto& line : kCommonRecords) {
    SimpleRecordScanner scanner;
    EXPECT_TRUE(expect_scan_agrees(parser, line, scanner)) << "not accepted: " << line;
  }
}

TEST(ScanSimpleRecord, LinesOfAnotherLayoutThanTheLastAreReadAsOnTheirOwn) {
  // One scanner over lines whose keys, order, spacing and number of fields change from line to
  // line, and keys that extend or cut short the last line's (its guesses then do not fit).
  std::vector<std::string> lines = kCommonRecords;
  const std::vector<std::string> more = {
      R"({"model_a":"a","model_b":"b","winner":"model_a"})",
      R"({"model_ab":"x","model_a":"a","model_b":"b","winner":"model_b"})",
      R"({"model_":"x","model_a":"a","model_b":"b","winner":"model_b"})",
      R"({"model_a" :"a","model_b":"b","winner":"model_a"})",
      R"({"model_a": "a","model_b":"b","winner":"model_a"})",
      R"({"model_a":"a", "model_b":"b","winner":"model_a"})",
      R"({"model_a":"a" ,"model_b":"b","winner":"model_a"})",
      R"({"winner":"tie","model_b":"b","model_a":"a","tstamp":5})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":12345678,"weight":0.5})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":"12345678"})",
      R"({"model_a":"a","model_b":"b","winner":"model_a"})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"tstamp":99})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"language":"fr","tstamp":98})",
      R"({"a_very_long_key_indeed":1,"model_a":"a","model_b":"b","winner":"model_a"})",
      R"({"a_very_long_key_indeed":1,"model_a":"a","model_b":"b","winner":"model_a"})",
      R"({"model_a":"a","model_b":"b","winner":"model_a"})",
      R"({"model_a":"a","model_b":"b","winner":"model_a"} )",
      R"({"model_a":"a","model_b":"b","winner":"model_a"}})",
      R"({"model_a":"a","model_b":"b"})",
      R"({})",
      R"({"model_a":"a","model_b":"b","winner":"model_a"})",
  };
  lines.insert(lines.end(), more.begin(), more.end());
  lines.insert(lines.end(), kCommonRecords.rbegin(), kCommonRecords.rend());
  simdjson::dom::parser parser;
  SimpleRecordScanner scanner;
  int accepted = 0;
  for (const auto& line : lines) accepted += expect_scan_agrees(parser, line, scanner) ? 1 : 0;
  EXPECT_EQ(accepted, static_cast<int>(lines.size()) - 2);  // the quoted tstamp and "}}"
}

TEST(ScanSimpleRecord, LeavesEverythingElseToSimdjson) {
  const std::vector<std::string> others = {
      R"({"model_a":"caf\u00e9","model_b":"b","winner":"model_a"})",             // escape
      "{\"model_a\":\"caf\xc3\xa9\",\"model_b\":\"b\",\"winner\":\"model_a\"}",  // UTF-8
      "{\"model_a\":\"a\x01\",\"model_b\":\"b\",\"winner\":\"model_a\"}",    // control character
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":"17"})",   // quoted tstamp
      R"({"model_a":"a","model_b":"b","winner":"model_a","weight":"0.5"})",  // quoted weight
      R"({"model_a":"a","model_b":"b","winner":"model_a","weight":true})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":-0})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":1234567890123456})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":1e999})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":01})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":1.})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","tstamp":.5})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","extra":{"n":[1,2]}})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","category":["x",1]})",
      R"({"model_a":5,"model_b":"b","winner":"model_a"})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","features_a":{"d":true}})",
      R"({"model_a":"a","model_b":"b","winner":"model_a",})",
      R"({"model_a":"a","model_b":"b","winner":"model_a"} x)",
      R"({"model_a":"a","model_b":"b","winner":"model_a")",
      R"(["model_a","a"])",
      R"({"model_a":"a","model_b":"b","winner":nul})",
      R"({"model_a":"a","model_b":"b","winner":"model_a","x":truex})",
  };
  for (const auto& line : others) {
    RawVote raw;
    EXPECT_FALSE(scan_simple_record(line, raw)) << line;
  }
}

// Byte mutations of the common records (a small deterministic fuzzer): whatever the scanner
// accepts, the DOM reader must read the same way, and a scanner that has read other lines
// must answer as a fresh one.
TEST(ScanSimpleRecord, MutatedRecordsThatItAcceptsReadTheSame) {
  const std::string alphabet = std::string("\"\\{}[],:0123456789-+.eE ntfrualsx\t\r") +
                               std::string("\x01\x1f\x7f\x80\xc3\xa9\xff", 7) +
                               std::string(1, '\0');
  std::mt19937_64 rng(20261206);
  simdjson::dom::parser parser;
  SimpleRecordScanner scanner;
  int accepted = 0;
  constexpr int kMutants = 40000;
  for (int i = 0; i < kMutants; ++i) {
    std::string line = kCommonRecords[rng() % kCommonRecords.size()];
    // The scanner reads the record first and so guesses the mutant's layout from it: the
    // mutant then meets guesses that fit up to its mutation and not beyond.
    expect_scan_agrees(parser, line, scanner);
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = line.empty() ? 0 : rng() % line.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (!line.empty()) line[at] = c;
          break;
        case 1:
          line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          if (!line.empty()) line.erase(at, 1);
          break;
      }
    }
    if (expect_scan_agrees(parser, line, scanner)) ++accepted;
    if (testing::Test::HasFailure()) break;
  }
  // The mutants must reach the accepting paths too, or this test checks nothing.
  if (!testing::Test::HasFailure()) {
    EXPECT_GT(accepted, kMutants / 20);
  }
}

}  // namespace
}  // namespace paddock::votelog
