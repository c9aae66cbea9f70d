// paddock admin: models, votes and counts of a paddock database, for operators. Every rule
// and default is the arena's (arena/administration.hpp), the same as /api/admin/…'s; this
// only reads the flags and prints the results (--json: the HTTP API's shapes).
#include "cli/admin_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "arena/admin_json.hpp"
#include "arena/administration.hpp"
#include "arena/catalog_rules.hpp"
#include "arena/clip_presentation.hpp"
#include "arena/controls.hpp"
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
  int64_t limit = arena::kDefaultVoteListLimit;
  int64_t after = 0;
  // voters
  arena::VoterReviewOptions review;
  // measure-clips
  bool all = false;
  int jobs = 0;
  // controls (media: measure-clips too)
  std::string prompt, model, broken, note, media = "media";
  bool make_broken = false;
};

int failed(const Error& e) {
  fmt::print(stderr, "paddock admin: {}\n", e.message);
  return 1;
}

// For the vote operations a request the arena refuses ("invalid": no session or address to
// void, a limit out of range) is a usage error, exit 2.
int vote_request_failed(const Error& e) {
  fmt::print(stderr, "paddock admin: {}\n", e.message);
  return e.code == "invalid" ? 2 : 1;
}

// The database of `a` (admin works on an existing one only).
Result<std::unique_ptr<store::Store>> open_existing(const AdminArgs& a) {
  store::StoreOptions options;
  options.create_if_missing = false;
  auto s = store::open_store(a.db, options);
  if (!s && s.error().code == "not_found") {
    return fail("not_found", a.db + ": no such database (paddock import creates one)");
  }
  return s;
}

// Opens the database and runs `f` on its
// administration; the exit code is f's, or 1 if the database cannot be opened.
int with_administration(const AdminArgs& a, const std::function<int(arena::Administration&)>& f) {
  auto s = open_existing(a);
  if (!s) return failed(s.error());
  arena::Administration admin(**s);
  return f(admin);
}

void print_json(const json& j) {
  fmt::print("{}\n", j.dump(2, ' ', false, json::error_handler_t::replace));
}

// ---- models ----

int models_list(const AdminArgs& a, arena::Administration& admin) {
  auto models = admin.models();
  if (!models) return failed(models.error());
  if (a.json) {
    json list = json::array();
    for (const auto& m : *models) list.push_back(arena::model_json(m));
    print_json(json{{"models", std::move(list)}});
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
  auto st = arena::parse_status(*a.status);
  if (!st) throw CLI::ValidationError("--status", st.error().message);
  return *st;
}

// models add and models set: the same write_model the HTTP API and the demo's reveal use.
int models_write(const AdminArgs& a, arena::ModelWrite how) {
  arena::ModelChange change{.display_name = a.name,
                            .organization = a.organization,
                            .status = status_flag(a),
                            .codename = a.codename,
                            .generation = a.generation};
  return with_administration(a, [&](arena::Administration& admin) {
    auto changed = admin.write_model(how, a.id, change);
    if (!changed) return failed(changed.error());
    if (a.json) {
      print_json(arena::model_changed_json(*changed));
      return 0;
    }
    const store::Model& before = changed->before;
    const store::Model& m = changed->after;
    if (changed->upsert == store::Upsert::Inserted) {
      fmt::print("model {} added: {} ({}), {}{}\n", m.id, m.display_name,
                 m.organization.empty() ? "no organization" : m.organization,
                 store::to_string(m.status), m.codename.empty() ? "" : ", codename " + m.codename);
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
  });
}

// ---- votes ----

int votes_list(const AdminArgs& a, arena::Administration& admin) {
  auto votes = admin.votes({.session = a.session,
                            .address = a.address,
                            .track = a.track,
                            .after = a.after,
                            .limit = a.limit});
  if (!votes) return vote_request_failed(votes.error());
  if (a.json) {
    json list = json::array();
    for (const auto& v : *votes) list.push_back(arena::vote_json(v));
    print_json(json{{"votes", std::move(list)}});
    return 0;
  }
  fmt::print("{:>8} {:<12} {:<14} {:<14} {:<9} {:<20} {:<16} {}\n", "VOTE_ID", "TRACK", "LEFT",
             "RIGHT", "CHOICE", "SESSION", "ADDRESS", "VOIDED");
  for (const auto& v : *votes) {
    // An attention check's broken side has no model: named by its control instead.
    const auto side = [&](const std::string& model) {
      return model.empty() && !v.control.empty() ? "check:" + v.control : model;
    };
    fmt::print("{:>8} {:<12} {:<14} {:<14} {:<9} {:<20} {:<16} {}\n", v.id, v.track_id,
               side(v.left_model), side(v.right_model), store::to_string(v.choice), v.session,
               v.address, v.voided ? "voided: " + v.void_reason : "");
  }
  fmt::print("{} vote{}", votes->size(), votes->size() == 1 ? "" : "s");
  if (static_cast<int64_t>(votes->size()) == a.limit) {
    fmt::print(" (the next page: --after {})", votes->back().id);
  }
  fmt::print("\n");
  return 0;
}

int votes_void(const AdminArgs& a, arena::Administration& admin) {
  auto n = admin.void_votes(
      {.session = a.session, .address = a.address, .track = a.track, .reason = a.reason});
  if (!n) return vote_request_failed(n.error());
  if (a.json) {
    print_json(json{{"voided", *n}});
  } else {
    fmt::print("{} vote{} voided\n", *n, *n == 1 ? "" : "s");
  }
  return 0;
}

int voters(const AdminArgs& a, arena::Administration& admin) {
  auto review = admin.review_voters(a.track, a.review);
  if (!review) return vote_request_failed(review.error());
  if (a.json) {
    print_json(arena::voter_review_json(*review));
    return 0;
  }
  fmt::print(
      "{} votes of {} sessions on {} prefixes; flagged at z >= {} or bias >= {} with {}+ "
      "votes\n",
      review->votes, review->sessions, review->prefixes, a.review.scoring.threshold,
      a.review.scoring.bias_threshold, a.review.scoring.min_votes);
  fmt::print(
      "{} votes on attention checks; flagged at a miss count an honest voter (missing {:.0f}%) "
      "reaches with p <= {}\n",
      review->control_votes, 100 * a.review.attention.honest_miss_rate,
      a.review.attention.false_flag_rate);
  fmt::print("{:<15} {:<34} {:>6} {:>7} {:>6} {:>7} {:>14}  {}\n", "KIND", "KEY", "VOTES", "Z",
             "BIAS", "UPSETS", "CHECKS MISSED", "FAVOURS / OPPOSES");
  for (const auto& f : review->flagged) {
    fmt::print("{:<15} {:<34} {:>6} {:>7.2f} {:>6.2f} {:>7} {:>14}  {} / {}\n", f.kind, f.key,
               f.score.votes, f.score.z, f.score.bias, f.score.upsets,
               fmt::format("{}/{}{}", f.attention.missed, f.attention.seen,
                           f.attention.flagged ? " !" : ""),
               f.favoured_model.empty() ? "-" : f.favoured_model,
               f.opposed_model.empty() ? "-" : f.opposed_model);
  }
  fmt::print("{} flagged ({} votes); void with: paddock admin votes void --session S --reason R\n",
             review->flagged.size(), review->flagged_votes);
  return 0;
}

// ---- attention checks ----

int controls_add(const AdminArgs& a) {
  auto s = open_existing(a);
  if (!s) return failed(s.error());
  auto added = arena::add_control(**s,
                                  {.track = a.track,
                                   .id = a.id,
                                   .prompt = a.prompt,
                                   .intact_model = a.model,
                                   .broken = a.broken,
                                   .note = a.note},
                                  a.media);
  if (!added) return vote_request_failed(added.error());
  const auto& k = added->control;
  if (a.json) {
    print_json(
        json{{"result", store::to_string(added->upsert)}, {"control", arena::control_json(k)}});
    return 0;
  }
  fmt::print("control {}/{} {}: prompt {}, intact: {}'s clip, broken: {} ({} bytes)\n", k.track_id,
             k.id, store::to_string(added->upsert), k.prompt_id, k.intact_model, k.broken_hash,
             k.broken_bytes);
  return 0;
}

int controls_list(const AdminArgs& a) {
  auto s = open_existing(a);
  if (!s) return failed(s.error());
  auto controls = (*s)->list_controls(a.track);
  if (!controls) return failed(controls.error());
  if (a.json) {
    json list = json::array();
    for (const auto& k : *controls) list.push_back(arena::control_json(k));
    print_json(json{{"controls", std::move(list)}});
    return 0;
  }
  fmt::print("{:<14} {:<20} {:<14} {:<20} {}\n", "TRACK", "ID", "PROMPT", "INTACT", "NOTE");
  for (const auto& k : *controls) {
    fmt::print("{:<14} {:<20} {:<14} {:<20} {}\n", k.track_id, k.id, k.prompt_id, k.intact_model,
               k.note);
  }
  return 0;
}

int controls_remove(const AdminArgs& a) {
  auto s = open_existing(a);
  if (!s) return failed(s.error());
  auto removed = (*s)->delete_control(a.track, a.id);
  if (!removed) return failed(removed.error());
  if (!*removed) return failed({"not_found", "no control " + a.id + " in track " + a.track});
  fmt::print("control {}/{} removed (votes on it keep its id)\n", a.track, a.id);
  return 0;
}

int stats(const AdminArgs& a, arena::Administration& admin) {
  auto c = admin.counts();
  if (!c) return failed(c.error());
  const json counts = arena::counts_json(*c);
  if (a.json) {
    print_json(counts);
    return 0;
  }
  fmt::print("{}\n", admin.database());
  for (const auto& [k, v] : counts.items()) fmt::print("  {:<13} {}\n", k, v.dump());
  return 0;
}

// ---- clips ----

int measure_clips(const AdminArgs& a) {
  auto s = open_existing(a);
  if (!s) return failed(s.error());
  auto report = arena::measure_stored_clips(
      **s, {.media_dir = a.media, .track_id = a.track, .all = a.all, .jobs = a.jobs});
  if (!report) return failed(report.error());
  const auto& r = *report;
  if (a.json) {
    print_json(json{{"measured", r.measured},
                    {"already_measured", r.already},
                    {"unchanged", r.unchanged},
                    {"problems", r.problems},
                    {"seconds", r.seconds}});
  } else {
    for (const auto& p : r.problems) fmt::print(stderr, "paddock admin: not measured: {}\n", p);
    const int64_t done = r.measured + r.unchanged;
    fmt::print(
        "{} clips measured in {:.2f} s ({:.3f} s a clip), {} changed; {} measured before; "
        "{} could not be measured\n",
        done, r.seconds, done > 0 ? r.seconds / static_cast<double>(done) : 0.0, r.measured,
        r.already, r.problems.size());
  }
  return r.problems.empty() ? 0 : 1;
}

}  // namespace

void add_admin_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<AdminArgs>();
  CLI::App* admin =
      app.add_subcommand("admin", "Change models, review voters, void votes, show counts");
  admin->require_subcommand(1);
  admin->add_option("--db", a->db, "database: an SQLite file or a postgresql:// URL")
      ->envname("PADDOCK_DB")
      ->capture_default_str();
  admin->add_flag("--json", a->json, "print JSON (the shapes of the HTTP admin API)");
  // Options of `admin` may also come after the sub-subcommand.
  auto run = [&exit_code, a](int (*f)(const AdminArgs&, arena::Administration&)) {
    return [&exit_code, a, f] {
      exit_code = with_administration(*a, [&](arena::Administration& ops) { return f(*a, ops); });
    };
  };

  CLI::App* models = admin->add_subcommand("models", "List, add or change models");
  models->fallthrough()->require_subcommand(1);
  models->add_subcommand("list", "List every model with its real name, codename and status")
      ->fallthrough()
      ->callback(run(models_list));
  for (bool adding : {true, false}) {
    CLI::App* cmd = models->add_subcommand(
        adding ? "add" : "set",
        adding ? "Add a model (public unless --status says otherwise)"
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
      cmd->callback([&exit_code, a] { exit_code = models_write(*a, arena::ModelWrite::Add); });
    } else {
      cmd->callback([&exit_code, a] {
        if (!a->name && !a->organization && !a->status && !a->codename && !a->generation) {
          throw CLI::ValidationError("models set",
                                     "nothing to change: give --name, --organization, --status, "
                                     "--generation "
                                     "or --codename");
        }
        exit_code = models_write(*a, arena::ModelWrite::Change);
      });
    }
  }

  CLI::App* votes = admin->add_subcommand("votes", "List or void votes");
  votes->fallthrough()->require_subcommand(1);
  CLI::App* list = votes->add_subcommand("list", "List votes by id, voided ones included");
  list->fallthrough();
  list->add_option("--session", a->session, "only this voter session");
  list->add_option("--address", a->address, "only this client address");
  list->add_option("--track", a->track, "only this track");
  list->add_option("--after", a->after, "only votes with a larger id (the next page)");
  list->add_option("--limit", a->limit,
                   fmt::format("at most this many, 1 to {}", arena::kMaxVoteListLimit))
      ->capture_default_str();
  list->callback(run(votes_list));
  CLI::App* vd = votes->add_subcommand("void", "Void the votes of a session or an address");
  vd->fallthrough();
  vd->add_option("--session", a->session, "the voter session");
  vd->add_option("--address", a->address, "the client address");
  vd->add_option("--track", a->track, "only within this track");
  vd->add_option("--reason", a->reason, "why (kept with the votes)")->required();
  vd->callback(run(votes_void));

  CLI::App* vt = admin->add_subcommand(
      "voters",
      "Sessions and address prefixes whose votes are improbable under the board "
      "(docs/voter-scoring.md); votes nothing");
  vt->fallthrough();
  vt->add_option("--track", a->track, "the track to review")->required();
  vt->add_option("--threshold", a->review.scoring.threshold, "flag at l_z >= this")
      ->capture_default_str();
  vt->add_option("--bias-threshold", a->review.scoring.bias_threshold,
                 "flag at a per-model bias >= this")
      ->capture_default_str();
  vt->add_option("--min-votes", a->review.scoring.min_votes, "flag only voters with this many")
      ->capture_default_str();
  vt->callback(run(voters));

  CLI::App* mc = admin->add_subcommand(
      "measure-clips",
      "Measure the stored clips that have no presentation measurements (motion, luma, "
      "saturation; clips imported before paddock kept them)");
  mc->fallthrough();
  mc->add_option("--media", a->media, "media folder the clips are stored in")
      ->envname("PADDOCK_MEDIA")
      ->capture_default_str();
  mc->add_option("--track", a->track, "only this track");
  mc->add_flag("--all", a->all, "measure every clip again, measured ones too");
  mc->add_option("--jobs", a->jobs, "clips measured at once (default: one per core)");
  mc->callback([&exit_code, a] { exit_code = measure_clips(*a); });
  CLI::App* controls = admin->add_subcommand(
      "controls", "Attention checks: battles of an intact clip against a broken copy");
  controls->fallthrough()->require_subcommand(1);
  CLI::App* ca = controls->add_subcommand(
      "add", "Add (or change) a control: the model's clip of the prompt against --broken");
  ca->fallthrough();
  ca->add_option("id", a->id, "control id (unique within its track)")->required();
  ca->add_option("--track", a->track, "the track")->required();
  ca->add_option("--prompt", a->prompt, "the prompt")->required();
  ca->add_option("--model", a->model, "the model whose clip of the prompt is the intact side")
      ->required();
  auto* broken_file =
      ca->add_option("--broken", a->broken,
                     "a deliberately broken copy of that clip (frozen, blocky, noisy): stored like "
                     "an imported clip");
  auto* make_broken = ca->add_flag("--break", a->make_broken,
                                   "make the broken copy from the intact clip instead: pixelated "
                                   "and covered in moving noise");
  broken_file->excludes(make_broken);
  ca->add_option("--note", a->note, "how it was broken");
  ca->add_option("--media", a->media, "media folder clips are stored in")->capture_default_str();
  ca->parse_complete_callback([&exit_code, a] {
    if (a->broken.empty() && !a->make_broken) {
      throw CLI::ValidationError("controls add", "give --broken FILE, or --break");
    }
  });
  ca->callback([&exit_code, a] { exit_code = controls_add(*a); });
  CLI::App* cl = controls->add_subcommand("list", "List the controls");
  cl->fallthrough();
  cl->add_option("--track", a->track, "only this track");
  cl->callback([&exit_code, a] { exit_code = controls_list(*a); });
  CLI::App* cr = controls->add_subcommand("remove", "Remove a control from new battles");
  cr->fallthrough();
  cr->add_option("id", a->id, "control id")->required();
  cr->add_option("--track", a->track, "the track")->required();
  cr->callback([&exit_code, a] { exit_code = controls_remove(*a); });

  admin->add_subcommand("stats", "Counts of tracks, models, prompts, clips, battles, votes")
      ->fallthrough()
      ->callback(run(stats));
}

}  // namespace paddock::cli
