#pragma once
// Writing text into JSON strings and CSV cells, one rule each for every writer (vote logs
// and exports, HTTP answers, the store's text lists).
//
// CSV cells are guarded against spreadsheet formulas, the same rule as the web's CSV
// download (web/src/board/csv.ts): a text cell that starts with = + - @, a tab or a carriage
// return, and does not read as a number (-2, -0.5), gets an apostrophe in front, so a
// spreadsheet shows it as text instead of running it (CSV injection). paddock's own CSV
// reader takes that apostrophe off again (unguard_csv_cell), so a vote log written by
// paddock reads back with the names it had.

#include <string>
#include <string_view>

namespace paddock {

// Appends `text` as a JSON string literal, quotes included: " and \ escaped, \n \r \t by
// name, other control characters as \u00XX, well-formed UTF-8 as it is, and every byte that
// starts no well-formed UTF-8 sequence as U+FFFD, so the literal is valid JSON whatever the text.
void append_json_string(std::string& out, std::string_view text);
// The same, as a new string.
std::string json_quote(std::string_view text);

// True if a spreadsheet could take `text` for a formula (see above).
bool looks_like_formula(std::string_view text);

// Appends `text` as one CSV cell (RFC 4180): guarded with an apostrophe if it
// looks_like_formula (or would lose an apostrophe of its own when read back), then in double quotes
// (with " doubled) if it holds a comma, a quote or a line break. Numbers written by the caller need
// no cell: they are never guarded.
void append_csv_cell(std::string& out, std::string_view text);

// A cell as read back: without the apostrophe append_csv_cell put before a formula-like
// text; any other cell as it is.
std::string_view unguard_csv_cell(std::string_view cell);

}  // namespace paddock
