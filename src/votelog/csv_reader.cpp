// CSV with a header row (RFC 4180: fields quoted with "..." may hold commas, newlines and
// doubled quotes). Columns are found by header name; model_a, model_b and winner are
// required. A category cell holds names separated by ';' (or a JSON list of strings).

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/escaping.hpp"
#include "base/text.hpp"
#include "fmt/core.h"
#include "fmt/ranges.h"
#include "votelog/readers.hpp"

namespace paddock::votelog {

namespace {

constexpr std::size_t kReadBlock = std::size_t{1} << 20;
constexpr char kCategorySeparator = ';';

// Splits the input into records of fields, tracking the line each record starts on.
class CsvScanner {
 public:
  CsvScanner(ByteSource& source, std::string head) : source_(source), buffer_(std::move(head)) {}

  // Reads the next record into `fields`; false at the end. Sets `problem` for a quote left
  // open at the end of the input.
  Result<bool> next(std::vector<std::string>& fields, int64_t& start_line,
                    std::optional<Problem>& problem) {
    fields.clear();
    problem.reset();
    // Skip empty lines.
    for (;;) {
      auto c = peek();
      if (!c) return std::unexpected(c.error());
      if (*c == kEnd) return false;
      if (*c == '\n') {
        ++pos_;
        ++line_;
      } else if (*c == '\r') {
        ++pos_;
      } else {
        break;
      }
    }
    start_line = line_;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (;;) {
      auto c = peek();
      if (!c) return std::unexpected(c.error());
      if (*c == kEnd) {
        if (quoted) problem = Problem{ProblemKind::MalformedCsv, "quoted field is not closed"};
        fields.push_back(std::move(field));
        return true;
      }
      const char ch = static_cast<char>(*c);
      ++pos_;
      if (quoted) {
        if (ch == '"') {
          auto d = peek();
          if (!d) return std::unexpected(d.error());
          if (*d == '"') {
            field.push_back('"');
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (ch == '\n') ++line_;
          field.push_back(ch);
        }
        continue;
      }
      if (ch == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (ch == ',') {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (ch == '\n') {
        ++line_;
        if (!was_quoted && !field.empty() && field.back() == '\r') field.pop_back();
        fields.push_back(std::move(field));
        return true;
      } else if (ch == '\r' && was_quoted) {
        // CR after a closing quote: part of a CRLF line end
      } else {
        field.push_back(ch);
      }
    }
  }

 private:
  static constexpr int kEnd = -1;

  Result<int> peek() {
    if (pos_ == buffer_.size()) {
      buffer_.resize(kReadBlock);
      auto n = source_.read(buffer_.data(), buffer_.size());
      if (!n) return std::unexpected(n.error());
      buffer_.resize(*n);
      pos_ = 0;
      if (*n == 0) return kEnd;
    }
    return static_cast<unsigned char>(buffer_[pos_]);
  }

  ByteSource& source_;
  std::string buffer_;
  std::size_t pos_ = 0;
  int64_t line_ = 1;
};

// Category cell: "a;b" or a JSON list ["a","b"]. Views point into `cell` or `parser`.
std::optional<Problem> read_categories(const std::string& cell, simdjson::dom::parser& parser,
                                       std::vector<std::string_view>& out) {
  out.clear();
  const std::string_view text = trim(cell);
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {
    auto bad = Problem{ProblemKind::WrongType,
                       "\"category\" is not a list of names separated by ';' or a JSON list "
                       "of strings"};
    simdjson::dom::array array;
    if (parser.parse(text.data(), text.size()).get_array().get(array)) return bad;
    for (auto element : array) {
      std::string_view s;
      if (element.get_string().get(s)) return bad;
      out.push_back(s);
    }
    return std::nullopt;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto cut = rest.find(kCategorySeparator);
    out.push_back(trim(rest.substr(0, cut)));
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  return std::nullopt;
}

}  // namespace

Status read_csv(ByteSource& source, std::string head, ReadContext& ctx) {
  CsvScanner scanner(source, std::move(head));
  std::vector<std::string> fields;
  int64_t line = 1;
  std::optional<Problem> problem;
  auto header = scanner.next(fields, line, problem);
  if (!header) return std::unexpected(header.error());
  if (!*header) return ok();  // empty input: no votes
  if (problem) {
    return fail("bad_vote_log", fmt::format("{}:{}: header: {}", ctx.name, line, problem->detail));
  }
  const std::vector<std::string> columns = fields;
  auto column = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (trim(columns[i]) == name) return static_cast<int>(i);
    }
    return -1;
  };
  const int col_a = column("model_a"), col_b = column("model_b"), col_winner = column("winner");
  const int col_category = column("category"), col_tstamp = column("tstamp");
  const int col_track = column("track"), col_language = column("language");
  const int col_weight = column("weight");
  // Per-clip features: columns "features_a.NAME" and "features_b.NAME".
  struct FeatureColumn {
    std::size_t column;
    bool side_a;
    std::string name;
  };
  std::vector<FeatureColumn> feature_columns;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string_view c = trim(columns[i]);
    for (const auto& [prefix, side_a] :
         {std::pair{std::string_view("features_a."), true}, {"features_b.", false}}) {
      if (c.size() > prefix.size() && c.starts_with(prefix)) {
        feature_columns.push_back({i, side_a, std::string(c.substr(prefix.size()))});
      }
    }
  }
  for (auto [col, name] :
       {std::pair{col_a, "model_a"}, {col_b, "model_b"}, {col_winner, "winner"}}) {
    if (col < 0) {
      return fail("bad_vote_log",
                  fmt::format("{}:{}: the CSV header has no \"{}\" column (header: {})", ctx.name,
                              line, name, fmt::join(columns, ",")));
    }
  }

  VoteSink sink(ctx.options, ctx.table);
  RawVote raw;
  simdjson::dom::parser parser;
  for (;;) {
    auto more = scanner.next(fields, line, problem);
    if (!more) return std::unexpected(more.error());
    if (!*more) break;
    ++ctx.report.records;
    for (auto& f : fields) {  // paddock's writer guards formula-like cells; take it off
      if (unguard_csv_cell(f).size() != f.size()) f.erase(0, 1);
    }
    if (!problem && fields.size() != columns.size()) {
      problem = Problem{ProblemKind::MalformedCsv,
                        fmt::format("expected {} fields like the header, found {}", columns.size(),
                                    fields.size())};
    }
    if (!problem) {
      raw.model_a = fields[static_cast<std::size_t>(col_a)];
      raw.model_b = fields[static_cast<std::size_t>(col_b)];
      raw.winner = fields[static_cast<std::size_t>(col_winner)];
      raw.track.reset();
      if (col_track >= 0 && !fields[static_cast<std::size_t>(col_track)].empty()) {
        raw.track = fields[static_cast<std::size_t>(col_track)];
      }
      raw.language.reset();
      if (col_language >= 0 && !fields[static_cast<std::size_t>(col_language)].empty()) {
        raw.language = fields[static_cast<std::size_t>(col_language)];
      }
      raw.features_a.clear();
      raw.features_b.clear();
      for (const auto& f : feature_columns) {
        const std::string_view text = trim(fields[f.column]);
        if (text.empty() || problem) continue;
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
          problem = Problem{ProblemKind::WrongType,
                            fmt::format("\"{}\" is not a number", trim(columns[f.column]))};
        }
        (f.side_a ? raw.features_a : raw.features_b).emplace_back(f.name, value);
      }
      raw.tstamp = rating::kNoTstamp;
      raw.categories.clear();
      if (col_tstamp >= 0) {
        const std::string_view t = trim(fields[static_cast<std::size_t>(col_tstamp)]);
        if (!t.empty()) {
          double value = 0;
          const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
          if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value)) {
            problem = Problem{ProblemKind::WrongType, "\"tstamp\" is not a number of seconds"};
          }
          raw.tstamp = value;
        }
      }
      raw.weight = kNoWeight;
      if (col_weight >= 0 && !problem) {
        const std::string_view w = trim(fields[static_cast<std::size_t>(col_weight)]);
        if (!w.empty()) {
          const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), raw.weight);
          if (ec != std::errc() || end != w.data() + w.size() || std::isnan(raw.weight)) {
            problem = Problem{ProblemKind::WrongType, "\"weight\" is not a number in (0, 1]"};
          }
        }
      }
      if (!problem && col_category >= 0) {
        problem =
            read_categories(fields[static_cast<std::size_t>(col_category)], parser, raw.categories);
      }
      if (!problem) problem = sink.accept(raw);
    }
    if (problem) {
      if (auto status = report_problem(ctx, line, *problem); !status) return status;
    }
  }
  ctx.report.added += sink.added;
  ctx.report.filtered += sink.filtered;
  return ok();
}

}  // namespace paddock::votelog
