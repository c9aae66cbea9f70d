#pragma once
// A board as text: JSON (the documented fields, docs/rate.md), CSV, Markdown or a readable
// table. board_to_json is the one writer of a board's JSON: `paddock rate` prints it and the
// server's /api/leaderboard adds its own fields to it (docs/http-api.md).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "rating/rating.hpp"

namespace paddock::votelog {

enum class BoardFormat { Table, Json, Csv, Markdown };
// "table", "json", "csv", "markdown" (or "md").
std::optional<BoardFormat> parse_board_format(std::string_view name);

// method, scale, anchor, votes, seed, bootstrap, intervals, ci, weights, prior_used, notes,
// ties, pieces, control, covariates, models, pairs, category_shares (empty unless
// weighted). NaN numbers (no bootstrap) become null.
nlohmann::json board_to_json(const rating::Board& board);

struct RenderOptions {
  bool pairs = false;                   // table/markdown: add the head-to-head table;
                                        // csv: write the pairs instead of the models
  std::optional<std::string> category;  // a board of `--by category`: heading / CSV column
  bool csv_header = true;
};

// Table, CSV or Markdown text of the board (JSON: board_to_json(board).dump(2)).
std::string render_board(const rating::Board& board, BoardFormat format,
                         const RenderOptions& options = {});

}  // namespace paddock::votelog
