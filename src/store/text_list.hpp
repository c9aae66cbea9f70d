#pragma once
// Private to the store layer: a list of strings kept in one text column, as a JSON array
// (["portrait","motion"]) so that the order survives and analysts can read it with
// SQLite's json_each or PostgreSQL's jsonb functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::store {

// REQUIRES: every item is valid UTF-8.
std::string encode_text_list(const std::vector<std::string>& items);

// nullopt if `json` is not a JSON array of strings.
std::optional<std::vector<std::string>> decode_text_list(std::string_view json);

// True if `text` is valid UTF-8 without NUL characters (what both databases can store).
bool is_storable_text(std::string_view text);

}  // namespace paddock::store
