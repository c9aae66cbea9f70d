// A JSON array of vote objects. The whole input is loaded (simdjson needs it in one padded
// buffer); a syntax error anywhere is fatal, since nothing after it can be trusted, but a
// well-formed record with a bad value can be skipped.

#include <simdjson.h>

#include <cstring>

#include "fmt/core.h"
#include "votelog/json_record.hpp"
#include "votelog/readers.hpp"

namespace paddock::votelog {

namespace {

// Counts newlines up to `to`, continuing from the last call.
class LineCounter {
 public:
  explicit LineCounter(const char* begin) : pos_(begin) {}
  int64_t line_at(const char* to) {
    while (pos_ < to) {
      const auto* nl =
          static_cast<const char*>(std::memchr(pos_, '\n', static_cast<std::size_t>(to - pos_)));
      if (nl == nullptr) {
        pos_ = to;
        break;
      }
      ++line_;
      pos_ = nl + 1;
    }
    return line_;
  }

 private:
  const char* pos_;
  int64_t line_ = 1;
};

}  // namespace

Status read_json_array(ByteSource& source, std::string head, ReadContext& ctx) {
  auto all = read_all(source, std::move(head));
  if (!all) return std::unexpected(all.error());
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: room for them, without a copy.
  all->reserve(all->size() + simdjson::SIMDJSON_PADDING);
  const simdjson::padded_string_view json(all->data(), all->size(), all->capacity());

  LineCounter lines(json.data());
  auto fatal = [&](int64_t line, simdjson::error_code e) -> Status {
    return fail("bad_vote_log", fmt::format("{}:{}: {}", ctx.name, line, json_problem(e).detail));
  };
  auto location = [&](auto& thing) {
    const char* at = nullptr;
    if (thing.current_location().get(at) != simdjson::SUCCESS || at == nullptr) {
      at = json.data() + json.size();
    }
    return lines.line_at(at);
  };

  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(json).get(doc)) return fatal(1, e);
  simdjson::ondemand::array array;
  if (auto e = doc.get_array().get(array)) return fatal(location(doc), e);

  VoteSink sink(ctx.options, ctx.table);
  RawVote raw;
  for (auto element : array) {
    simdjson::ondemand::value value;
    if (auto e = element.get(value)) return fatal(location(doc), e);
    const int64_t line = location(value);
    ++ctx.report.records;
    simdjson::ondemand::object object;
    std::optional<Problem> problem;
    if (auto e = value.get_object().get(object)) {
      if (e != simdjson::INCORRECT_TYPE) return fatal(line, e);
      problem = Problem{ProblemKind::NotAnObject, "record is not a JSON object"};
    } else {
      problem = read_json_record(object, raw);
      if (problem && problem->kind == ProblemKind::MalformedJson) {
        return fail("bad_vote_log", fmt::format("{}:{}: {}", ctx.name, line, problem->detail));
      }
      if (!problem) problem = sink.accept(raw);
    }
    if (problem) {
      if (auto status = report_problem(ctx, line, *problem); !status) return status;
    }
  }
  if (!at_end(doc)) {
    return fail("bad_vote_log", fmt::format("{}:{}: malformed JSON (content after the array)",
                                            ctx.name, location(doc)));
  }
  ctx.report.added += sink.added;
  ctx.report.filtered += sink.filtered;
  return ok();
}

}  // namespace paddock::votelog
