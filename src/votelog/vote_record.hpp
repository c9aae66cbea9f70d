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

#include "base/short_text.hpp"
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

// Names to table indices without std::hash: a small open-addressing table, since looking up
// the two model names and the category is most of the work per vote after parsing. A slot is
// 24 bytes: a name of at most kShortTextMax bytes (model names usually are) is kept in it as
// its size and two words, compared without memcmp; a longer one by its hash there and its
// text beside.
class NameCache {
 public:
  // The cached value of `name`, or `make()`'s value, then cached. The look-up is inlined
  // (three per vote); adding a name is not.
  template <typename Make>
  [[gnu::always_inline]] uint32_t get(std::string_view name, Make make) {
    const Key key = key_of(name);
    for (std::size_t i = slot_of(key);; i = (i + 1) & mask_) {
      const Key& k = keys_[i];
      if (k.head == key.head && k.tail == key.tail && k.size == key.size &&
          (key.size <= kShortTextMax || names_[i] == name)) {
        return values_[i];
      }
      if (k.size == kEmpty) return add(name, key, make);
    }
  }

 private:
  __extension__ using Uint128 = unsigned __int128;  // GCC/Clang built-in
  struct Key {
    uint64_t head = 0, tail = 0;  // ShortText, or for a long name its hash and zero
    uint64_t size = kEmpty;
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;  // odd, well mixed
  static constexpr uint64_t kTailMultiplier = 0xc2b2ae3d27d4eb4fULL;
  static constexpr int kInitialBits = 8;

  static uint64_t hash_of(std::string_view name) {
    uint64_t h = name.size();
    std::size_t i = 0;
    for (; i + 8 <= name.size(); i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, name.data() + i, 8);
      h = (h ^ word) * kMultiplier;
      h ^= h >> 29;
    }
    uint64_t word = 0;
    std::memcpy(&word, name.data() + i, name.size() - i);
    return (h ^ word) * kMultiplier;
  }
  [[gnu::always_inline]] static Key key_of(std::string_view name) {
    if (name.size() <= kShortTextMax) {
      const ShortText t = short_text(name);
      return {t.head, t.tail, name.size()};
    }
    return {hash_of(name), 0, name.size()};
  }
  // A 128-bit product folded to 64 bits: every byte of both words reaches the low bits (names
  // like "model-001" and "model-002" differ only in their last bytes, which a plain 64-bit
  // product would leave in the high bits).
  std::size_t slot_of(const Key& key) const {
    const Uint128 product =
        static_cast<Uint128>(key.head ^ kMultiplier) * (key.tail ^ kTailMultiplier ^ key.size);
    return static_cast<std::size_t>(static_cast<uint64_t>(product) ^
                                    static_cast<uint64_t>(product >> 64)) &
           mask_;
  }

  template <typename Make>
  [[gnu::noinline]] uint32_t add(std::string_view name, const Key& key, Make& make) {
    const uint32_t value = make();
    if (4 * (used_ + 1) > keys_.size()) grow();  // at most a quarter full: short probes
    place(key, std::string(name), value);
    ++used_;
    return value;
  }
  void place(const Key& key, std::string name, uint32_t value) {
    std::size_t i = slot_of(key);
    while (keys_[i].size != kEmpty) i = (i + 1) & mask_;
    keys_[i] = key;
    names_[i] = std::move(name);
    values_[i] = value;
  }
  void grow() {
    std::vector<Key> keys(keys_.size() * 2);
    std::vector<std::string> names(keys.size());
    std::vector<uint32_t> values(keys.size());
    keys.swap(keys_);
    names.swap(names_);
    values.swap(values_);
    mask_ = keys_.size() - 1;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].size != kEmpty) place(keys[i], std::move(names[i]), values[i]);
    }
  }

  std::size_t mask_ = (std::size_t{1} << kInitialBits) - 1;
  std::vector<Key> keys_ = std::vector<Key>(std::size_t{1} << kInitialBits);
  std::vector<std::string> names_ = std::vector<std::string>(std::size_t{1} << kInitialBits);
  std::vector<uint32_t> values_ = std::vector<uint32_t>(std::size_t{1} << kInitialBits);
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
