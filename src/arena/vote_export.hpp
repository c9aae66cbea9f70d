#pragma once
// The vote export: the stored votes in the common battle format (votelog's writer), as JSON
// Lines or CSV, read from the store page by page so that any number of votes streams in
// constant memory. One function serves `paddock export`, GET /api/votes/export and
// GET /api/admin/export.
//
// Public exports name models as the leaderboards do (codenames while anonymous), leave out
// voided votes and votes involving hidden models, and carry no session or address: exactly
// the votes a board is computed from, so `paddock rate` on the export reproduces the board.
// Full (admin) exports carry every vote, voided ones included and flagged, with real model
// names and ids, sessions and addresses, and the votes on attention checks (store::Control),
// marked with their control and expected answer ("model_a" or "model_b", the intact side;
// the broken side is named "(broken clip)"). Public exports leave those out, like the boards.
//
// Both carry each vote's clip features (features_a / features_b: duration, width, height,
// fps, audio, motion, luma, saturation; null when not measured) from the clips the store
// holds for the vote's prompt and models, the same lookup the leaderboard cache fits
// presentation control with (clip_presentation.hpp); in CSV as columns features_a.NAME and
// features_b.NAME after paddock's own.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arena/watch_weighting.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

enum class ExportFormat { Jsonl, Csv };

// "jsonl" (or "json") and "csv".
std::optional<ExportFormat> parse_export_format(std::string_view text);

struct ExportOptions {
  std::string track_id;          // empty: every track
  std::optional<int64_t> up_to;  // only votes with id <= up_to
  ExportFormat format = ExportFormat::Jsonl;
  bool full = false;
  // With the leaderboards' watch weighting: every vote carries its "weight" (a last column
  // in CSV), so `paddock rate` weighs it as the boards do.
  std::optional<WatchWeighting> watch_weighting;
};

class VoteExport {
 public:
  // Reads the models (for their names) and prepares the export. Errors: the store's.
  static Result<std::unique_ptr<VoteExport>> open(store::Store& store, ExportOptions options);
  ~VoteExport();

  // The next piece of text (a header row, then a page of votes); nullopt at the end.
  // Errors: the store's.
  Result<std::optional<std::string>> next();

 private:
  VoteExport(store::Store& store, ExportOptions options);
  struct Lookups;
  store::Store& store_;
  ExportOptions options_;
  std::unique_ptr<Lookups> lookups_;
  int64_t after_id_ = 0;
  bool header_done_ = false;
  bool done_ = false;
};

}  // namespace paddock::arena
