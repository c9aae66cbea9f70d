#pragma once
// Changing a model that is already in the catalog: renaming it, revealing an anonymous one
// (status public), retiring one. One path for every writer (paddock admin models set, the
// demo's reveal step), so a reveal is checked and stored the same way wherever it comes from.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

// The fields to change; those left empty keep the stored value. Every field has an
// initializer so that designated initializers ({.status = ...}) compile without warnings.
struct ModelChange {
  std::optional<std::string> display_name{};
  std::optional<std::string> organization{};
  std::optional<store::ModelStatus> status{};
  std::optional<std::string> codename{};
  // The generation config as JSON text ("" removes it); stored in canonical spelling.
  std::optional<std::string> generation{};
};

struct ModelChanged {
  store::Model before;
  store::Model after;
  store::Upsert upsert = store::Upsert::Unchanged;  // Unchanged: the change was already made
};

// Applies `change` to the stored model `id`, checks the result with validate_model and
// stores it (which bumps the catalog version when something changed, so running servers
// reload). Errors: "not_found" (no such model), "invalid" (e.g. anonymous without a
// codename; nothing is written), or the store's.
Result<ModelChanged> change_model(store::Store& store, std::string_view id,
                                  const ModelChange& change);

}  // namespace paddock::arena
