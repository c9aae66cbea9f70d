#pragma once
// Adding a model or changing one that is already in the catalog: renaming it, revealing an
// anonymous one (status public), retiring one. One path for every writer (paddock admin
// models add/set, POST /api/admin/models, the demo's reveal step), so a model is checked
// and stored the same way wherever it comes from. (paddock import writes whole manifests
// through catalog_import.hpp, with the same rules from catalog_rules.hpp.)

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// The fields to set; those left empty keep the stored value, or for a new model take the
// defaults: status public (as in an import manifest), organization and codename empty.
// Every field has an initializer so that designated initializers ({.status = ...}) compile
// without warnings.
struct ModelChange {
  std::optional<std::string> display_name{};
  std::optional<std::string> organization{};
  std::optional<store::ModelStatus> status{};
  std::optional<std::string> codename{};
  // The generation config as JSON text ("" removes it); stored in canonical spelling.
  std::optional<std::string> generation{};
};

// What a write may do: only add a new model, only change a stored one, or either.
enum class ModelWrite { Add, Change, AddOrChange };

struct ModelChanged {
  store::Model before;  // for a new model: the defaults it started from
  store::Model after;
  store::Upsert upsert = store::Upsert::Unchanged;  // Unchanged: the change was already made
};

// Applies `change` to the model `id` (a new one for Add, or AddOrChange when none is
// stored), checks the result with validate_model and stores it (which bumps the catalog
// version when something changed, so running servers reload). Errors: "invalid" (a bad id;
// e.g. a new model without a display name, anonymous without a codename; nothing is
// written; also one more anonymous model than the organization's cap allows, listing_rules.hpp),
// "not_found" (Change: no such model), "conflict" (Add: the model exists), or the store's.
// A change of the model's place on the board is logged with it (listing_rules.hpp).
Result<ModelChanged> write_model(store::Store& store, ModelWrite how, std::string_view id,
                                 const ModelChange& change);

// write_model(store, ModelWrite::Change, id, change).
Result<ModelChanged> change_model(store::Store& store, std::string_view id,
                                  const ModelChange& change);

}  // namespace paddock::arena
