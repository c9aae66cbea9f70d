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

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
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
