#pragma once
// votelog: vote logs in the common arena battle format, read into a rating::VoteTable and
// written back. docs/vote-log-format.md describes the format.
//
// One object per vote: "model_a", "model_b", "winner" ("model_a", "model_b", "tie" or
// "tie (bothbad)"), and optional "category" (string or list of strings), "track", "tstamp"
// (seconds), "language" (the prompt's), "features_a" / "features_b" (per-clip measurements,
// name -> number; CSV: columns "features_a.NAME", "features_b.NAME"), "voter"; other fields
// are ignored. As JSON Lines, one JSON array, or CSV with a
// header row; from a file or standard input; gzip-compressed input is recognised by its
// magic bytes.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "rating/rating.hpp"

namespace paddock::votelog {

// ---- reading ---------------------------------------------------------------------------

enum class InputFormat { Auto, JsonLines, JsonArray, Csv };
// "auto", "jsonl", "json", "csv".
std::optional<InputFormat> parse_input_format(std::string_view name);

struct ReadOptions {
  InputFormat format = InputFormat::Auto;  // Auto: '[' starts a JSON array, '{' JSON Lines,
                                           // anything else a CSV header
  std::optional<std::string> track;        // keep only votes with this "track"
  rating::VoteFilter filter;               // categories any-of, since/until, while reading
  bool skip_invalid = false;               // skip invalid records instead of failing
  int threads = 0;                         // parser threads for JSON Lines; 0: all cores
  std::size_t chunk_bytes = 0;             // JSON Lines chunk size; 0: 4 MiB (tests use
                                           // small chunks to exercise the parallel path)
};

struct ReadReport {
  std::string format;    // "jsonl", "json" or "csv", with " (gzip)" when compressed
  int64_t records = 0;   // records seen, valid or not
  int64_t added = 0;     // votes appended to the table
  int64_t filtered = 0;  // valid votes left out by the track, time or category filters
  int64_t skipped = 0;   // invalid records skipped (skip_invalid only)
  std::map<std::string, int64_t> skipped_by_reason;  // e.g. "unknown winner" -> 3
  std::vector<std::string> examples;  // the first few skipped, as "FILE:LINE: problem"

  // "skipped 3 invalid records: 2 unknown winner, 1 self-match", or "" if none.
  std::string skipped_summary() const;
};

// Reads the vote log at `path` ("-" is standard input) and appends its votes to `into`, in
// log order. On error nothing is appended. Errors: "io_error" (cannot open or read, bad
// gzip data), "bad_vote_log" with the message "FILE:LINE: problem" (malformed record,
// unknown winner, self-match, wrong field type, ...; or any structural error of a JSON array
// or CSV file, which --skip-invalid cannot skip past).
// The table's contents do not depend on `threads`.
Result<ReadReport> read_vote_log(const std::string& path, const ReadOptions& options,
                                 rating::VoteTable& into);

// The same for bytes already in memory (possibly gzip); `name` stands for the file in messages.
Result<ReadReport> read_vote_log_bytes(std::string_view bytes, std::string_view name,
                                       const ReadOptions& options, rating::VoteTable& into);

// ---- writing ---------------------------------------------------------------------------

enum class OutputFormat { JsonLines, Csv };

// A field beyond the standard ones (e.g. "vote_id", "prompt_id", "decision_ms").
struct ExtraField {
  std::string_view name;
  std::variant<std::string_view, int64_t, double> value;
};

// One per-clip feature of a vote: its value for model_a's and model_b's clip (NaN: absent).
struct ClipFeature {
  std::string_view name;
  double a = rating::kNoFeature, b = rating::kNoFeature;
};

struct VoteRecord {
  std::string_view model_a, model_b;
  rating::Outcome outcome = rating::Outcome::Tie;
  std::span<const std::string> categories;  // written as a list ("category"), CSV: a;b
  std::optional<double> tstamp;             // seconds
  std::string_view track;                   // empty: not written
  std::span<const ExtraField> extra;        // CSV: in the order of csv_header's names
  std::string_view language{};              // empty: not written
  std::span<const ClipFeature> features{};  // JSON: "features_a", "features_b" (CSV: pass
                                            // them as extra fields features_a.NAME, ...)
};

// The CSV header line (with "\n"): model_a,model_b,winner,category,tstamp,track, then the
// extra names.
std::string csv_header(std::span<const std::string_view> extra_names);

// Appends one record, one line ending in "\n", to `out`. JSON Lines: an object with the
// fields in a fixed order; non-finite numbers are written as null. CSV: RFC 4180 quoting.
void append_vote_record(std::string& out, OutputFormat format, const VoteRecord& record);

}  // namespace paddock::votelog
