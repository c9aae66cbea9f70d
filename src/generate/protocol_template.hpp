#pragma once
// Templates of the declarative task protocol (task_protocol.hpp): request bodies written as
// data with {placeholders}, and request targets ("/tasks/{task_id}", "{handle.status_url}").
//
// Placeholders are {name} or {name.key} (letters, digits, '_', '-', '.'); "{{" and "}}" stand
// for literal braces. In a body (a JSON value):
//   - a string that is exactly one placeholder becomes the variable's value with its JSON
//     type (a number stays a number, a boolean a boolean);
//   - a string with placeholders inside other text becomes that text with each value
//     written in;
//   - when a variable is absent (a setting the request does not send, no source image),
//     the object member or array element holding it is left out;
//   - an object with the member "_if" = "<variable>" is left out unless that variable is
//     present; "_if" itself is never sent.
// Everything else is copied as it stands.

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::generate {

// The values a template may use; a name that is not in the map is absent.
using TemplateVars = std::map<std::string, nlohmann::json, std::less<>>;

// The reserved member that makes an object conditional.
inline constexpr std::string_view kIfMember = "_if";

// The placeholders `text` uses, or "bad_template" naming the problem (an unclosed brace, a
// name with other characters, a lone '}').
Result<std::set<std::string>> placeholders_in(std::string_view text);

// Every placeholder a body template uses, the "_if" names included. Errors as above, with
// the member's path ("content[1].text").
Result<std::set<std::string>> body_placeholders_in(const nlohmann::json& body_template);

// The body `body_template` gives with `vars`. REQUIRES: body_placeholders_in(body_template)
// succeeded.
nlohmann::json render_body(const nlohmann::json& body_template, const TemplateVars& vars);

// A request target: `text` with each placeholder replaced by its value percent-encoded for
// where it stands — in the path ('/' and ':' are kept, so an operation name
// "models/m/operations/o" stays a path) or in the query (everything but unreserved
// characters is encoded). A target that is exactly one placeholder takes the value as it
// is: a whole URL taken from a reply (fal's status_url). Variables named in `segments` are
// one path segment each, their '/' encoded too (a Cloud Storage object name). Errors:
// "bad_template" for a variable that is absent.
Result<std::string> render_target(std::string_view text, const TemplateVars& vars,
                                  const std::set<std::string>& segments = {});

}  // namespace paddock::generate
