#pragma once
// Test helpers: votes as plain records, turned into tables in any order.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "rating/rating.hpp"

namespace paddock::rating::testing {

struct Record {
  std::string a, b;
  Outcome outcome = Outcome::Tie;
  std::vector<std::string> categories = {};
  double tstamp = kNoTstamp;
};

inline VoteTable table_of(const std::vector<Record>& records) {
  VoteTable t;
  for (const auto& r : records) {
    const auto a = t.intern_model(r.a);
    const auto b = t.intern_model(r.b);
    t.add(a, b, r.outcome, t.intern_category_set(r.categories), r.tstamp);
  }
  return t;
}

inline std::vector<Record> records_of(const VoteTable& t) {
  std::vector<Record> out;
  for (std::size_t v = 0; v < t.size(); ++v) {
    Record r{t.model_name(t.model_a()[v]),
             t.model_name(t.model_b()[v]),
             t.outcome()[v],
             {},
             t.tstamp()[v]};
    for (uint32_t c : t.category_set_members(t.category_set()[v])) {
      r.categories.push_back(t.category_names()[c]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

inline std::vector<Record> shuffled(std::vector<Record> records, unsigned seed) {
  std::mt19937 rng(seed);
  std::shuffle(records.begin(), records.end(), rng);
  return records;
}

inline Outcome swapped(Outcome o) {
  if (o == Outcome::AWins) return Outcome::BWins;
  if (o == Outcome::BWins) return Outcome::AWins;
  return o;
}

// The board of a table (a failure if it cannot be computed).
inline Board board_of(const VoteTable& t, BoardOptions o = {}) {
  auto board = compute_board(t, o);
  EXPECT_TRUE(board) << board.error().message;
  return board ? *board : Board{};
}

// The row of a model (a failure if the board has none).
inline const ModelRow& row(const Board& b, std::string_view model) {
  for (const auto& m : b.models) {
    if (m.model == model) return m;
  }
  ADD_FAILURE() << "no row for " << model;
  static ModelRow none;
  return none;
}

// Exact equality, NaN equal to NaN.
inline bool same(double x, double y) {
  return x == y || (std::isnan(x) && std::isnan(y));
}

}  // namespace paddock::rating::testing
