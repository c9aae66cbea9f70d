#include "arena/listing_rules.hpp"

#include <fmt/core.h>

#include <charconv>
#include <map>
#include <set>
#include <string>

#include "arena/catalog.hpp"

namespace paddock::arena {

namespace {

bool listed(store::ModelStatus s) {
  return s != store::ModelStatus::Hidden;
}

std::optional<store::ModelEventKind> kind_of(std::optional<store::ModelStatus> before,
                                             store::ModelStatus after) {
  using store::ModelEventKind;
  using store::ModelStatus;
  const bool was_listed = before && listed(*before);
  if (!was_listed) {
    if (listed(after)) return ModelEventKind::Added;
    return std::nullopt;
  }
  if (*before == after) return std::nullopt;
  if (after == ModelStatus::Hidden) return ModelEventKind::Withdrawn;
  if (after == ModelStatus::Retired) return ModelEventKind::Retired;
  if (*before == ModelStatus::Retired) return ModelEventKind::Restored;
  if (*before == ModelStatus::Anonymous && after == ModelStatus::Public) {
    return ModelEventKind::Revealed;
  }
  return std::nullopt;  // public -> anonymous: the name changes, the listing does not
}

}  // namespace

std::optional<store::ModelEvent> listing_event(const std::optional<store::Model>& before,
                                               const store::Model& after) {
  const auto kind = kind_of(
      before ? std::optional<store::ModelStatus>(before->status) : std::nullopt, after.status);
  if (!kind) return std::nullopt;
  store::ModelEvent e;
  e.model_id = after.id;
  e.kind = *kind;
  e.from_status = before ? before->status : store::ModelStatus::Hidden;
  e.to_status = after.status;
  if (before) e.shown_before = public_name(*before).value_or("");
  e.shown_after = public_name(after).value_or("");
  // A withdrawn model keeps the organization it was shown with; hidden, it has none.
  e.organization = listed(after.status) ? public_organization(after)
                   : before             ? public_organization(*before)
                                        : "";
  return e;
}

Result<store::Upsert> store_model(store::Store& store, const std::optional<store::Model>& before,
                                  const store::Model& after) {
  if (auto event = listing_event(before, after))
    return store.upsert_model_with_event(after, *event);
  return store.upsert_model(after);
}

Status check_anonymous_cap(store::Store& store, std::span<const store::Model> changes) {
  auto setting = store.get_setting(kMaxAnonymousPerOrgSetting);
  if (!setting) return std::unexpected(setting.error());
  int64_t cap = 0;
  if (*setting) {
    const std::string& text = **setting;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), cap);
    if (error != std::errc() || end != text.data() + text.size() || cap < 0) {
      return fail("invalid", fmt::format("the stored setting {} is not a count: \"{}\"",
                                         kMaxAnonymousPerOrgSetting, text));
    }
  }
  if (cap == 0) return ok();
  auto stored = store.list_models();
  if (!stored) return std::unexpected(stored.error());
  std::map<std::string, store::Model> models;
  for (auto& m : *stored) models.emplace(m.id, std::move(m));
  auto anonymous_by_org = [&] {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& [id, m] : models) {
      if (m.status == store::ModelStatus::Anonymous) out[m.organization].insert(id);
    }
    return out;
  };
  const auto before = anonymous_by_org();
  for (const store::Model& m : changes) models[m.id] = m;
  for (const auto& [organization, ids] : anonymous_by_org()) {
    const auto was = before.find(organization);
    const std::size_t had = was == before.end() ? 0 : was->second.size();
    if (ids.size() <= static_cast<std::size_t>(cap) || ids.size() <= had) continue;
    std::string names;
    for (const auto& id : ids) names += (names.empty() ? "" : ", ") + id;
    return fail("invalid",
                fmt::format("organization \"{}\" would have {} anonymous models at once ({}), "
                            "more than the cap of {} (paddock serve --max-anonymous-per-org); "
                            "reveal, retire or hide one first",
                            organization, ids.size(), names, cap));
  }
  return ok();
}

}  // namespace paddock::arena
