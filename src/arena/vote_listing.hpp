#pragma once
// One stored vote as the operators' listings show it (`GET /api/admin/votes` and
// `paddock admin votes --format json`): one writer for that shape, so the two cannot drift
// apart (they once called the vote's id "vote_id" in one and "id" in the other).

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace paddock::arena {

// vote_id, battle_id, track, prompt, left_model, right_model, categories, choice,
// left_watch_ms, right_watch_ms, decision_ms, session, address, created_at (Unix ms), voided,
// void_reason. docs/http-api.md lists them.
nlohmann::json vote_listing_json(const store::Vote& vote);

}  // namespace paddock::arena
