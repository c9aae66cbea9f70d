// paddock admin: models, votes and counts of a paddock database, for operators.
#include "cli/admin_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "arena/catalog_rules.hpp"
#include "arena/model_change.hpp"
#include "store/open_store.hpp"

namespace paddock::cli {
namespace {

using nlohmann::json;

struct AdminArgs {
  std::string db = "paddock.db";
  bool json = false;
  // models add / set
  std::string id;
  std::optional<std::string> name, organization, status, codename, generation;
  // votes list / void
  std::string session, address, track, reason;
  int64_t limit = 100;
  bool include_voided = false;
};

Result<std::unique_ptr<store::Store>> open(const AdminArgs& a) {
  store::StoreOptions options;
  options.create_if_missing = false;  // admin works on an existing database only
  auto s = store::open_store(a.db, options);
  if (!s && s.error().code == "not_found") {
    return fail("not_found", a.db + ": no such database (paddock import creates one)");
  }
  return s;
}

int failed(const Error& e) {
  fmt::print(stderr, "paddock admin: {}\n", e.message);
  return 1;
}

json model_json(const store::Model& m) {
  return {{"id", m.id},
          {"display_name", m.display_name},
          {"organization", m.organization},
          {"status", std::string(store::to_string(m.status))},
          {"codename", m.codename},
          {"generation",
           m.generation.empty() ? json(nullptr) : json::parse(m.generation, nullptr, false)}};
}

// ---- models ----

int models_list(const AdminArgs& a) {
  auto s = open(a);
  if (!s) return failed(s.error());
  auto models = (*s)->list_models();
  if (!models) return failed(models.error());
  if (a.json) {
    json out = json::array();
    for (const auto& m : *models) out.push_back(model_json(m));
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("{:<20} {:<24} {:<20} {:<10} {}\n", "ID", "NAME", "ORGANIZATION", "STATUS",
             "CODENAME");
  for (const auto& m : *models) {
    fmt::print("{:<20} {:<24} {:<20} {:<10} {}\n", m.id, m.display_name, m.organization,
               store::to_string(m.status), m.codename);
  }
  return 0;
}

// The status flag, if given; a bad status is a usage error.
std::optional<store::ModelStatus> status_flag(const AdminArgs& a) {
  if (!a.status) return std::nullopt;
  auto st = store::parse_model_status(*a.status);
  if (!st) {
    throw CLI::ValidationError("--status",
                               "\"" + *a.status + "\" is not hidden, anonymous, public or retired");
  }
  return st;
}

int models_add(const AdminArgs& a) {
  const auto status = status_flag(a);
  auto s = open(a);
  if (!s) return failed(s.error());
  auto existing = (*s)->find_model(a.id);
  if (!existing) return failed(existing.error());
  if (*existing) return failed({"conflict", "model " + a.id + " already exists (use set)"});
  store::Model m;
  m.id = a.id;
  m.display_name = a.name.value_or("");
  m.organization = a.organization.value_or("");
  m.status = status.value_or(store::ModelStatus::Public);
  m.codename = a.codename.value_or("");
  if (a.generation && !a.generation->empty()) {
    auto canonical = arena::canonical_generation(*a.generation);
    if (!canonical) return failed({"invalid", "model " + m.id + ": " + canonical.error().message});
    m.generation = std::move(*canonical);
  }
  if (auto st = arena::validate_model(m); !st) return failed(st.error());
  auto u = (*s)->upsert_model(m);
  if (!u) return failed(u.error());
  if (a.json) {
    json out = model_json(m);
    out["result"] = store::to_string(*u);
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("model {} added: {} ({}), {}{}\n", m.id, m.display_name,
             m.organization.empty() ? "no organization" : m.organization,
             store::to_string(m.status), m.codename.empty() ? "" : ", codename " + m.codename);
  return 0;
}

// The same change_model the demo's reveal goes through.
int models_set(const AdminArgs& a) {
  arena::ModelChange change{.display_name = a.name,
                            .organization = a.organization,
                            .status = status_flag(a),
                            .codename = a.codename,
                            .generation = a.generation};
  auto s = open(a);
  if (!s) return failed(s.error());
  auto changed = arena::change_model(**s, a.id, change);
  if (!changed) return failed(changed.error());
  const store::Model& before = changed->before;
  const store::Model& m = changed->after;
  if (a.json) {
    json out = model_json(m);
    out["result"] = store::to_string(changed->upsert);
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  auto change_line = [&](const char* what, const std::string& x, const std::string& y) {
    if (x != y) fmt::print("model {}: {} \"{}\" -> \"{}\"\n", m.id, what, x, y);
  };
  change_line("display name", before.display_name, m.display_name);
  change_line("organization", before.organization, m.organization);
  change_line("status", std::string(store::to_string(before.status)),
              std::string(store::to_string(m.status)));
  change_line("codename", before.codename, m.codename);
  change_line("generation", before.generation, m.generation);
  if (changed->upsert == store::Upsert::Unchanged) {
    fmt::print("model {}: nothing to change\n", m.id);
  }
  return 0;
}

// ---- votes ----

store::VoteQuery vote_query(const AdminArgs& a) {
  store::VoteQuery q;
  q.session = a.session;
  q.address = a.address;
  q.track_id = a.track;
  return q;
}

int votes_list(const AdminArgs& a) {
  auto s = open(a);
  if (!s) return failed(s.error());
  store::VoteQuery q = vote_query(a);
  q.include_voided = a.include_voided;
  q.limit = a.limit;
  auto votes = (*s)->list_votes(q);
  if (!votes) return failed(votes.error());
  if (a.json) {
    json out = json::array();
    for (const auto& v : *votes) {
      out.push_back({{"id", v.id},
                     {"battle_id", v.battle_id},
                     {"track", v.track_id},
                     {"prompt", v.prompt_id},
                     {"left_model", v.left_model},
                     {"right_model", v.right_model},
                     {"choice", std::string(store::to_string(v.choice))},
                     {"session", v.session},
                     {"address", v.address},
                     {"created_at_ms", v.created_at_ms},
                     {"voided", v.voided},
                     {"void_reason", v.void_reason}});
    }
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("{:>8} {:<12} {:<14} {:<14} {:<9} {:<20} {:<16} {}\n", "ID", "TRACK", "LEFT", "RIGHT",
             "CHOICE", "SESSION", "ADDRESS", "VOIDED");
  for (const auto& v : *votes) {
    fmt::print("{:>8} {:<12} {:<14} {:<14} {:<9} {:<20} {:<16} {}\n", v.id, v.track_id,
               v.left_model, v.right_model, store::to_string(v.choice), v.session, v.address,
               v.voided ? "voided: " + v.void_reason : "");
  }
  fmt::print("{} vote{}\n", votes->size(), votes->size() == 1 ? "" : "s");
  return 0;
}

int votes_void(const AdminArgs& a) {
  if (a.session.empty() && a.address.empty()) {
    throw CLI::ValidationError("votes void", "say whose votes: --session and/or --address");
  }
  auto s = open(a);
  if (!s) return failed(s.error());
  auto n = (*s)->void_votes(vote_query(a), a.reason);
  if (!n) return failed(n.error());
  if (a.json) {
    fmt::print("{}\n", json{{"voided", *n}}.dump());
  } else {
    fmt::print("{} vote{} voided\n", *n, *n == 1 ? "" : "s");
  }
  return 0;
}

int stats(const AdminArgs& a) {
  auto s = open(a);
  if (!s) return failed(s.error());
  auto c = (*s)->counts();
  if (!c) return failed(c.error());
  const std::pair<const char*, int64_t> rows[] = {{"tracks", c->tracks},
                                                  {"models", c->models},
                                                  {"prompts", c->prompts},
                                                  {"clips", c->clips},
                                                  {"battles", c->battles},
                                                  {"votes", c->votes},
                                                  {"voided_votes", c->voided_votes}};
  if (a.json) {
    json out = json::object();
    for (const auto& [k, v] : rows) out[k] = v;
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("{}\n", (*s)->describe());
  for (const auto& [k, v] : rows) fmt::print("  {:<13} {}\n", k, v);
  return 0;
}

}  // namespace

void add_admin_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<AdminArgs>();
  CLI::App* admin = app.add_subcommand("admin", "Change models, void votes, show counts");
  admin->require_subcommand(1);
  admin->add_option("--db", a->db, "database: an SQLite file or a postgresql:// URL")
      ->envname("PADDOCK_DB")
      ->capture_default_str();
  admin->add_flag("--json", a->json, "print JSON instead of text");
  // Options of `admin` may also come after the sub-subcommand.
  auto run = [&exit_code, a](int (*f)(const AdminArgs&)) {
    return [&exit_code, a, f] { exit_code = f(*a); };
  };

  CLI::App* models = admin->add_subcommand("models", "List, add or change models");
  models->fallthrough()->require_subcommand(1);
  models->add_subcommand("list", "List every model with its real name, codename and status")
      ->fallthrough()
      ->callback(run(models_list));
  for (bool adding : {true, false}) {
    CLI::App* cmd = models->add_subcommand(
        adding ? "add" : "set",
        adding ? "Add a model"
               : "Change a model (reveal: --status public; retire: --status retired)");
    cmd->fallthrough();
    cmd->add_option("id", a->id, "model id")->required();
    cmd->add_option("--name", a->name, "display name (the real name)");
    cmd->add_option("--organization", a->organization, "organization");
    cmd->add_option("--status", a->status, "hidden, anonymous, public or retired");
    cmd->add_option("--codename", a->codename, "name shown while anonymous");
    cmd->add_option("--generation", a->generation,
                    "how paddock generate makes its clips, as JSON (docs/generate.md); \"\" "
                    "removes it");
    if (adding) {
      cmd->get_option("--name")->required();
      cmd->callback([&exit_code, a] { exit_code = models_add(*a); });
    } else {
      cmd->callback([&exit_code, a] {
        if (!a->name && !a->organization && !a->status && !a->codename && !a->generation) {
          throw CLI::ValidationError("models set",
                                     "nothing to change: give --name, --organization, --status, "
                                     "--generation "
                                     "or --codename");
        }
        exit_code = models_set(*a);
      });
    }
  }

  CLI::App* votes = admin->add_subcommand("votes", "List or void votes");
  votes->fallthrough()->require_subcommand(1);
  CLI::App* list = votes->add_subcommand("list", "List votes, newest filters first");
  list->fallthrough();
  list->add_option("--session", a->session, "only this voter session");
  list->add_option("--address", a->address, "only this client address");
  list->add_option("--track", a->track, "only this track");
  list->add_option("--limit", a->limit, "at most this many (0 = all)")->capture_default_str();
  list->add_flag("--include-voided", a->include_voided, "list voided votes too");
  list->callback(run(votes_list));
  CLI::App* vd = votes->add_subcommand("void", "Void the votes of a session or an address");
  vd->fallthrough();
  vd->add_option("--session", a->session, "the voter session");
  vd->add_option("--address", a->address, "the client address");
  vd->add_option("--reason", a->reason, "why (kept with the votes)")->required();
  vd->callback(run(votes_void));

  admin->add_subcommand("stats", "Counts of tracks, models, prompts, clips, battles, votes")
      ->fallthrough()
      ->callback(run(stats));
}

}  // namespace paddock::cli
