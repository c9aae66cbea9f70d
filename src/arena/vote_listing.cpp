#include "arena/vote_listing.hpp"

#include <string>

namespace paddock::arena {

nlohmann::json vote_listing_json(const store::Vote& v) {
  return {{"vote_id", v.id},
          {"battle_id", v.battle_id},
          {"track", v.track_id},
          {"prompt", v.prompt_id},
          {"left_model", v.left_model},
          {"right_model", v.right_model},
          {"categories", v.categories},
          {"choice", std::string(store::to_string(v.choice))},
          {"left_watch_ms", v.left_watch_ms},
          {"right_watch_ms", v.right_watch_ms},
          {"decision_ms", v.decision_ms},
          {"session", v.session},
          {"address", v.address},
          {"created_at", v.created_at_ms},
          {"voided", v.voided},
          {"void_reason", v.void_reason}};
}

}  // namespace paddock::arena
