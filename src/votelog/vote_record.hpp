#pragma once
// One record as any of the formats reads it, the problems a record can have, and the sink
// that checks a record and appends it to a table.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rating/rating.hpp"
#include "votelog/votelog.hpp"

namespace paddock::votelog {

inline constexpr double kNoWeight = std::numeric_limits<double>::quiet_NaN();

// Field values as read; string_views point into the parser's buffers until the next record.
struct RawVote {
  std::optional<std::string_view> model_a, model_b, winner, track, language;
  std::vector<std::string_view> categories;
  // The category field's JSON text as written, when scan_simple_record read it (its strings
  // have no escapes, so the same text always means the same list): the sink looks the set
  // up by it. Empty otherwise.
  std::string_view category_text;
  double tstamp = rating::kNoTstamp;
  double weight = kNoWeight;  // "weight": the vote's weight, NaN when not given (then 1)
  // Per-clip features of model_a's and model_b's clip ("features_a", "features_b").
  std::vector<std::pair<std::string_view, double>> features_a, features_b;

  // Back to no fields, keeping the lists' memory.
  void clear();
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
  BadWeight,  // a weight outside (0, 1]
};

struct Problem {
  ProblemKind kind;
  std::string detail;  // e.g. "unknown winner \"draw\" (expected ...)"
};

// Short reason for --skip-invalid counts: "malformed JSON", "unknown winner", ...
std::string_view reason_of(ProblemKind kind);

// Names to table indices without std::hash: a small open-addressing table hashing eight bytes
// at a time, since looking up the two model names is most of the work per vote after parsing.
class NameCache {
 public:
  // The cached value of `name`, or `make()`'s value, then cached.
  template <typename Make>
  uint32_t get(std::string_view name, Make make) {
    const uint64_t hash = hash_of(name);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        if (2 * (used_ + 1) > slots_.size()) {
          grow();
          return get(name, make);
        }
        slot = Slot{hash, make(), true, std::string(name)};
        ++used_;
        return slot.value;
      }
      if (slot.hash == hash && slot.name == name) return slot.value;
    }
  }

 private:
  static constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;  // odd, well mixed
  static constexpr std::size_t kInitialSlots = 256;
  static uint64_t mix(uint64_t h, uint64_t word) {
    h = (h ^ word) * kMultiplier;
    return h ^ (h >> 29);
  }
  static uint64_t hash_of(std::string_view name) {
    uint64_t h = mix(0, name.size());
    std::size_t i = 0;
    for (; i + 8 <= name.size(); i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, name.data() + i, 8);
      h = mix(h, word);
    }
    if (i < name.size()) {
      uint64_t word = 0;
      std::memcpy(&word, name.data() + i, name.size() - i);
      h = mix(h, word);
    }
    return h ^ (h >> 32);
  }
  struct Slot {
    uint64_t hash = 0;
    uint32_t value = 0;
    bool used = false;
    std::string name;
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (auto& s : old) {
      if (!s.used) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = std::move(s);
    }
  }
  std::vector<Slot> slots_ = std::vector<Slot>(kInitialSlots);
  std::size_t used_ = 0;
};

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
  NameCache models_;
  NameCache category_sets_;   // key: the categories as listed, joined by '\n'
  NameCache category_texts_;  // key: RawVote::category_text
  NameCache languages_;
  NameCache features_;
  std::string key_;
};

}  // namespace paddock::votelog
