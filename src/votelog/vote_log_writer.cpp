// Writing votes in the common battle format, one record at a time.

#include <cmath>

#include "base/escaping.hpp"
#include "fmt/format.h"
#include "votelog/votelog.hpp"

namespace paddock::votelog {

namespace {

void append_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", x);
}

void append_json(std::string& out, const VoteRecord& r) {
  out += "{\"model_a\":";
  append_json_string(out, r.model_a);
  out += ",\"model_b\":";
  append_json_string(out, r.model_b);
  out += ",\"winner\":";
  append_json_string(out, rating::winner_name(r.outcome));
  out += ",\"category\":[";
  for (std::size_t i = 0; i < r.categories.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, r.categories[i]);
  }
  out += "]";
  if (r.tstamp) {
    out += ",\"tstamp\":";
    append_number(out, *r.tstamp);
  }
  if (!r.track.empty()) {
    out += ",\"track\":";
    append_json_string(out, r.track);
  }
  if (!r.language.empty()) {
    out += ",\"language\":";
    append_json_string(out, r.language);
  }
  if (!r.features.empty()) {
    for (const bool side_a : {true, false}) {
      out += side_a ? ",\"features_a\":{" : ",\"features_b\":{";
      for (std::size_t i = 0; i < r.features.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_json_string(out, r.features[i].name);
        out.push_back(':');
        append_number(out, side_a ? r.features[i].a : r.features[i].b);
      }
      out.push_back('}');
    }
  }
  for (const auto& f : r.extra) {
    out.push_back(',');
    append_json_string(out, f.name);
    out.push_back(':');
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      append_json_string(out, *s);
    } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
      fmt::format_to(std::back_inserter(out), "{}", *i);
    } else {
      append_number(out, std::get<double>(f.value));
    }
  }
  out += "}\n";
}

void append_csv(std::string& out, const VoteRecord& r) {
  append_csv_cell(out, r.model_a);
  out.push_back(',');
  append_csv_cell(out, r.model_b);
  out.push_back(',');
  append_csv_cell(out, rating::winner_name(r.outcome));
  out.push_back(',');
  std::string categories;
  for (std::size_t i = 0; i < r.categories.size(); ++i) {
    if (i > 0) categories.push_back(';');
    categories += r.categories[i];
  }
  append_csv_cell(out, categories);
  out.push_back(',');
  if (r.tstamp && std::isfinite(*r.tstamp))
    fmt::format_to(std::back_inserter(out), "{}", *r.tstamp);
  out.push_back(',');
  append_csv_cell(out, r.track);
  for (const auto& f : r.extra) {
    out.push_back(',');
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      append_csv_cell(out, *s);
    } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
      fmt::format_to(std::back_inserter(out), "{}", *i);
    } else if (std::isfinite(std::get<double>(f.value))) {
      fmt::format_to(std::back_inserter(out), "{}", std::get<double>(f.value));
    }
  }
  out.push_back('\n');
}

}  // namespace

std::string csv_header(std::span<const std::string_view> extra_names) {
  std::string out = "model_a,model_b,winner,category,tstamp,track";
  for (auto name : extra_names) {
    out.push_back(',');
    append_csv_cell(out, name);
  }
  out.push_back('\n');
  return out;
}

void append_vote_record(std::string& out, OutputFormat format, const VoteRecord& record) {
  if (format == OutputFormat::Csv) {
    append_csv(out, record);
  } else {
    append_json(out, record);
  }
}

}  // namespace paddock::votelog
