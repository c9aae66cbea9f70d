#pragma once
// Small text helpers several layers need (header values, vote-log cells, weight lists):
// one home, so each rule about blanks and letter case is written once.

#include <string>
#include <string_view>

namespace paddock {

// `s` without the spaces and tabs at either end (HTTP's optional whitespace, the blanks
// around a CSV cell or a "name=weight" item). Other characters, newlines included, stay.
std::string_view trim(std::string_view s);

// True if `a` and `b` are equal ignoring ASCII letter case (HTTP tokens, media types,
// range units); other bytes must match exactly.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// True if `s` begins with `prefix`, ignoring ASCII letter case.
bool starts_with_ignoring_case(std::string_view s, std::string_view prefix);

// `text` for one line of an error message or a log: line breaks and tabs as spaces, at most
// `max_bytes` of it, then "..." if there was more (a reply body quoted after what failed).
// Nothing is escaped: quoted_excerpt (escaping.hpp) is for input a client sent.
std::string one_line(std::string_view text, std::size_t max_bytes);

// `s` with A-Z turned into a-z and every other byte as it is (URL schemes and hosts, header
// names): never by locale.
std::string ascii_lower(std::string_view s);

}  // namespace paddock
