// scan_simple_record: the JSON Lines records paddock and the arenas write, read without
// simdjson. It accepts a strict subset of JSON and gives up on anything else, so every line
// it accepts is valid JSON that read_dom_record would read into the very same RawVote:
//   - every byte is ASCII (UTF-8 beyond it is simdjson's to validate);
//   - strings have no escapes and no control characters;
//   - numbers follow JSON's grammar; an integer has at most kMaxIntegerDigits digits and is
//     not "-0" (simdjson's choice of sign there is its own); a number with a fraction or an
//     exponent is converted by std::from_chars, correctly rounded as simdjson's is;
//   - the fields are those of read_dom_record with the types it reads (a quoted tstamp is
//     left to it), and any other field holds a string, a number, true, false or null.
// Duplicate fields are read in order, as read_dom_record does (the last value wins; a later
// null leaves a string field as it was and clears the categories).
//
// Each step takes the position and returns the one after what it read, or nullptr when the
// line is not in the subset, so the position stays in a register.
//
// SimpleRecordScanner reads a log's lines one after another and guesses each line's layout
// from the last one's: where the bytes before a field's value (comma, key, colon, white space)
// are those the last line had, they are read as they were then. The guess only skips work:
// bytes that differ are read as a fresh scanner reads them.

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "base/short_text.hpp"
#include "votelog/json_record.hpp"

namespace paddock::votelog {

namespace {

constexpr std::size_t kMaxIntegerDigits = 15;  // exact in a double, and in simdjson's int64

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

[[gnu::always_inline]] inline const char* skip_space(const char* p, const char* end) {
  // One comparison in the usual case (no white space): every white space byte is <= ' '.
  while (p < end && static_cast<unsigned char>(*p) <= ' ' &&
         (*p == ' ' || *p == '\t' || *p == '\r')) {  // a line holds no '\n'
    ++p;
  }
  return p;
}

// p, after `c` (and the white space around it), or nullptr when `c` is not next.
[[gnu::always_inline]] inline const char* expect(const char* p, const char* end, char c) {
  p = skip_space(p, end);
  if (p == end || *p != c) return nullptr;
  return skip_space(p + 1, end);
}

const char* literal(const char* p, const char* end, std::string_view word) {
  if (static_cast<std::size_t>(end - p) < word.size() ||
      std::memcmp(p, word.data(), word.size()) != 0) {
    return nullptr;
  }
  return p + word.size();
}

// The bytes of a little-endian word that end a simple string: a quote, a backslash, a control
// character or a byte beyond ASCII, each marked by its high bit. The lowest mark is exact;
// marks above it may be spurious (borrows), which does not matter since only it is used.
[[gnu::always_inline]] inline uint64_t string_stops(uint64_t w) {
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t zero_quote = (quote - kOnes) & ~quote;
  const uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  const uint64_t control = (w - kOnes * 0x20) & ~w;
  return (zero_quote | zero_backslash | control | w) & kHighBits;
}

// A string without escapes of printable ASCII, p at its opening quote; the view points into
// the line. Eight bytes at a time while the line has them.
[[gnu::always_inline]] inline const char* string(const char* p, const char* end,
                                                 std::string_view& out) {
  if (p == end || *p != '"') return nullptr;
  const char* start = ++p;
  for (;; p += 8) {
    if (end - p < 8) {
      while (p < end && (string_stops(static_cast<unsigned char>(*p)) & 0x80) == 0) ++p;
      break;
    }
    uint64_t w = 0;
    std::memcpy(&w, p, sizeof w);
    if (const uint64_t stops = string_stops(w)) {
      p += std::countr_zero(stops) / 8;
      break;
    }
  }
  if (p == end || *p != '"') return nullptr;
  out = std::string_view(start, static_cast<std::size_t>(p - start));
  return p + 1;
}

// Whether the eight bytes of a little-endian word are all ASCII digits: each byte's high
// half is 3, and stays 3 when 6 is added to it (only '0'..'9' do both).
[[gnu::always_inline]] inline bool eight_digits(uint64_t w) {
  constexpr uint64_t kHighHalves = kOnes * 0xf0;
  return (w & kHighHalves) == kOnes * '0' && ((w + kOnes * 6) & kHighHalves) == kOnes * '0';
}

// The number eight ASCII digits spell, the first digit in the lowest byte: neighbouring
// digits combine into 2-digit values, those into 4-digit ones, and those into the 8-digit one
// (three multiplications instead of eight).
[[gnu::always_inline]] inline uint64_t value_of_eight_digits(uint64_t w) {
  w -= kOnes * '0';
  w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffULL;    // 2-digit values in bytes 0, 2, 4, 6
  w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffULL;  // 4-digit values in 16-bit halves 0, 2
  return (w * 10000 + (w >> 32)) & 0xffffffffULL;     // the 8-digit value
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
const char* number(const char* p, const char* end, double& out) {
  const char* start = p;
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  const char* digits = p;
  uint64_t value = 0;  // wraps past kMaxIntegerDigits digits, and is not used then
  if (p < end && *p == '0') {
    ++p;
  } else if (p < end && *p >= '1' && *p <= '9') {
    for (uint64_t w = 0; end - p >= 8 && (std::memcpy(&w, p, 8), eight_digits(w)); p += 8) {
      value = value * 100000000 + value_of_eight_digits(w);
    }
    for (; p < end && is_digit(*p); ++p) value = value * 10 + static_cast<uint64_t>(*p - '0');
  } else {
    return nullptr;
  }
  const auto integer_digits = static_cast<std::size_t>(p - digits);
  bool integer = true;
  if (p < end && *p == '.') {
    integer = false;
    if (++p == end || !is_digit(*p)) return nullptr;
    while (p < end && is_digit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    integer = false;
    if (++p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !is_digit(*p)) return nullptr;
    while (p < end && is_digit(*p)) ++p;
  }
  if (integer) {
    if (integer_digits > kMaxIntegerDigits || (negative && *digits == '0')) return nullptr;
    const auto magnitude = static_cast<int64_t>(value);
    out = static_cast<double>(negative ? -magnitude : magnitude);
    return p;
  }
  const auto [stop, error] = std::from_chars(start, p, out);
  if (error != std::errc() || stop != p || !std::isfinite(out)) return nullptr;
  return p;
}

[[gnu::always_inline]] inline const char* nullable_string(const char* p, const char* end,
                                                          std::optional<std::string_view>& out) {
  if (p == end || *p != '"') return literal(p, end, "null");
  std::string_view s;
  p = string(p, end, s);
  if (p != nullptr) out = s;
  return p;
}

// null, a string, or a list of strings; the raw text is kept as the category-set cache key.
// Flattened so that the list's push_back is inlined (it was called out, once per category).
[[gnu::flatten]] const char* category(const char* p, const char* end, RawVote& out) {
  const char* start = p;
  out.categories.clear();
  std::string_view s;
  if (p < end && *p == '"') {
    if ((p = string(p, end, s)) == nullptr) return nullptr;
    out.categories.push_back(s);
  } else if (p < end && *p == '[') {
    p = skip_space(p + 1, end);
    if (p < end && *p == ']') {
      ++p;
    } else {
      for (;;) {
        if ((p = string(p, end, s)) == nullptr) return nullptr;
        out.categories.push_back(s);
        p = skip_space(p, end);
        if (p < end && *p == ']') {
          ++p;
          break;
        }
        if ((p = expect(p, end, ',')) == nullptr) return nullptr;
      }
    }
  } else if ((p = literal(p, end, "null")) == nullptr) {
    return nullptr;
  }
  out.category_text = std::string_view(start, static_cast<std::size_t>(p - start));
  return p;
}

// null, or an object of feature name -> number or null (null: not measured).
const char* features(const char* p, const char* end,
                     std::vector<std::pair<std::string_view, double>>& out) {
  if (p == end || *p != '{') return literal(p, end, "null");
  p = skip_space(p + 1, end);
  if (p < end && *p == '}') return p + 1;
  for (;;) {
    std::string_view name;
    if ((p = string(p, end, name)) == nullptr) return nullptr;
    if ((p = expect(p, end, ':')) == nullptr) return nullptr;
    double x = 0;
    if (const char* after = literal(p, end, "null")) {
      p = after;
    } else {
      if ((p = number(p, end, x)) == nullptr) return nullptr;
      out.emplace_back(name, x);
    }
    p = skip_space(p, end);
    if (p < end && *p == '}') return p + 1;
    if ((p = expect(p, end, ',')) == nullptr) return nullptr;
  }
}

// A field paddock does not read: any scalar.
const char* other_value(const char* p, const char* end) {
  std::string_view s;
  double x = 0;
  if (p == end) return nullptr;
  switch (*p) {
    case '"':
      return string(p, end, s);
    case 'n':
      return literal(p, end, "null");
    case 't':
      return literal(p, end, "true");
    case 'f':
      return literal(p, end, "false");
    default:
      return number(p, end, x);
  }
}

// By the key's length first: one comparison per field, not one per name, and that one by
// whole words.
ScannedField field_of(std::string_view key) {
  switch (key.size()) {
    case 5:
      if (same_text(key, "track")) return ScannedField::Track;
      break;
    case 6:
      if (same_text(key, "winner")) return ScannedField::Winner;
      if (same_text(key, "tstamp")) return ScannedField::Tstamp;
      if (same_text(key, "weight")) return ScannedField::Weight;
      break;
    case 7:
      if (same_text(key, "model_a")) return ScannedField::ModelA;
      if (same_text(key, "model_b")) return ScannedField::ModelB;
      break;
    case 8:
      if (same_text(key, "category")) return ScannedField::Category;
      if (same_text(key, "language")) return ScannedField::Language;
      break;
    case 10:
      if (same_text(key, "features_a")) return ScannedField::FeaturesA;
      if (same_text(key, "features_b")) return ScannedField::FeaturesB;
      break;
    default:
      break;
  }
  return ScannedField::Other;
}

const char* number_or_null(const char* p, const char* end, double& out) {
  if (p < end && *p == 'n') return literal(p, end, "null");
  return number(p, end, out);
}

const char* field_value(ScannedField field, const char* p, const char* end, RawVote& out) {
  switch (field) {
    case ScannedField::ModelA:
      return nullable_string(p, end, out.model_a);
    case ScannedField::ModelB:
      return nullable_string(p, end, out.model_b);
    case ScannedField::Winner:
      return nullable_string(p, end, out.winner);
    case ScannedField::Track:
      return nullable_string(p, end, out.track);
    case ScannedField::Language:
      return nullable_string(p, end, out.language);
    case ScannedField::Tstamp:
      return number_or_null(p, end, out.tstamp);
    case ScannedField::Weight:
      return number_or_null(p, end, out.weight);
    case ScannedField::Category:
      return category(p, end, out);
    case ScannedField::FeaturesA:
      return features(p, end, out.features_a);
    case ScannedField::FeaturesB:
      return features(p, end, out.features_b);
    case ScannedField::Other:
      break;
  }
  return other_value(p, end);
}

}  // namespace

bool SimpleRecordScanner::scan(std::string_view line, RawVote& out) {
  out.clear();
  const char* p = line.data();
  const char* end = p + line.size();
  if ((p = expect(p, end, '{')) == nullptr) return false;
  for (std::size_t f = 0;; ++f) {
    // What lies between the last value (or the opening brace) and this field's value: a
    // comma, the key, the colon and white space. When it is the bytes the last line had
    // there, it is read as they were: one comparison instead of a key to scan and look up.
    Guess* guess = f < guesses_.size() ? &guesses_[f] : nullptr;
    ScannedField field;
    if (guess != nullptr && guess->size > 0 && static_cast<std::size_t>(end - p) >= guess->size &&
        short_text(std::string_view(p, guess->size)) == guess->text) {
      p = skip_space(p + guess->size, end);
      field = guess->field;
    } else {
      const char* from = p;
      if (f > 0) {
        p = skip_space(p, end);
        if (p < end && *p == '}') break;
        if ((p = expect(p, end, ',')) == nullptr) return false;
      } else if (p < end && *p == '}') {
        break;
      }
      std::string_view key;
      if ((p = string(p, end, key)) == nullptr) return false;
      if ((p = expect(p, end, ':')) == nullptr) return false;
      field = field_of(key);
      const auto size = static_cast<std::size_t>(p - from);
      if (guess != nullptr && size <= kShortTextMax) {
        *guess = Guess{short_text(std::string_view(from, size)), static_cast<uint8_t>(size), field};
      }
    }
    if ((p = field_value(field, p, end, out)) == nullptr) return false;
  }
  return skip_space(p + 1, end) == end;  // p is at the closing brace
}

bool scan_simple_record(std::string_view line, RawVote& out) {
  SimpleRecordScanner scanner;
  return scanner.scan(line, out);
}

}  // namespace paddock::votelog
