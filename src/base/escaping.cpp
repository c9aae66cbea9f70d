#include "base/escaping.hpp"

namespace paddock {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Formula-like once its own leading apostrophes are set aside: such a text gets one more
// apostrophe when written, so that reading takes exactly one off and gives it back.
bool needs_guard(std::string_view text) {
  const auto start = text.find_first_not_of('\'');
  return start != std::string_view::npos && looks_like_formula(text.substr(start));
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 if there is none.
std::size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  std::size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      // Text from a request or a file may be any bytes; JSON must be UTF-8. A byte that
      // starts no well-formed sequence becomes U+FFFD, as nlohmann's replace handler does.
      const std::size_t n = utf8_sequence(text.substr(i));
      if (n == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

bool looks_like_formula(std::string_view text) {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=':
    case '+':
    case '@':
    case '\t':
    case '\r':
      return true;
    case '-':  // a negative number is data, not a formula
      return !(text.size() > 1 && is_digit(text[1]));
    default:
      return false;
  }
}

void append_csv_cell(std::string& out, std::string_view text) {
  const bool guard = needs_guard(text);
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    if (guard) out.push_back('\'');
    out.append(text);
    return;
  }
  out.push_back('"');
  if (guard) out.push_back('\'');
  for (const char ch : text) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

std::string_view unguard_csv_cell(std::string_view cell) {
  if (cell.size() > 1 && cell.front() == '\'' && needs_guard(cell.substr(1))) {
    return cell.substr(1);
  }
  return cell;
}

}  // namespace paddock
