#include "arena/model_change.hpp"

#include "arena/catalog_rules.hpp"

namespace paddock::arena {

Result<ModelChanged> change_model(store::Store& store, std::string_view id,
                                  const ModelChange& change) {
  auto existing = store.find_model(id);
  if (!existing) return std::unexpected(existing.error());
  if (!*existing) return fail("not_found", "no model " + std::string(id) + " (use add)");
  ModelChanged out{.before = **existing, .after = **existing};
  store::Model& m = out.after;
  if (change.display_name) m.display_name = *change.display_name;
  if (change.organization) m.organization = *change.organization;
  if (change.status) m.status = *change.status;
  if (change.codename) m.codename = *change.codename;
  if (change.generation) {
    m.generation.clear();
    if (!change.generation->empty()) {
      auto canonical = canonical_generation(*change.generation);
      if (!canonical) {
        return fail("invalid", "model " + std::string(id) + ": " + canonical.error().message);
      }
      m.generation = std::move(*canonical);
    }
  }
  if (auto valid = validate_model(m); !valid) return std::unexpected(valid.error());
  auto upsert = store.upsert_model(m);
  if (!upsert) return std::unexpected(upsert.error());
  out.upsert = *upsert;
  return out;
}

}  // namespace paddock::arena
