#pragma once
// The JSON of administration answers, one shape each for both doors (`paddock admin
// --json` and /api/admin/…; docs/http-api.md "Administration"), so a script written
// against one reads the other.

#include <nlohmann/json.hpp>

#include "arena/model_change.hpp"
#include "arena/voter_review.hpp"
#include "store/records.hpp"

namespace paddock::arena {

// {"id", "display_name", "organization", "status", "codename", "public_name"}; public_name
// is what boards and reveals show (the codename while anonymous), null while hidden.
nlohmann::json model_json(const store::Model& model);
// {"result": "inserted" | "updated" | "unchanged", "model": model_json(after)}.
nlohmann::json model_changed_json(const ModelChanged& changed);
// {"vote_id", "battle_id", "track", "prompt", "left_model", "right_model", "categories",
// "choice", "left_watch_ms", "right_watch_ms", "decision_ms", "session", "address",
// "created_at" (Unix ms), "voided", "void_reason"}.
nlohmann::json vote_json(const store::Vote& vote);
// {"track", "threshold", "bias_threshold", "min_votes", "rounds", "votes", "sessions",
// "prefixes", "sessions_scored", "prefixes_scored", "flagged_votes", "flagged": [{"kind":
// "session" | "address_prefix", "key", "votes", "z", "log_likelihood", "expected", "sd",
// "upsets", "bias", "favoured": {"model", "votes", "excess_wins", "z"} | null, "opposed":
// likewise, "addresses", "sessions", "first_vote_id", "last_vote_id"}]}, most improbable
// first.
nlohmann::json voter_review_json(const TrackVoterReview& review);
// {"tracks", "models", "prompts", "clips", "battles", "votes", "voided_votes"}.
// An attention check (store::Control).
nlohmann::json control_json(const store::Control& k);
nlohmann::json counts_json(const store::Counts& counts);

}  // namespace paddock::arena
