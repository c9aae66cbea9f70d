#include "arena/model_change.hpp"

#include "arena/catalog_rules.hpp"
#include "arena/listing_rules.hpp"

namespace paddock::arena {

Result<ModelChanged> write_model(store::Store& store, ModelWrite how, std::string_view id,
                                 const ModelChange& change) {
  if (!is_valid_id(id)) {
    return fail("invalid", "model id \"" + std::string(id) +
                               "\" is not an id (1-64 characters of A-Z a-z 0-9 . _ -, "
                               "starting with a letter or digit)");
  }
  auto existing = store.find_model(id);
  if (!existing) return std::unexpected(existing.error());
  if (*existing && how == ModelWrite::Add) {
    return fail("conflict", "model " + std::string(id) + " already exists (use set)");
  }
  if (!*existing && how == ModelWrite::Change) {
    return fail("not_found", "no model " + std::string(id) + " (use add)");
  }
  store::Model start;  // a new model starts from the record's defaults (status public)
  if (*existing) {
    start = **existing;
  } else {
    start.id = std::string(id);
  }
  ModelChanged out{.before = start, .after = start};
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
  if (auto capped = check_anonymous_cap(store, std::span(&m, 1)); !capped) {
    return std::unexpected(capped.error());
  }
  auto upsert = store_model(store, *existing, m);
  if (!upsert) return std::unexpected(upsert.error());
  out.upsert = *upsert;
  return out;
}

Result<ModelChanged> change_model(store::Store& store, std::string_view id,
                                  const ModelChange& change) {
  return write_model(store, ModelWrite::Change, id, change);
}

}  // namespace paddock::arena
