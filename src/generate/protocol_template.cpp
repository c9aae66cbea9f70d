#include "generate/protocol_template.hpp"

#include <optional>
#include <utility>
#include <vector>

namespace paddock::generate {
namespace {

using nlohmann::json;

// A template string cut into literal text and placeholder names.
struct Piece {
  bool placeholder = false;
  std::string text;  // the literal text, or the variable's name
};

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

Result<std::vector<Piece>> split(std::string_view text) {
  std::vector<Piece> pieces;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (c == '{') {
      const auto close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        return fail("bad_template", "\"" + std::string(text) + "\": '{' without its '}'");
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (name.empty() || name.front() == '.' || name.back() == '.') {
        return fail("bad_template", "\"" + std::string(text) + "\": empty or malformed {name}");
      }
      for (char n : name) {
        if (!name_char(n)) {
          return fail("bad_template", "\"" + std::string(text) + "\": {" + std::string(name) +
                                          "} is not a variable name (letters, digits, _ - .)");
        }
      }
      if (!literal.empty()) pieces.push_back({false, std::exchange(literal, {})});
      pieces.push_back({true, std::string(name)});
      i = close;
    } else if (c == '}') {
      return fail("bad_template",
                  "\"" + std::string(text) + "\": '}' without its '{' (write }} for a brace)");
    } else {
      literal += c;
    }
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

const json* lookup(const TemplateVars& vars, const std::string& name) {
  const auto it = vars.find(name);
  return it == vars.end() ? nullptr : &it->second;
}

// The text a value stands for inside a longer string.
std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The rendered value of a template, or nullopt when it is to be left out.
std::optional<json> render(const json& node, const TemplateVars& vars) {
  if (node.is_string()) {
    const auto pieces = split(node.get_ref<const std::string&>());
    if (!pieces) return node;  // placeholders_in() refused it at load; never reached
    if (pieces->size() == 1 && (*pieces)[0].placeholder) {
      const json* value = lookup(vars, (*pieces)[0].text);
      if (value == nullptr) return std::nullopt;
      return *value;
    }
    std::string out;
    for (const Piece& piece : *pieces) {
      if (!piece.placeholder) {
        out += piece.text;
        continue;
      }
      const json* value = lookup(vars, piece.text);
      if (value == nullptr) return std::nullopt;
      out += as_text(*value);
    }
    return json(std::move(out));
  }
  if (node.is_object()) {
    if (const auto cond = node.find(kIfMember); cond != node.end()) {
      if (!cond->is_string() || lookup(vars, cond->get<std::string>()) == nullptr) {
        return std::nullopt;
      }
    }
    json out = json::object();
    for (const auto& [key, value] : node.items()) {
      if (key == kIfMember) continue;
      if (auto rendered = render(value, vars)) out[key] = std::move(*rendered);
    }
    return out;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const json& element : node) {
      if (auto rendered = render(element, vars)) out.push_back(std::move(*rendered));
    }
    return out;
  }
  return node;
}

Status collect(const json& node, const std::string& where, std::set<std::string>& names) {
  if (node.is_string()) {
    auto found = placeholders_in(std::string_view(node.get_ref<const std::string&>()));
    if (!found) return fail("bad_template", where + ": " + found.error().message);
    names.insert(found->begin(), found->end());
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string at = where.empty() ? key : where + "." + key;
      if (key == kIfMember) {
        if (!value.is_string() || value.get<std::string>().empty()) {
          return fail("bad_template", at + ": must name a variable, e.g. \"image_data_uri\"");
        }
        names.insert(value.get<std::string>());
        continue;
      }
      if (auto status = collect(value, at, names); !status) return status;
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (auto status = collect(node[i], where + "[" + std::to_string(i) + "]", names); !status) {
        return status;
      }
    }
  }
  return ok();
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view value, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

Result<std::set<std::string>> placeholders_in(std::string_view text) {
  auto pieces = split(text);
  if (!pieces) return std::unexpected(pieces.error());
  std::set<std::string> names;
  for (const Piece& piece : *pieces) {
    if (piece.placeholder) names.insert(piece.text);
  }
  return names;
}

Result<std::set<std::string>> body_placeholders_in(const nlohmann::json& body_template) {
  std::set<std::string> names;
  if (auto status = collect(body_template, "", names); !status) {
    return std::unexpected(status.error());
  }
  return names;
}

nlohmann::json render_body(const nlohmann::json& body_template, const TemplateVars& vars) {
  // The body itself is never left out: an absent variable at the top gives an empty body.
  auto rendered = render(body_template, vars);
  return rendered ? std::move(*rendered) : json::object();
}

Result<std::string> render_target(std::string_view text, const TemplateVars& vars,
                                  const std::set<std::string>& segments) {
  auto pieces = split(text);
  if (!pieces) return std::unexpected(pieces.error());
  if (pieces->size() == 1 && (*pieces)[0].placeholder) {
    const json* value = lookup(vars, (*pieces)[0].text);
    if (value == nullptr) {
      return fail("bad_template",
                  "\"" + std::string(text) + "\": {" + (*pieces)[0].text + "} has no value here");
    }
    return as_text(*value);
  }
  std::string out;
  bool in_query = false;
  for (const Piece& piece : *pieces) {
    if (!piece.placeholder) {
      if (piece.text.find('?') != std::string::npos) in_query = true;
      out += piece.text;
      continue;
    }
    const json* value = lookup(vars, piece.text);
    if (value == nullptr) {
      return fail("bad_template",
                  "\"" + std::string(text) + "\": {" + piece.text + "} has no value here");
    }
    const bool whole = in_query || segments.contains(piece.text);
    out += percent_encode(as_text(*value), whole ? "" : "/:@");
  }
  return out;
}

}  // namespace paddock::generate
