#pragma once
// The board's listing rules (docs/running.md, "Listing rules"): the public change log kept
// with every model write, and the cap on anonymous models per organization. Every door that
// writes a model (paddock admin, POST /api/admin/models, paddock import, the demo) goes
// through store_model and check_anonymous_cap, so the rules hold whichever is used.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// The setting that holds the cap on anonymous models per organization ("0" or absent: no
// cap). paddock serve --max-anonymous-per-org writes it, so the admin commands and paddock
// import on the same database keep the rule the server was started with.
inline constexpr std::string_view kMaxAnonymousPerOrgSetting = "listing.max_anonymous_per_org";

// What GET /api/changes publishes: the change log, oldest first, and the voided votes per
// reason (counts only: no voter's data).
struct ChangeLog {
  std::vector<store::ModelEvent> events;
  std::vector<store::VoidCount> voids;
};

// The change-log entry for a model going from `before` (nullopt: a new model) to `after`,
// or nullopt when its place on the board does not change: added (not listed -> listed),
// revealed (anonymous -> public), retired, withdrawn (listed -> hidden), restored (retired
// -> anonymous or public).
std::optional<store::ModelEvent> listing_event(const std::optional<store::Model>& before,
                                               const store::Model& after);

// Stores `after`, with its change-log entry in the same transaction when its listing
// changes.
Result<store::Upsert> store_model(store::Store& store, const std::optional<store::Model>& before,
                                  const store::Model& after);

// Refuses `changes` (models about to be written) when they would leave some organization
// with more anonymous models at once than the stored cap allows; an organization already
// over the cap (the cap was lowered) may keep what it has. Error "invalid" naming the
// organization, its anonymous models and the cap.
Status check_anonymous_cap(store::Store& store, std::span<const store::Model> changes);

}  // namespace paddock::arena
