// read_vote_log: open, sniff gzip and the format, run the reader, hand over the votes.

#include <algorithm>

#include "fmt/core.h"
#include "votelog/byte_source.hpp"
#include "votelog/readers.hpp"
#include "votelog/votelog.hpp"

namespace paddock::votelog {

namespace {

constexpr std::size_t kExamples = 5;  // skipped records quoted in the report
constexpr std::size_t kSniffBytes = 4096;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Reads the first bytes (without losing them) and decides the format from the first
// character that is not white space.
Result<InputFormat> sniff_format(ByteSource& source, std::string& head) {
  head.resize(kSniffBytes);
  std::size_t used = 0;
  for (;;) {
    auto n = source.read(head.data() + used, head.size() - used);
    if (!n) return std::unexpected(n.error());
    used += *n;
    std::string_view view(head.data(), used);
    if (view.starts_with(kUtf8Bom)) view.remove_prefix(kUtf8Bom.size());
    const auto first = view.find_first_not_of(" \t\r\n");
    const bool may_be_bom = used < kUtf8Bom.size() && *n > 0;  // need 3 bytes to tell
    if ((first != std::string_view::npos && !may_be_bom) || *n == 0) {
      head.resize(used);
      if (first == std::string_view::npos) return InputFormat::JsonLines;  // empty: no votes
      if (view[first] == '[') return InputFormat::JsonArray;
      if (view[first] == '{') return InputFormat::JsonLines;
      return InputFormat::Csv;
    }
    if (used == head.size()) head.resize(head.size() * 2);
  }
}

Result<ReadReport> read_source(OpenedSource opened, std::string_view name,
                               const ReadOptions& options, rating::VoteTable& into) {
  ReadReport report;
  std::string head;
  InputFormat format = options.format;
  if (format == InputFormat::Auto) {
    auto sniffed = sniff_format(*opened.source, head);
    if (!sniffed) return std::unexpected(sniffed.error());
    format = *sniffed;
  }
  if (std::string_view(head).starts_with(kUtf8Bom)) head.erase(0, kUtf8Bom.size());

  rating::VoteTable table;
  ReadContext ctx{name, options, report, table};
  Status status = ok();
  switch (format) {
    case InputFormat::JsonArray:
      report.format = "json";
      status = read_json_array(*opened.source, std::move(head), ctx);
      break;
    case InputFormat::Csv:
      report.format = "csv";
      status = read_csv(*opened.source, std::move(head), ctx);
      break;
    default:
      report.format = "jsonl";
      status = read_json_lines(*opened.source, std::move(head), ctx);
  }
  if (!status) return std::unexpected(status.error());
  if (opened.gzip) report.format += " (gzip)";
  if (into.empty() && into.model_count() == 0) {
    into = std::move(table);
  } else {
    into.append(table);
  }
  return report;
}

}  // namespace

std::optional<InputFormat> parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::Auto;
  if (name == "jsonl" || name == "ndjson") return InputFormat::JsonLines;
  if (name == "json") return InputFormat::JsonArray;
  if (name == "csv") return InputFormat::Csv;
  return std::nullopt;
}

std::string ReadReport::skipped_summary() const {
  if (skipped == 0) return "";
  std::vector<std::pair<std::string, int64_t>> reasons(skipped_by_reason.begin(),
                                                       skipped_by_reason.end());
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  std::string out = fmt::format("skipped {} invalid record{}:", skipped, skipped == 1 ? "" : "s");
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    out += fmt::format("{} {} {}", i == 0 ? "" : ",", reasons[i].second, reasons[i].first);
  }
  return out;
}

Status report_problem(ReadContext& ctx, int64_t line, const Problem& problem) {
  std::string message = fmt::format("{}:{}: {}", ctx.name, line, problem.detail);
  if (!ctx.options.skip_invalid) return fail("bad_vote_log", std::move(message));
  ++ctx.report.skipped;
  ++ctx.report.skipped_by_reason[std::string(reason_of(problem.kind))];
  if (ctx.report.examples.size() < kExamples) ctx.report.examples.push_back(std::move(message));
  return ok();
}

Result<ReadReport> read_vote_log(const std::string& path, const ReadOptions& options,
                                 rating::VoteTable& into) {
  auto opened = open_file_source(path);
  if (!opened) return std::unexpected(opened.error());
  return read_source(std::move(*opened), path == "-" ? "<stdin>" : path, options, into);
}

Result<ReadReport> read_vote_log_bytes(std::string_view bytes, std::string_view name,
                                       const ReadOptions& options, rating::VoteTable& into) {
  return read_source(open_memory_source(bytes), name, options, into);
}

}  // namespace paddock::votelog
