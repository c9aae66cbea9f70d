#include "store/sql_store.hpp"

#include <fmt/core.h>

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "base/clock.hpp"
#include "store/text_list.hpp"

namespace paddock::store {

// ---- cells ---------------------------------------------------------------------------

int64_t as_int(const SqlValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double as_real(const SqlValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    const auto r = std::from_chars(s->data(), s->data() + s->size(), out);
    if (r.ec != std::errc()) {
      // PostgreSQL spells the special values its own way (we refuse them on input anyway)
      if (*s == "Infinity") return HUGE_VAL;
      if (*s == "-Infinity") return -HUGE_VAL;
      if (*s == "NaN") return std::nan("");
    }
    return out;
  }
  return 0;
}

std::string as_text(const SqlValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  return {};
}

namespace {

// ---- checking input ------------------------------------------------------------------

// Collects what is wrong with one input row, for one clear message.
class InputCheck {
 public:
  InputCheck(const std::string& database, std::string what)
      : database_(database), what_(std::move(what)) {}

  void id(std::string_view field, std::string_view value) {
    if (value.empty()) {
      problem(fmt::format("{} is empty", field));
    } else {
      text(field, value);
    }
  }
  void text(std::string_view field, std::string_view value) {
    if (!is_storable_text(value)) problem(fmt::format("{} is not valid UTF-8 text", field));
  }
  void require(bool condition, std::string_view problem_if_not) {
    if (!condition) problem(std::string(problem_if_not));
  }
  void finite(std::string_view field, double value) {
    if (!std::isfinite(value)) problem(fmt::format("{} is not a finite number", field));
  }

  Status result() const {
    if (problem_.empty()) return ok();
    return fail("invalid_argument", fmt::format("{}: {}: {}", database_, what_, problem_));
  }

 private:
  void problem(std::string p) {
    if (problem_.empty()) problem_ = std::move(p);
  }
  const std::string& database_;
  std::string what_;
  std::string problem_;
};

std::unexpected<Error> corrupt(const std::string& database, std::string_view what) {
  return fail("db_corrupt", fmt::format("{}: unreadable stored data: {}", database, what));
}

int64_t flag(bool b) {
  return b ? 1 : 0;
}

// ---- rows ----------------------------------------------------------------------------

constexpr std::string_view kTrackColumns =
    "id, name, task, audio, duration_s, aspect, width, height, seed_policy, watermark, fps";

Result<Track> track_from(const SqlRow& r, const std::string& database) {
  Track t;
  t.id = as_text(r[0]);
  t.name = as_text(r[1]);
  const auto task = parse_task(as_text(r[2]));
  if (!task) return corrupt(database, fmt::format("track {} has task {}", t.id, as_text(r[2])));
  t.task = *task;
  t.audio = as_int(r[3]) != 0;
  t.duration_s = as_real(r[4]);
  t.aspect = as_text(r[5]);
  t.width = static_cast<int>(as_int(r[6]));
  t.height = static_cast<int>(as_int(r[7]));
  t.seed = as_text(r[8]);
  t.watermark = as_int(r[9]) != 0;
  t.fps = as_real(r[10]);
  return t;
}

constexpr std::string_view kModelColumns =
    "id, display_name, organization, status, codename, generation";

Result<Model> model_from(const SqlRow& r, const std::string& database) {
  Model m;
  m.id = as_text(r[0]);
  m.display_name = as_text(r[1]);
  m.organization = as_text(r[2]);
  const auto status = parse_model_status(as_text(r[3]));
  if (!status) {
    return corrupt(database, fmt::format("model {} has status {}", m.id, as_text(r[3])));
  }
  m.status = *status;
  m.codename = as_text(r[4]);
  m.generation = as_text(r[5]);
  return m;
}

constexpr std::string_view kPromptColumns =
    "track_id, id, prompt_text, language, categories, source_hash, source_mime";

Result<Prompt> prompt_from(const SqlRow& r, const std::string& database) {
  Prompt p;
  p.track_id = as_text(r[0]);
  p.id = as_text(r[1]);
  p.text = as_text(r[2]);
  p.language = as_text(r[3]);
  auto categories = decode_text_list(as_text(r[4]));
  if (!categories) {
    return corrupt(database,
                   fmt::format("prompt {}/{} has categories {}", p.track_id, p.id, as_text(r[4])));
  }
  p.categories = std::move(*categories);
  p.source_hash = as_text(r[5]);
  p.source_mime = as_text(r[6]);
  return p;
}

std::optional<int64_t> optional_int(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return as_int(v);
}

std::optional<double> optional_real(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return as_real(v);
}

SqlParam param_of(const std::optional<int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

SqlParam param_of(const std::optional<double>& v) {
  if (v) return *v;
  return nullptr;
}

// A clip's presentation measurements are each in 0-1 when present.
void check_presentation(InputCheck& check, const Clip& clip) {
  for (const auto& [field, value] : {std::pair{"motion", clip.motion}, std::pair{"luma", clip.luma},
                                     std::pair{"saturation", clip.saturation}}) {
    if (value) check.require(*value >= 0 && *value <= 1, fmt::format("{} is not in 0-1", field));
  }
}

constexpr std::string_view kClipColumns =
    "track_id, prompt_id, model_id, hash, mime, duration_s, width, height, fps, video_codec, "
    "audio_codec, has_audio, bytes, motion, luma, saturation";

Clip clip_from(const SqlRow& r) {
  Clip c;
  c.track_id = as_text(r[0]);
  c.prompt_id = as_text(r[1]);
  c.model_id = as_text(r[2]);
  c.hash = as_text(r[3]);
  c.mime = as_text(r[4]);
  c.duration_s = as_real(r[5]);
  c.width = static_cast<int>(as_int(r[6]));
  c.height = static_cast<int>(as_int(r[7]));
  c.fps = as_real(r[8]);
  c.video_codec = as_text(r[9]);
  c.audio_codec = as_text(r[10]);
  c.has_audio = as_int(r[11]) != 0;
  c.bytes = as_int(r[12]);
  c.motion = optional_real(r[13]);
  c.luma = optional_real(r[14]);
  c.saturation = optional_real(r[15]);
  return c;
}

constexpr std::string_view kControlColumns =
    "track_id, id, prompt_id, intact_model, broken_hash, broken_mime, broken_bytes, note, "
    "created_at_ms";

Control control_from(const SqlRow& r) {
  return Control{.track_id = as_text(r[0]),
                 .id = as_text(r[1]),
                 .prompt_id = as_text(r[2]),
                 .intact_model = as_text(r[3]),
                 .broken_hash = as_text(r[4]),
                 .broken_mime = as_text(r[5]),
                 .broken_bytes = as_int(r[6]),
                 .note = as_text(r[7]),
                 .created_at_ms = as_int(r[8])};
}

constexpr std::string_view kBattleColumns =
    "id, track_id, prompt_id, left_model, right_model, left_clip, right_clip, session_id, "
    "address, issued_at_ms, expires_at_ms, control";

Battle battle_from(const SqlRow& r) {
  Battle b;
  b.id = as_text(r[0]);
  b.track_id = as_text(r[1]);
  b.prompt_id = as_text(r[2]);
  b.left_model = as_text(r[3]);
  b.right_model = as_text(r[4]);
  b.left_clip = as_text(r[5]);
  b.right_clip = as_text(r[6]);
  b.session = as_text(r[7]);
  b.address = as_text(r[8]);
  b.issued_at_ms = as_int(r[9]);
  b.expires_at_ms = as_int(r[10]);
  b.control = as_text(r[11]);
  return b;
}

constexpr std::string_view kVoteColumns =
    "id, battle_id, track_id, prompt_id, left_model, right_model, categories, choice, "
    "left_watch_ms, right_watch_ms, decision_ms, session_id, address, created_at_ms, voided, "
    "void_reason, control, expected";

Result<Vote> vote_from(const SqlRow& r, const std::string& database) {
  Vote v;
  v.id = as_int(r[0]);
  v.battle_id = as_text(r[1]);
  v.track_id = as_text(r[2]);
  v.prompt_id = as_text(r[3]);
  v.left_model = as_text(r[4]);
  v.right_model = as_text(r[5]);
  auto categories = decode_text_list(as_text(r[6]));
  if (!categories) {
    return corrupt(database, fmt::format("vote {} has categories {}", v.id, as_text(r[6])));
  }
  v.categories = std::move(*categories);
  const auto choice = parse_choice(as_text(r[7]));
  if (!choice) return corrupt(database, fmt::format("vote {} has choice {}", v.id, as_text(r[7])));
  v.choice = *choice;
  v.left_watch_ms = as_int(r[8]);
  v.right_watch_ms = as_int(r[9]);
  v.decision_ms = as_int(r[10]);
  v.session = as_text(r[11]);
  v.address = as_text(r[12]);
  v.created_at_ms = as_int(r[13]);
  v.voided = as_int(r[14]) != 0;
  v.void_reason = as_text(r[15]);
  v.control = as_text(r[16]);
  if (const std::string expected = as_text(r[17]); !expected.empty()) {
    v.expected = parse_choice(expected);
    if (!v.expected) {
      return corrupt(database, fmt::format("vote {} expects {}", v.id, expected));
    }
  }
  return v;
}

// ---- statements ----------------------------------------------------------------------

// "$1, $2, ..., $n"
std::string placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out.append(", ");
    out.append(fmt::format("${}", first + i));
  }
  return out;
}

// Inserts the row, or updates it where it differs; params are in `columns` order and the
// first `keys` columns are the primary key. Writes nothing when the stored row is equal.
Result<Upsert> upsert_row(SqlConnection& c, std::string_view table,
                          std::span<const std::string_view> columns, size_t keys,
                          std::span<const SqlParam> params) {
  std::string names;
  std::string key_names;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) names.append(", ");
    names.append(columns[i]);
    if (i < keys) {
      if (i > 0) key_names.append(", ");
      key_names.append(columns[i]);
    }
  }
  const auto inserted =
      c.execute(fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING", table,
                            names, placeholders(1, columns.size()), key_names),
                params);
  if (!inserted) return std::unexpected(inserted.error());
  if (*inserted > 0) return Upsert::Inserted;

  std::string set;
  std::string differs;
  std::string where;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i < keys) {
      if (i > 0) where.append(" AND ");
      where.append(fmt::format("{} = ${}", columns[i], i + 1));
      continue;
    }
    if (i > keys) {
      set.append(", ");
      differs.append(" OR ");
    }
    set.append(fmt::format("{} = ${}", columns[i], i + 1));
    differs.append(fmt::format("{} IS DISTINCT FROM ${}", columns[i], i + 1));
  }
  const auto updated = c.execute(
      fmt::format("UPDATE {} SET {} WHERE {} AND ({})", table, set, where, differs), params);
  if (!updated) return std::unexpected(updated.error());
  return *updated > 0 ? Upsert::Updated : Upsert::Unchanged;
}

// A batch of votes is inserted with statements of these many rows (largest that fits first):
// one round trip for many votes, and few distinct statements to prepare.
constexpr std::array<size_t, 4> kVoteRowsPerInsert = {256, 64, 8, 1};

// "INSERT INTO votes (...) VALUES (...), (...) ON CONFLICT (battle_id) DO NOTHING
//  RETURNING battle_id, id" for `rows` rows, with or without explicit ids.
const std::string& insert_votes_sql(size_t rows, bool with_id) {
  static const auto kStatements = [] {
    std::map<std::pair<size_t, bool>, std::string> all;
    for (bool id : {false, true}) {
      const size_t columns = id ? 18 : 17;
      for (size_t n : kVoteRowsPerInsert) {
        std::string values;
        for (size_t r = 0; r < n; ++r) {
          if (r > 0) values.append(", ");
          values.append("(" + placeholders(r * columns + 1, columns) + ")");
        }
        all[{n, id}] = fmt::format(
            "INSERT INTO votes ({}) VALUES {} ON CONFLICT (battle_id) DO NOTHING "
            "RETURNING battle_id, id",
            id ? kVoteColumns : kVoteColumns.substr(4), values);
      }
    }
    return all;
  }();
  return kStatements.at({rows, with_id});
}

// Increases a decimal counter setting by one (creating it at 1).
Status bump_counter(SqlConnection& c, std::string_view name) {
  const std::array<SqlParam, 1> params = {name};
  auto r = c.execute(
      "INSERT INTO settings (name, value) VALUES ($1, '1') ON CONFLICT (name) DO UPDATE "
      "SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)",
      params);
  if (!r) return std::unexpected(r.error());
  return ok();
}

Result<bool> exists(SqlConnection& c, std::string_view sql, std::span<const SqlParam> params) {
  auto rows = c.query(sql, params);
  if (!rows) return std::unexpected(rows.error());
  return !rows->empty();
}

// The WHERE clause of a vote query, with its parameters (views into the query).
struct VoteFilter {
  std::string where;
  std::vector<SqlParam> params;

  explicit VoteFilter(const VoteQuery& q) {
    if (q.after_id > 0) add("id >", q.after_id);
    if (q.up_to_id) add("id <=", *q.up_to_id);
    if (!q.track_id.empty()) add("track_id =", std::string_view(q.track_id));
    if (!q.session.empty()) add("session_id =", std::string_view(q.session));
    if (!q.address.empty()) add("address =", std::string_view(q.address));
    if (!q.include_voided) condition("voided = 0");
    if (q.controls == ControlVotes::Excluded) condition("control = ''");
    if (q.controls == ControlVotes::Only) condition("control <> ''");
  }
  void add(std::string_view column_op, SqlParam value) {
    params.push_back(value);
    condition(fmt::format("{} ${}", column_op, params.size()));
  }
  void condition(std::string_view c) {
    where.append(where.empty() ? " WHERE " : " AND ");
    where.append(c);
  }
};

// ---- generation jobs -----------------------------------------------------------------

constexpr std::string_view kJobColumns =
    "id, track_id, prompt_id, model_id, provider, provider_model, state, request, seed, "
    "client_reference, task_id, task_handle, owner, lease_until_ms, attempts, "
    "next_attempt_at_ms, submitted_at_ms, finished_at_ms, estimated_cost, cost, currency, "
    "usage_json, error_code, error_message, clip_hash, created_at_ms, updated_at_ms";

Result<GenerationJob> job_from(const SqlRow& r, const std::string& database) {
  GenerationJob j;
  j.id = as_int(r[0]);
  j.track_id = as_text(r[1]);
  j.prompt_id = as_text(r[2]);
  j.model_id = as_text(r[3]);
  j.provider = as_text(r[4]);
  j.provider_model = as_text(r[5]);
  const auto state = parse_job_state(as_text(r[6]));
  if (!state) return corrupt(database, fmt::format("job {} has state {}", j.id, as_text(r[6])));
  j.state = *state;
  j.request = as_text(r[7]);
  j.seed = optional_int(r[8]);
  j.client_reference = as_text(r[9]);
  j.task_id = as_text(r[10]);
  j.task_handle = as_text(r[11]);
  j.owner = as_text(r[12]);
  j.lease_until_ms = as_int(r[13]);
  j.attempts = as_int(r[14]);
  j.next_attempt_at_ms = as_int(r[15]);
  j.submitted_at_ms = as_int(r[16]);
  j.finished_at_ms = as_int(r[17]);
  j.estimated_cost = optional_real(r[18]);
  j.cost = optional_real(r[19]);
  j.currency = as_text(r[20]);
  j.usage = as_text(r[21]);
  j.error_code = as_text(r[22]);
  j.error_message = as_text(r[23]);
  j.clip_hash = as_text(r[24]);
  j.created_at_ms = as_int(r[25]);
  j.updated_at_ms = as_int(r[26]);
  return j;
}

Result<std::vector<GenerationJob>> jobs_from(const SqlRows& rows, const std::string& database) {
  std::vector<GenerationJob> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    auto j = job_from(r, database);
    if (!j) return std::unexpected(j.error());
    out.push_back(std::move(*j));
  }
  return out;
}

Status check_job_text(const std::string& database, const GenerationJob& j) {
  InputCheck check(database, fmt::format("job {}/{}/{}", j.track_id, j.prompt_id, j.model_id));
  check.id("track_id", j.track_id);
  check.id("prompt_id", j.prompt_id);
  check.id("model_id", j.model_id);
  for (const auto& [field, value] : {std::pair{"provider", &j.provider},
                                     {"provider_model", &j.provider_model},
                                     {"request", &j.request},
                                     {"client_reference", &j.client_reference},
                                     {"task_id", &j.task_id},
                                     {"task_handle", &j.task_handle},
                                     {"owner", &j.owner},
                                     {"currency", &j.currency},
                                     {"usage", &j.usage},
                                     {"error_code", &j.error_code},
                                     {"error_message", &j.error_message},
                                     {"clip_hash", &j.clip_hash}}) {
    check.text(field, *value);
  }
  if (j.cost) check.finite("cost", *j.cost);
  if (j.estimated_cost) check.finite("estimated_cost", *j.estimated_cost);
  return check.result();
}

constexpr std::string_view kClipGenerationColumns =
    "track_id, prompt_id, model_id, provider, provider_model, task_id, request, seed, cost, "
    "currency, generation_ms, generated_at_ms";

ClipGeneration clip_generation_from(const SqlRow& r) {
  ClipGeneration g;
  g.track_id = as_text(r[0]);
  g.prompt_id = as_text(r[1]);
  g.model_id = as_text(r[2]);
  g.provider = as_text(r[3]);
  g.provider_model = as_text(r[4]);
  g.task_id = as_text(r[5]);
  g.request = as_text(r[6]);
  g.seed = optional_int(r[7]);
  g.cost = optional_real(r[8]);
  g.currency = as_text(r[9]);
  g.generation_ms = as_int(r[10]);
  g.generated_at_ms = as_int(r[11]);
  return g;
}

// Each row as a record by from(row), which checks it; the first row it refuses is the answer.
template <typename Record, typename From>
Result<std::vector<Record>> checked_records(const SqlRows& rows, From from) {
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    auto record = from(r);
    if (!record) return std::unexpected(record.error());
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace

// ---- SqlStore ------------------------------------------------------------------------

SqlStore::SqlStore(const SqlDialect& dialect, std::string description, int schema_version,
                   std::unique_ptr<ConnectionPool> writers, std::unique_ptr<ConnectionPool> readers)
    : dialect_(dialect),
      description_(std::move(description)),
      schema_version_(schema_version),
      writers_(std::move(writers)),
      readers_(std::move(readers)) {}

SqlStore::~SqlStore() = default;

// Runs body in one transaction (Write) or as plain reads (Read: each statement is its own
// snapshot; every read here is a single statement). A connection found dead when the call
// starts (PostgreSQL restarted since it was last used) is replaced once; a write is never
// retried after its first statement, since it might have committed.
template <typename Body>
auto SqlStore::transact(Access access, Body&& body)
    -> decltype(body(std::declval<SqlConnection&>())) {
  ConnectionPool& pool = (access == Access::Read && readers_) ? *readers_ : *writers_;
  for (int attempt = 0;; ++attempt) {
    auto lease = pool.acquire();
    if (!lease) return std::unexpected(lease.error());
    SqlConnection& c = **lease;
    if (access == Access::Read) {
      auto result = body(c);
      if (!result && !c.usable()) {
        pool.drop_idle();
        if (attempt == 0) continue;
      }
      return result;
    }
    if (auto began = c.begin(Access::Write); !began) {
      if (!c.usable()) {
        pool.drop_idle();
        if (attempt == 0) continue;
      }
      return std::unexpected(began.error());
    }
    auto result = body(c);
    if (!result) {
      c.rollback();
      if (!c.usable()) pool.drop_idle();
      return result;
    }
    if (auto committed = c.commit(); !committed) {
      c.rollback();
      if (!c.usable()) pool.drop_idle();
      return std::unexpected(committed.error());
    }
    return result;
  }
}

Result<Upsert> SqlStore::upsert_track(const Track& t) {
  InputCheck check(description_, fmt::format("track {}", t.id));
  check.id("id", t.id);
  check.text("name", t.name);
  check.text("aspect", t.aspect);
  check.finite("duration_s", t.duration_s);
  check.text("seed", t.seed);
  check.finite("fps", t.fps);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 11> kColumns = {
      "id",    "name",   "task",        "audio",     "duration_s", "aspect",
      "width", "height", "seed_policy", "watermark", "fps"};
  const std::array<SqlParam, 11> params = {std::string_view(t.id),
                                           std::string_view(t.name),
                                           to_string(t.task),
                                           flag(t.audio),
                                           t.duration_s,
                                           std::string_view(t.aspect),
                                           int64_t{t.width},
                                           int64_t{t.height},
                                           std::string_view(t.seed),
                                           flag(t.watermark),
                                           t.fps};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    auto r = upsert_row(c, "tracks", kColumns, 1, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return r;
  });
}

Result<Upsert> SqlStore::upsert_model(const Model& m) {
  InputCheck check(description_, fmt::format("model {}", m.id));
  check.id("id", m.id);
  check.text("display_name", m.display_name);
  check.text("organization", m.organization);
  check.text("codename", m.codename);
  check.text("generation", m.generation);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 6> kColumns = {
      "id", "display_name", "organization", "status", "codename", "generation"};
  const std::array<SqlParam, 6> params = {
      std::string_view(m.id), std::string_view(m.display_name), std::string_view(m.organization),
      to_string(m.status),    std::string_view(m.codename),     std::string_view(m.generation)};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    auto r = upsert_row(c, "models", kColumns, 1, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return r;
  });
}

Result<Upsert> SqlStore::upsert_model_with_event(const Model& m, const ModelEvent& e) {
  InputCheck check(description_, fmt::format("model {}", m.id));
  check.id("id", m.id);
  check.text("display_name", m.display_name);
  check.text("organization", m.organization);
  check.text("codename", m.codename);
  check.text("generation", m.generation);
  check.text("shown_before", e.shown_before);
  check.text("shown_after", e.shown_after);
  check.text("event organization", e.organization);
  check.require(e.model_id == m.id, "the event is for another model");
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 6> kColumns = {
      "id", "display_name", "organization", "status", "codename", "generation"};
  const std::array<SqlParam, 6> params = {
      std::string_view(m.id), std::string_view(m.display_name), std::string_view(m.organization),
      to_string(m.status),    std::string_view(m.codename),     std::string_view(m.generation)};
  const std::array<SqlParam, 8> event = {
      std::string_view(e.model_id),     to_string(e.kind),
      to_string(e.from_status),         to_string(e.to_status),
      std::string_view(e.shown_before), std::string_view(e.shown_after),
      std::string_view(e.organization), e.at_ms > 0 ? e.at_ms : unix_ms()};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    auto r = upsert_row(c, "models", kColumns, 1, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
      auto logged = c.execute(
          "INSERT INTO model_events (model_id, kind, from_status, to_status, shown_before, "
          "shown_after, organization, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          event);
      if (!logged) return std::unexpected(logged.error());
    }
    return r;
  });
}

namespace {

ModelEvent model_event_of(const SqlRow& r) {
  ModelEvent e;
  e.id = as_int(r[0]);
  e.model_id = as_text(r[1]);
  e.kind = parse_model_event_kind(as_text(r[2])).value_or(ModelEventKind::Added);
  e.from_status = parse_model_status(as_text(r[3])).value_or(ModelStatus::Hidden);
  e.to_status = parse_model_status(as_text(r[4])).value_or(ModelStatus::Hidden);
  e.shown_before = as_text(r[5]);
  e.shown_after = as_text(r[6]);
  e.organization = as_text(r[7]);
  e.at_ms = as_int(r[8]);
  return e;
}

}  // namespace

Result<std::vector<ModelEvent>> SqlStore::list_model_events() {
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<ModelEvent>> {
    auto rows = c.query(
        "SELECT id, model_id, kind, from_status, to_status, shown_before, shown_after, "
        "organization, at_ms FROM model_events ORDER BY id",
        {});
    if (!rows) return std::unexpected(rows.error());
    std::vector<ModelEvent> out;
    out.reserve(rows->size());
    for (const SqlRow& r : *rows) out.push_back(model_event_of(r));
    return out;
  });
}

Result<int64_t> SqlStore::import_model_events(std::span<const ModelEvent> events) {
  for (const ModelEvent& e : events) {
    InputCheck check(description_, fmt::format("change log entry of model {}", e.model_id));
    check.id("model_id", e.model_id);
    check.text("shown_before", e.shown_before);
    check.text("shown_after", e.shown_after);
    check.text("organization", e.organization);
    if (auto s = check.result(); !s) return std::unexpected(s.error());
  }
  return transact(Access::Write, [&](SqlConnection& c) -> Result<int64_t> {
    int64_t added = 0;
    for (const ModelEvent& e : events) {
      const std::array<SqlParam, 3> key = {std::string_view(e.model_id), to_string(e.kind),
                                           e.at_ms};
      auto there = exists(
          c, "SELECT 1 FROM model_events WHERE model_id = $1 AND kind = $2 AND at_ms = $3", key);
      if (!there) return std::unexpected(there.error());
      if (*there) continue;
      const std::array<SqlParam, 8> row = {
          std::string_view(e.model_id),     to_string(e.kind),
          to_string(e.from_status),         to_string(e.to_status),
          std::string_view(e.shown_before), std::string_view(e.shown_after),
          std::string_view(e.organization), e.at_ms};
      auto inserted = c.execute(
          "INSERT INTO model_events (model_id, kind, from_status, to_status, shown_before, "
          "shown_after, organization, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          row);
      if (!inserted) return std::unexpected(inserted.error());
      ++added;
    }
    return added;
  });
}

Result<std::vector<VoidCount>> SqlStore::count_voids() {
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<VoidCount>> {
    auto rows = c.query(
        "SELECT void_reason, COUNT(*) AS n FROM votes WHERE voided = 1 GROUP BY void_reason "
        "ORDER BY n DESC, void_reason",
        {});
    if (!rows) return std::unexpected(rows.error());
    std::vector<VoidCount> out;
    for (const SqlRow& r : *rows) out.push_back({as_text(r[0]), as_int(r[1])});
    return out;
  });
}

Result<Upsert> SqlStore::upsert_prompt(const Prompt& p) {
  InputCheck check(description_, fmt::format("prompt {}/{}", p.track_id, p.id));
  check.id("track_id", p.track_id);
  check.id("id", p.id);
  check.text("text", p.text);
  check.text("language", p.language);
  for (const auto& category : p.categories) check.text("a category", category);
  check.text("source_hash", p.source_hash);
  check.text("source_mime", p.source_mime);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 7> kColumns = {
      "track_id", "id", "prompt_text", "language", "categories", "source_hash", "source_mime"};
  const std::string categories = encode_text_list(p.categories);
  const std::array<SqlParam, 7> params = {
      std::string_view(p.track_id),   std::string_view(p.id),       std::string_view(p.text),
      std::string_view(p.language),   std::string_view(categories), std::string_view(p.source_hash),
      std::string_view(p.source_mime)};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    auto track = exists(c, "SELECT 1 FROM tracks WHERE id = $1", std::span(params).first(1));
    if (!track) return std::unexpected(track.error());
    if (!*track) {
      return fail("not_found", fmt::format("{}: prompt {}/{}: track {} does not exist",
                                           description_, p.track_id, p.id, p.track_id));
    }
    auto r = upsert_row(c, "prompts", kColumns, 2, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return r;
  });
}

Result<Upsert> SqlStore::upsert_clip(const Clip& clip) {
  InputCheck check(description_,
                   fmt::format("clip {}/{}/{}", clip.track_id, clip.prompt_id, clip.model_id));
  check.id("track_id", clip.track_id);
  check.id("prompt_id", clip.prompt_id);
  check.id("model_id", clip.model_id);
  check.id("hash", clip.hash);
  check.text("mime", clip.mime);
  check.text("video_codec", clip.video_codec);
  check.text("audio_codec", clip.audio_codec);
  check.finite("duration_s", clip.duration_s);
  check.finite("fps", clip.fps);
  check_presentation(check, clip);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 16> kColumns = {
      "track_id", "prompt_id", "model_id", "hash",        "mime",        "duration_s",
      "width",    "height",    "fps",      "video_codec", "audio_codec", "has_audio",
      "bytes",    "motion",    "luma",     "saturation"};
  const std::array<SqlParam, 16> params = {std::string_view(clip.track_id),
                                           std::string_view(clip.prompt_id),
                                           std::string_view(clip.model_id),
                                           std::string_view(clip.hash),
                                           std::string_view(clip.mime),
                                           clip.duration_s,
                                           int64_t{clip.width},
                                           int64_t{clip.height},
                                           clip.fps,
                                           std::string_view(clip.video_codec),
                                           std::string_view(clip.audio_codec),
                                           flag(clip.has_audio),
                                           clip.bytes,
                                           param_of(clip.motion),
                                           param_of(clip.luma),
                                           param_of(clip.saturation)};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    auto prompt = exists(c, "SELECT 1 FROM prompts WHERE track_id = $1 AND id = $2",
                         std::span(params).first(2));
    if (!prompt) return std::unexpected(prompt.error());
    if (!*prompt) {
      return fail(
          "not_found",
          fmt::format("{}: clip {}/{}/{}: prompt {} does not exist in track {}", description_,
                      clip.track_id, clip.prompt_id, clip.model_id, clip.prompt_id, clip.track_id));
    }
    auto model = exists(c, "SELECT 1 FROM models WHERE id = $1", std::span(params).subspan(2, 1));
    if (!model) return std::unexpected(model.error());
    if (!*model) {
      return fail("not_found",
                  fmt::format("{}: clip {}/{}/{}: model {} does not exist", description_,
                              clip.track_id, clip.prompt_id, clip.model_id, clip.model_id));
    }
    auto r = upsert_row(c, "clips", kColumns, 3, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return r;
  });
}

Result<std::vector<TrackSummary>> SqlStore::list_tracks() {
  static const std::string kSql = fmt::format(
      "SELECT {}, "
      "(SELECT COUNT(DISTINCT c.model_id) FROM clips c JOIN models m ON m.id = c.model_id "
      " WHERE c.track_id = t.id AND m.status <> 'hidden'), "
      "(SELECT COUNT(*) FROM prompts p WHERE p.track_id = t.id), "
      "(SELECT COUNT(*) FROM clips c JOIN models m ON m.id = c.model_id "
      " WHERE c.track_id = t.id AND m.status <> 'hidden') "
      "FROM tracks t ORDER BY t.id",
      "t.id, t.name, t.task, t.audio, t.duration_s, t.aspect, t.width, t.height, t.seed_policy, "
      "t.watermark, t.fps");
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<TrackSummary>> {
    auto rows = c.query(kSql, {});
    if (!rows) return std::unexpected(rows.error());
    std::vector<TrackSummary> out;
    out.reserve(rows->size());
    for (const SqlRow& r : *rows) {
      auto track = track_from(r, description_);
      if (!track) return std::unexpected(track.error());
      out.push_back({std::move(*track), as_int(r[11]), as_int(r[12]), as_int(r[13])});
    }
    return out;
  });
}

Result<std::optional<Track>> SqlStore::find_track(std::string_view id) {
  static const std::string kSql = fmt::format("SELECT {} FROM tracks WHERE id = $1", kTrackColumns);
  const std::array<SqlParam, 1> params = {id};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::optional<Track>> {
    auto rows = c.query(kSql, params);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::nullopt;
    return track_from(rows->front(), description_);
  });
}

Result<std::vector<Model>> SqlStore::list_models() {
  static const std::string kSql = fmt::format("SELECT {} FROM models ORDER BY id", kModelColumns);
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<Model>> {
    auto rows = c.query(kSql, {});
    if (!rows) return std::unexpected(rows.error());
    return checked_records<Model>(*rows,
                                  [&](const SqlRow& r) { return model_from(r, description_); });
  });
}

Result<std::optional<Model>> SqlStore::find_model(std::string_view id) {
  static const std::string kSql = fmt::format("SELECT {} FROM models WHERE id = $1", kModelColumns);
  const std::array<SqlParam, 1> params = {id};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::optional<Model>> {
    auto rows = c.query(kSql, params);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::nullopt;
    return model_from(rows->front(), description_);
  });
}

Result<std::vector<Prompt>> SqlStore::list_prompts(std::string_view track_id) {
  static const std::string kAll =
      fmt::format("SELECT {} FROM prompts ORDER BY track_id, id", kPromptColumns);
  static const std::string kOne =
      fmt::format("SELECT {} FROM prompts WHERE track_id = $1 ORDER BY id", kPromptColumns);
  auto rows = track_rows(track_id, kAll, kOne);
  if (!rows) return std::unexpected(rows.error());
  return checked_records<Prompt>(*rows,
                                 [&](const SqlRow& r) { return prompt_from(r, description_); });
}

Result<bool> SqlStore::set_clip_presentation(const Clip& clip) {
  InputCheck check(description_,
                   fmt::format("clip {}/{}/{}", clip.track_id, clip.prompt_id, clip.model_id));
  check_presentation(check, clip);
  if (auto s = check.result(); !s) return std::unexpected(s.error());
  const std::array<SqlParam, 7> params = {
      std::string_view(clip.track_id), std::string_view(clip.prompt_id),
      std::string_view(clip.model_id), std::string_view(clip.hash),
      param_of(clip.motion),           param_of(clip.luma),
      param_of(clip.saturation)};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<bool> {
    auto changed = c.execute(
        "UPDATE clips SET motion = $5, luma = $6, saturation = $7 "
        "WHERE track_id = $1 AND prompt_id = $2 AND model_id = $3 AND hash = $4 AND "
        "(motion IS DISTINCT FROM $5 OR luma IS DISTINCT FROM $6 OR "
        "saturation IS DISTINCT FROM $7)",
        params);
    if (!changed) return std::unexpected(changed.error());
    if (*changed == 0) return false;
    if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    return true;
  });
}

Result<std::vector<Clip>> SqlStore::list_clips(std::string_view track_id) {
  static const std::string kAll =
      fmt::format("SELECT {} FROM clips ORDER BY track_id, prompt_id, model_id", kClipColumns);
  static const std::string kOne = fmt::format(
      "SELECT {} FROM clips WHERE track_id = $1 ORDER BY prompt_id, model_id", kClipColumns);
  auto rows = track_rows(track_id, kAll, kOne);
  if (!rows) return std::unexpected(rows.error());
  std::vector<Clip> out;
  out.reserve(rows->size());
  for (const SqlRow& r : *rows) out.push_back(clip_from(r));
  return out;
}

Result<bool> SqlStore::has_media(std::string_view hash) {
  if (hash.empty()) return false;
  const std::array<SqlParam, 1> params = {hash};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<bool> {
    return exists(c,
                  "SELECT 1 WHERE EXISTS (SELECT 1 FROM clips WHERE hash = $1) "
                  "OR EXISTS (SELECT 1 FROM prompts WHERE source_hash = $1) "
                  "OR EXISTS (SELECT 1 FROM controls WHERE broken_hash = $1)",
                  params);
  });
}

Result<Upsert> SqlStore::upsert_control(const Control& k) {
  InputCheck check(description_, fmt::format("control {}/{}", k.track_id, k.id));
  check.id("track_id", k.track_id);
  check.id("id", k.id);
  check.id("prompt_id", k.prompt_id);
  check.id("intact_model", k.intact_model);
  check.id("broken_hash", k.broken_hash);
  check.text("broken_mime", k.broken_mime);
  check.text("note", k.note);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  static constexpr std::array<std::string_view, 9> kColumns = {
      "track_id",    "id",           "prompt_id", "intact_model", "broken_hash",
      "broken_mime", "broken_bytes", "note",      "created_at_ms"};
  const std::array<SqlParam, 9> params = {std::string_view(k.track_id),
                                          std::string_view(k.id),
                                          std::string_view(k.prompt_id),
                                          std::string_view(k.intact_model),
                                          std::string_view(k.broken_hash),
                                          std::string_view(k.broken_mime),
                                          k.broken_bytes,
                                          std::string_view(k.note),
                                          k.created_at_ms};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<Upsert> {
    const std::array<SqlParam, 2> prompt_key = {params[0], params[2]};
    auto prompt = exists(c, "SELECT 1 FROM prompts WHERE track_id = $1 AND id = $2", prompt_key);
    if (!prompt) return std::unexpected(prompt.error());
    if (!*prompt) {
      return fail("not_found",
                  fmt::format("{}: control {}/{}: prompt {} does not exist in track {}",
                              description_, k.track_id, k.id, k.prompt_id, k.track_id));
    }
    auto model = exists(c, "SELECT 1 FROM models WHERE id = $1", std::span(params).subspan(3, 1));
    if (!model) return std::unexpected(model.error());
    if (!*model) {
      return fail("not_found", fmt::format("{}: control {}/{}: model {} does not exist",
                                           description_, k.track_id, k.id, k.intact_model));
    }
    auto r = upsert_row(c, "controls", kColumns, 2, params);
    if (r && *r != Upsert::Unchanged) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return r;
  });
}

Result<std::vector<Control>> SqlStore::list_controls(std::string_view track_id) {
  static const std::string kAll =
      fmt::format("SELECT {} FROM controls ORDER BY track_id, id", kControlColumns);
  static const std::string kOne =
      fmt::format("SELECT {} FROM controls WHERE track_id = $1 ORDER BY id", kControlColumns);
  auto rows = track_rows(track_id, kAll, kOne);
  if (!rows) return std::unexpected(rows.error());
  std::vector<Control> out;
  out.reserve(rows->size());
  for (const SqlRow& r : *rows) out.push_back(control_from(r));
  return out;
}

Result<bool> SqlStore::delete_control(std::string_view track_id, std::string_view id) {
  const std::array<SqlParam, 2> params = {track_id, id};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<bool> {
    auto n = c.execute("DELETE FROM controls WHERE track_id = $1 AND id = $2", params);
    if (!n) return std::unexpected(n.error());
    if (*n > 0) {
      if (auto s = bump_counter(c, kCatalogVersionSetting); !s) return std::unexpected(s.error());
    }
    return *n > 0;
  });
}

Status SqlStore::insert_battles(std::span<const Battle> battles) {
  if (battles.empty()) return ok();
  for (const Battle& b : battles) {
    InputCheck check(description_, fmt::format("battle {}", b.id));
    check.id("id", b.id);
    for (const auto& [field, value] : {std::pair{"track_id", &b.track_id},
                                       {"prompt_id", &b.prompt_id},
                                       {"left_model", &b.left_model},
                                       {"right_model", &b.right_model},
                                       {"left_clip", &b.left_clip},
                                       {"right_clip", &b.right_clip},
                                       {"session", &b.session},
                                       {"address", &b.address},
                                       {"control", &b.control}}) {
      check.text(field, *value);
    }
    if (auto s = check.result(); !s) return s;
  }
  static const std::string kSql =
      fmt::format("INSERT INTO battles ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING",
                  kBattleColumns, placeholders(1, 12));
  return transact(Access::Write, [&](SqlConnection& c) -> Status {
    for (const Battle& b : battles) {
      const std::array<SqlParam, 12> params = {std::string_view(b.id),
                                               std::string_view(b.track_id),
                                               std::string_view(b.prompt_id),
                                               std::string_view(b.left_model),
                                               std::string_view(b.right_model),
                                               std::string_view(b.left_clip),
                                               std::string_view(b.right_clip),
                                               std::string_view(b.session),
                                               std::string_view(b.address),
                                               b.issued_at_ms,
                                               b.expires_at_ms,
                                               std::string_view(b.control)};
      if (auto r = c.execute(kSql, params); !r) return std::unexpected(r.error());
    }
    return ok();
  });
}

Result<std::vector<VoteInsertResult>> SqlStore::insert_votes(std::span<const Vote> votes) {
  return store_votes(votes, false);
}

Result<std::vector<VoteInsertResult>> SqlStore::import_votes(std::span<const Vote> votes) {
  return store_votes(votes, true);
}

Result<std::vector<std::string>> SqlStore::checked_categories(std::span<const Vote> votes) const {
  std::vector<std::string> categories;
  categories.reserve(votes.size());
  for (const Vote& v : votes) {
    InputCheck check(description_, fmt::format("vote on battle {}", v.battle_id));
    check.id("battle_id", v.battle_id);
    for (const auto& [field, value] : {std::pair{"track_id", &v.track_id},
                                       {"prompt_id", &v.prompt_id},
                                       {"left_model", &v.left_model},
                                       {"right_model", &v.right_model},
                                       {"session", &v.session},
                                       {"address", &v.address},
                                       {"void_reason", &v.void_reason},
                                       {"control", &v.control}}) {
      check.text(field, *value);
    }
    check.require(v.control.empty() == !v.expected,
                  "a vote on a control needs its expected answer, and only such a vote has one");
    check.require(!v.expected || *v.expected == Choice::Left || *v.expected == Choice::Right,
                  "a control's expected answer is a side (left or right)");
    for (const auto& category : v.categories) check.text("a category", category);
    check.require(v.id >= 0, "id is negative");
    if (auto s = check.result(); !s) return std::unexpected(s.error());
    categories.push_back(encode_text_list(v.categories));
  }
  return categories;
}

Result<size_t> SqlStore::insert_vote_rows(SqlConnection& c, std::span<const Vote> votes,
                                          std::span<const std::string> categories, size_t at,
                                          bool keep_ids,
                                          std::vector<std::optional<VoteInsertResult>>& results) {
  // Votes with and without an explicit id go in separate statements; each statement inserts
  // one of a few fixed numbers of rows, so only a few statements get prepared.
  const bool with_id = keep_ids && votes[at].id > 0;
  size_t run = 1;
  while (at + run < votes.size() && (keep_ids && votes[at + run].id > 0) == with_id) ++run;
  size_t rows = 1;
  for (size_t size : kVoteRowsPerInsert) {
    if (size <= run) {
      rows = size;
      break;
    }
  }
  std::vector<SqlParam> params;
  for (size_t n = at; n < at + rows; ++n) {
    const Vote& v = votes[n];
    if (with_id) params.emplace_back(v.id);
    for (const SqlParam& p :
         {SqlParam{std::string_view(v.battle_id)}, SqlParam{std::string_view(v.track_id)},
          SqlParam{std::string_view(v.prompt_id)}, SqlParam{std::string_view(v.left_model)},
          SqlParam{std::string_view(v.right_model)}, SqlParam{std::string_view(categories[n])},
          SqlParam{to_string(v.choice)}, SqlParam{v.left_watch_ms}, SqlParam{v.right_watch_ms},
          SqlParam{v.decision_ms}, SqlParam{std::string_view(v.session)},
          SqlParam{std::string_view(v.address)}, SqlParam{v.created_at_ms},
          SqlParam{flag(v.voided)}, SqlParam{std::string_view(v.void_reason)},
          SqlParam{std::string_view(v.control)},
          SqlParam{v.expected ? to_string(*v.expected) : std::string_view("")}}) {
      params.push_back(p);
    }
  }
  auto stored = c.query(insert_votes_sql(rows, with_id), params);
  if (!stored) {
    if (with_id && stored.error().code == "conflict") {
      return fail("conflict",
                  fmt::format("{}: a vote id among {}..{} is already used by another vote",
                              description_, votes[at].id, votes[at + rows - 1].id));
    }
    return std::unexpected(stored.error());
  }
  // RETURNING names the battles that got a new vote; the first input for each is it.
  std::unordered_map<std::string_view, int64_t> new_ids;
  for (const SqlRow& r : *stored) new_ids.emplace(std::get<std::string>(r.at(0)), as_int(r.at(1)));
  for (size_t n = at; n < at + rows; ++n) {
    auto found = new_ids.find(votes[n].battle_id);
    if (found == new_ids.end()) continue;
    results[n] = VoteInsertResult{VoteInsert::Stored, found->second};
    new_ids.erase(found);
  }
  return rows;
}

Status SqlStore::find_kept_votes(SqlConnection& c, std::span<const Vote> votes,
                                 std::vector<std::optional<VoteInsertResult>>& results) {
  for (size_t n = 0; n < votes.size(); ++n) {
    if (results[n]) continue;
    const std::array<SqlParam, 1> battle = {std::string_view(votes[n].battle_id)};
    auto kept = c.query("SELECT id FROM votes WHERE battle_id = $1", battle);
    if (!kept) return std::unexpected(kept.error());
    if (kept->empty()) {
      return fail("db_error", fmt::format("{}: vote on battle {} was neither stored nor found",
                                          description_, votes[n].battle_id));
    }
    results[n] = VoteInsertResult{VoteInsert::Duplicate, as_int(kept->front().at(0))};
  }
  return ok();
}

Result<std::vector<VoteInsertResult>> SqlStore::store_votes(std::span<const Vote> votes,
                                                            bool keep_ids) {
  if (votes.empty()) return std::vector<VoteInsertResult>{};
  auto categories = checked_categories(votes);
  if (!categories) return std::unexpected(categories.error());

  return transact(Access::Write, [&](SqlConnection& c) -> Result<std::vector<VoteInsertResult>> {
    if (!dialect_.vote_order_lock.empty()) {
      if (auto r = c.query(dialect_.vote_order_lock, {}); !r) return std::unexpected(r.error());
    }
    std::vector<std::optional<VoteInsertResult>> results(votes.size());
    bool explicit_ids = false;
    for (size_t at = 0; at < votes.size();) {
      explicit_ids = explicit_ids || (keep_ids && votes[at].id > 0);
      auto rows = insert_vote_rows(c, votes, *categories, at, keep_ids, results);
      if (!rows) return std::unexpected(rows.error());
      at += *rows;
    }
    // The rest are duplicates: of a vote stored earlier, or earlier in this batch.
    if (auto s = find_kept_votes(c, votes, results); !s) return std::unexpected(s.error());
    if (explicit_ids && !dialect_.after_explicit_vote_ids.empty()) {
      if (auto r = c.query(dialect_.after_explicit_vote_ids, {}); !r) {
        return std::unexpected(r.error());
      }
    }
    std::vector<VoteInsertResult> out;
    out.reserve(votes.size());
    for (const auto& r : results) out.push_back(*r);
    return out;
  });
}

Result<std::vector<Vote>> SqlStore::list_votes(const VoteQuery& q) {
  VoteFilter filter(q);
  std::string sql = fmt::format("SELECT {} FROM votes{} ORDER BY id", kVoteColumns, filter.where);
  if (q.limit > 0) {
    filter.params.push_back(q.limit);
    sql.append(fmt::format(" LIMIT ${}", filter.params.size()));
  }
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<Vote>> {
    auto rows = c.query(sql, filter.params);
    if (!rows) return std::unexpected(rows.error());
    return checked_records<Vote>(*rows,
                                 [&](const SqlRow& r) { return vote_from(r, description_); });
  });
}

Result<int64_t> SqlStore::void_votes(const VoteQuery& q, std::string_view reason) {
  if (q.track_id.empty() && q.session.empty() && q.address.empty() && q.after_id <= 0 &&
      !q.up_to_id) {
    return fail("invalid_argument",
                fmt::format("{}: refusing to void votes without a track, session, address or id "
                            "bound",
                            description_));
  }
  if (q.limit != 0) {
    return fail("invalid_argument",
                fmt::format("{}: voiding votes takes no limit (got {})", description_, q.limit));
  }
  InputCheck check(description_, "void");
  check.text("reason", reason);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  VoteQuery not_voided = q;
  not_voided.include_voided = false;
  VoteFilter filter(not_voided);
  filter.params.push_back(reason);
  const std::string sql = fmt::format("UPDATE votes SET voided = 1, void_reason = ${}{}",
                                      filter.params.size(), filter.where);
  return transact(Access::Write, [&](SqlConnection& c) -> Result<int64_t> {
    auto n = c.execute(sql, filter.params);
    if (!n) return n;
    if (*n > 0) {
      if (auto s = bump_counter(c, kVoidVersionSetting); !s) return std::unexpected(s.error());
    }
    return n;
  });
}

Result<SqlRows> SqlStore::track_rows(std::string_view track_id, const std::string& every_track,
                                     const std::string& one_track) {
  const std::array<SqlParam, 1> params = {track_id};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<SqlRows> {
    return track_id.empty() ? c.query(every_track, {}) : c.query(one_track, params);
  });
}

Result<std::vector<Battle>> SqlStore::select_battles(const std::string& sql,
                                                     std::span<const SqlParam> params) {
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<Battle>> {
    auto rows = c.query(sql, params);
    if (!rows) return std::unexpected(rows.error());
    std::vector<Battle> out;
    out.reserve(rows->size());
    for (const SqlRow& r : *rows) out.push_back(battle_from(r));
    return out;
  });
}

Result<std::vector<Battle>> SqlStore::list_battles(std::string_view track_id, int64_t limit) {
  std::vector<SqlParam> params;
  std::string sql = fmt::format("SELECT {} FROM battles", kBattleColumns);
  if (!track_id.empty()) {
    params.emplace_back(track_id);
    sql.append(" WHERE track_id = $1");
  }
  sql.append(" ORDER BY issued_at_ms, id");
  if (limit > 0) {
    params.emplace_back(limit);
    sql.append(fmt::format(" LIMIT ${}", params.size()));
  }
  return select_battles(sql, params);
}

Result<std::vector<Battle>> SqlStore::list_battles_after(std::string_view after_id, int64_t limit) {
  std::vector<SqlParam> params = {after_id};
  std::string sql = fmt::format("SELECT {} FROM battles WHERE id > $1 ORDER BY id", kBattleColumns);
  if (limit > 0) {
    params.emplace_back(limit);
    sql.append(" LIMIT $2");
  }
  return select_battles(sql, params);
}

Result<int64_t> SqlStore::delete_unvoted_battles(int64_t issued_before_ms, int64_t limit) {
  // By issued_at_ms (indexed) in pages, so one sweep never holds the write lock for long;
  // votes.battle_id is unique, hence indexed, for the NOT EXISTS.
  static const std::string kSql =
      "DELETE FROM battles WHERE id IN (SELECT b.id FROM battles b WHERE b.issued_at_ms < $1 "
      "AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id) "
      "ORDER BY b.issued_at_ms LIMIT $2)";
  return transact(Access::Write, [&](SqlConnection& c) -> Result<int64_t> {
    const std::array<SqlParam, 2> params = {issued_before_ms, limit};
    return c.execute(kSql, params);
  });
}

Result<Counts> SqlStore::counts() {
  // one statement, so one snapshot
  return transact(Access::Read, [&](SqlConnection& c) -> Result<Counts> {
    auto rows = c.query(
        "SELECT (SELECT COUNT(*) FROM tracks), (SELECT COUNT(*) FROM models), "
        "(SELECT COUNT(*) FROM prompts), (SELECT COUNT(*) FROM clips), "
        "(SELECT COUNT(*) FROM battles), (SELECT COUNT(*) FROM votes), "
        "(SELECT COUNT(*) FROM votes WHERE voided = 1), (SELECT COUNT(*) FROM settings), "
        "(SELECT COALESCE(MAX(id), 0) FROM votes), (SELECT COUNT(*) FROM controls), "
        "(SELECT COUNT(*) FROM model_events)",
        {});
    if (!rows) return std::unexpected(rows.error());
    const SqlRow& r = rows->at(0);
    Counts n;
    n.tracks = as_int(r[0]);
    n.models = as_int(r[1]);
    n.prompts = as_int(r[2]);
    n.clips = as_int(r[3]);
    n.battles = as_int(r[4]);
    n.votes = as_int(r[5]);
    n.voided_votes = as_int(r[6]);
    n.settings = as_int(r[7]);
    n.max_vote_id = as_int(r[8]);
    n.controls = as_int(r[9]);
    n.model_events = as_int(r[10]);
    return n;
  });
}

// ---- generation jobs -----------------------------------------------------------------

Result<int64_t> SqlStore::plan_jobs(std::span<const GenerationJob> jobs) {
  for (const GenerationJob& j : jobs) {
    if (auto s = check_job_text(description_, j); !s) return std::unexpected(s.error());
  }
  static const std::string kInsert = fmt::format(
      "INSERT INTO generation_jobs ({}) VALUES ({}) "
      "ON CONFLICT (track_id, prompt_id, model_id) DO NOTHING",
      std::string_view(kJobColumns).substr(4), placeholders(1, 26));
  static const std::string kRefresh =
      "UPDATE generation_jobs SET provider = $4, provider_model = $5, request = $6, seed = $7, "
      "estimated_cost = $8, currency = $9, updated_at_ms = $10 "
      "WHERE track_id = $1 AND prompt_id = $2 AND model_id = $3 AND state = 'planned' AND "
      "(provider IS DISTINCT FROM $4 OR provider_model IS DISTINCT FROM $5 OR "
      "request IS DISTINCT FROM $6 OR seed IS DISTINCT FROM $7 OR "
      "estimated_cost IS DISTINCT FROM $8 OR currency IS DISTINCT FROM $9)";
  const int64_t now = unix_ms();
  return transact(Access::Write, [&](SqlConnection& c) -> Result<int64_t> {
    int64_t added = 0;
    for (const GenerationJob& j : jobs) {
      const std::array<SqlParam, 2> prompt_key = {std::string_view(j.track_id),
                                                  std::string_view(j.prompt_id)};
      auto prompt = exists(c, "SELECT 1 FROM prompts WHERE track_id = $1 AND id = $2", prompt_key);
      if (!prompt) return std::unexpected(prompt.error());
      const std::array<SqlParam, 1> model_key = {std::string_view(j.model_id)};
      auto model = exists(c, "SELECT 1 FROM models WHERE id = $1", model_key);
      if (!model) return std::unexpected(model.error());
      if (!*prompt || !*model) {
        return fail("not_found",
                    fmt::format("{}: job {}/{}/{}: {} does not exist", description_, j.track_id,
                                j.prompt_id, j.model_id,
                                !*prompt ? "prompt " + j.prompt_id : "model " + j.model_id));
      }
      const std::array<SqlParam, 26> params = {std::string_view(j.track_id),
                                               std::string_view(j.prompt_id),
                                               std::string_view(j.model_id),
                                               std::string_view(j.provider),
                                               std::string_view(j.provider_model),
                                               to_string(JobState::Planned),
                                               std::string_view(j.request),
                                               param_of(j.seed),
                                               std::string_view(j.client_reference),
                                               std::string_view(""),
                                               std::string_view("{}"),
                                               std::string_view(""),
                                               int64_t{0},
                                               int64_t{0},
                                               int64_t{0},
                                               int64_t{0},
                                               int64_t{0},
                                               param_of(j.estimated_cost),
                                               nullptr,
                                               std::string_view(j.currency),
                                               std::string_view(""),
                                               std::string_view(""),
                                               std::string_view(""),
                                               std::string_view(""),
                                               now,
                                               now};
      auto inserted = c.execute(kInsert, params);
      if (!inserted) return std::unexpected(inserted.error());
      added += *inserted;
      if (*inserted > 0) continue;
      const std::array<SqlParam, 10> refresh = {std::string_view(j.track_id),
                                                std::string_view(j.prompt_id),
                                                std::string_view(j.model_id),
                                                std::string_view(j.provider),
                                                std::string_view(j.provider_model),
                                                std::string_view(j.request),
                                                param_of(j.seed),
                                                param_of(j.estimated_cost),
                                                std::string_view(j.currency),
                                                now};
      if (auto r = c.execute(kRefresh, refresh); !r) return std::unexpected(r.error());
    }
    return added;
  });
}

Result<std::vector<GenerationJob>> SqlStore::list_jobs(std::string_view track_id) {
  static const std::string kAll =
      fmt::format("SELECT {} FROM generation_jobs ORDER BY id", kJobColumns);
  static const std::string kOne =
      fmt::format("SELECT {} FROM generation_jobs WHERE track_id = $1 ORDER BY id", kJobColumns);
  auto rows = track_rows(track_id, kAll, kOne);
  if (!rows) return std::unexpected(rows.error());
  return jobs_from(*rows, description_);
}

Result<std::optional<GenerationJob>> SqlStore::claim_job(const JobClaim& claim) {
  InputCheck check(description_, "job claim");
  check.id("track_id", claim.track_id);
  check.id("owner", claim.owner);
  if (auto s = check.result(); !s) return std::unexpected(s.error());

  // Candidates first, then a conditional update of each until one is ours: the update
  // only succeeds while the owner and lease are still those read, so of two claimants
  // (PostgreSQL: the second waits for the first's commit, then finds the row changed)
  // only one gets the job.
  std::vector<SqlParam> params = {std::string_view(claim.track_id), claim.now_ms};
  std::string free_owner = "owner = '' OR lease_until_ms < $2";
  for (const std::string& dead : claim.dead_owners) {
    params.emplace_back(std::string_view(dead));
    free_owner += fmt::format(" OR owner = ${}", params.size());
  }
  auto in_list = [&](std::string_view column, const std::vector<std::string>& values) {
    std::string list;
    for (const std::string& v : values) {
      params.emplace_back(std::string_view(v));
      list += fmt::format("{}${}", list.empty() ? "" : ", ", params.size());
    }
    return list.empty() ? std::string() : fmt::format(" AND {} IN ({})", column, list);
  };
  const std::string models = in_list("model_id", claim.model_ids);
  const std::string prompts = in_list("prompt_id", claim.prompt_ids);
  const std::string select = fmt::format(
      "SELECT id, owner, lease_until_ms FROM generation_jobs WHERE track_id = $1 AND "
      "state IN ({}'submitting', 'submitted', 'downloading') AND "
      "next_attempt_at_ms <= $2 AND ({}){}{} ORDER BY next_attempt_at_ms, id LIMIT 8",
      claim.new_submissions ? "'planned', " : "", free_owner, models, prompts);
  static const std::string kTake =
      "UPDATE generation_jobs SET owner = $1, lease_until_ms = $2, updated_at_ms = $3 "
      "WHERE id = $4 AND owner = $5 AND lease_until_ms = $6";
  static const std::string kRead =
      fmt::format("SELECT {} FROM generation_jobs WHERE id = $1", kJobColumns);
  return transact(Access::Write, [&](SqlConnection& c) -> Result<std::optional<GenerationJob>> {
    auto rows = c.query(select, params);
    if (!rows) return std::unexpected(rows.error());
    for (const SqlRow& r : *rows) {
      const int64_t id = as_int(r[0]);
      const std::string old_owner = as_text(r[1]);
      const std::array<SqlParam, 6> take = {
          std::string_view(claim.owner), claim.lease_until_ms, claim.now_ms, id,
          std::string_view(old_owner),   as_int(r[2])};
      auto taken = c.execute(kTake, take);
      if (!taken) return std::unexpected(taken.error());
      if (*taken == 0) continue;
      const std::array<SqlParam, 1> key = {id};
      auto job = c.query(kRead, key);
      if (!job) return std::unexpected(job.error());
      if (job->empty()) continue;
      auto parsed = job_from(job->front(), description_);
      if (!parsed) return std::unexpected(parsed.error());
      return std::optional<GenerationJob>(std::move(*parsed));
    }
    return std::optional<GenerationJob>();
  });
}

Status SqlStore::write_job(SqlConnection& c, const GenerationJob& j, std::string_view owner) {
  static const std::string kSql =
      "UPDATE generation_jobs SET state = $1, request = $2, seed = $3, client_reference = $4, "
      "task_id = $5, task_handle = $6, owner = $7, lease_until_ms = $8, attempts = $9, "
      "next_attempt_at_ms = $10, submitted_at_ms = $11, finished_at_ms = $12, "
      "estimated_cost = $13, cost = $14, currency = $15, usage_json = $16, error_code = $17, "
      "error_message = $18, clip_hash = $19, updated_at_ms = $20 WHERE id = $21 AND owner = $22";
  const std::array<SqlParam, 22> params = {to_string(j.state),
                                           std::string_view(j.request),
                                           param_of(j.seed),
                                           std::string_view(j.client_reference),
                                           std::string_view(j.task_id),
                                           std::string_view(j.task_handle),
                                           std::string_view(j.owner),
                                           j.lease_until_ms,
                                           j.attempts,
                                           j.next_attempt_at_ms,
                                           j.submitted_at_ms,
                                           j.finished_at_ms,
                                           param_of(j.estimated_cost),
                                           param_of(j.cost),
                                           std::string_view(j.currency),
                                           std::string_view(j.usage),
                                           std::string_view(j.error_code),
                                           std::string_view(j.error_message),
                                           std::string_view(j.clip_hash),
                                           unix_ms(),
                                           j.id,
                                           owner};
  auto r = c.execute(kSql, params);
  if (!r) return std::unexpected(r.error());
  if (*r == 0) {
    return fail("conflict",
                fmt::format("{}: job {} ({}/{}/{}) is no longer held by {}", description_, j.id,
                            j.track_id, j.prompt_id, j.model_id, owner));
  }
  return ok();
}

Status SqlStore::update_job(const GenerationJob& job, std::string_view owner) {
  if (auto s = check_job_text(description_, job); !s) return s;
  return transact(Access::Write,
                  [&](SqlConnection& c) -> Status { return write_job(c, job, owner); });
}

Status SqlStore::finish_job(const GenerationJob& job, std::string_view owner,
                            const ClipGeneration& provenance) {
  if (auto s = check_job_text(description_, job); !s) return s;
  return transact(Access::Write, [&](SqlConnection& c) -> Status {
    if (auto s = write_job(c, job, owner); !s) return s;
    auto r = write_clip_generation(c, provenance);
    if (!r) return std::unexpected(r.error());
    return ok();
  });
}

Result<int64_t> SqlStore::requeue_jobs(std::string_view track_id, JobState from) {
  const std::array<SqlParam, 3> params = {track_id, to_string(from), unix_ms()};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<int64_t> {
    return c.execute(
        "UPDATE generation_jobs SET state = 'planned', task_id = '', task_handle = '{}', "
        "owner = '', lease_until_ms = 0, attempts = 0, next_attempt_at_ms = 0, "
        "submitted_at_ms = 0, finished_at_ms = 0, cost = NULL, usage_json = '', "
        "error_code = '', error_message = '', updated_at_ms = $3 "
        "WHERE track_id = $1 AND state = $2",
        params);
  });
}

Result<std::vector<JobStateCount>> SqlStore::count_jobs(std::string_view track_id) {
  const std::array<SqlParam, 1> params = {track_id};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<JobStateCount>> {
    auto rows = track_id.empty()
                    ? c.query(
                          "SELECT state, COUNT(*) FROM generation_jobs GROUP BY state "
                          "ORDER BY state",
                          {})
                    : c.query(
                          "SELECT state, COUNT(*) FROM generation_jobs WHERE track_id = $1 "
                          "GROUP BY state ORDER BY state",
                          params);
    if (!rows) return std::unexpected(rows.error());
    std::vector<JobStateCount> out;
    for (const SqlRow& r : *rows) {
      const auto state = parse_job_state(as_text(r[0]));
      if (!state) return corrupt(description_, fmt::format("a job has state {}", as_text(r[0])));
      out.push_back({*state, as_int(r[1])});
    }
    return out;
  });
}

Result<std::vector<std::string>> SqlStore::list_job_owners() {
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<std::string>> {
    auto rows =
        c.query("SELECT DISTINCT owner FROM generation_jobs WHERE owner <> '' ORDER BY owner", {});
    if (!rows) return std::unexpected(rows.error());
    std::vector<std::string> out;
    for (const SqlRow& r : *rows) out.push_back(as_text(r[0]));
    return out;
  });
}

Result<Upsert> SqlStore::write_clip_generation(SqlConnection& c, const ClipGeneration& g) {
  static constexpr std::array<std::string_view, 12> kColumns = {
      "track_id", "prompt_id", "model_id", "provider", "provider_model", "task_id",
      "request",  "seed",      "cost",     "currency", "generation_ms",  "generated_at_ms"};
  const std::array<SqlParam, 12> params = {std::string_view(g.track_id),
                                           std::string_view(g.prompt_id),
                                           std::string_view(g.model_id),
                                           std::string_view(g.provider),
                                           std::string_view(g.provider_model),
                                           std::string_view(g.task_id),
                                           std::string_view(g.request),
                                           param_of(g.seed),
                                           param_of(g.cost),
                                           std::string_view(g.currency),
                                           g.generation_ms,
                                           g.generated_at_ms};
  auto clip = exists(c,
                     "SELECT 1 FROM clips WHERE track_id = $1 AND prompt_id = $2 AND "
                     "model_id = $3",
                     std::span(params).first(3));
  if (!clip) return std::unexpected(clip.error());
  if (!*clip) {
    return fail("not_found", fmt::format("{}: provenance of clip {}/{}/{}: no such clip",
                                         description_, g.track_id, g.prompt_id, g.model_id));
  }
  return upsert_row(c, "clip_generations", kColumns, 3, params);
}

Result<Upsert> SqlStore::upsert_clip_generation(const ClipGeneration& g) {
  InputCheck check(description_,
                   fmt::format("provenance of clip {}/{}/{}", g.track_id, g.prompt_id, g.model_id));
  check.id("track_id", g.track_id);
  check.id("prompt_id", g.prompt_id);
  check.id("model_id", g.model_id);
  check.text("provider", g.provider);
  check.text("provider_model", g.provider_model);
  check.text("task_id", g.task_id);
  check.text("request", g.request);
  check.text("currency", g.currency);
  if (g.cost) check.finite("cost", *g.cost);
  if (auto s = check.result(); !s) return std::unexpected(s.error());
  return transact(Access::Write,
                  [&](SqlConnection& c) -> Result<Upsert> { return write_clip_generation(c, g); });
}

Result<std::vector<ClipGeneration>> SqlStore::list_clip_generations(std::string_view track_id) {
  static const std::string kAll =
      fmt::format("SELECT {} FROM clip_generations ORDER BY track_id, prompt_id, model_id",
                  kClipGenerationColumns);
  static const std::string kOne = fmt::format(
      "SELECT {} FROM clip_generations WHERE track_id = $1 ORDER BY prompt_id, model_id",
      kClipGenerationColumns);
  auto rows = track_rows(track_id, kAll, kOne);
  if (!rows) return std::unexpected(rows.error());
  std::vector<ClipGeneration> out;
  out.reserve(rows->size());
  for (const SqlRow& r : *rows) out.push_back(clip_generation_from(r));
  return out;
}

Result<std::optional<std::string>> SqlStore::get_setting(std::string_view key) {
  const std::array<SqlParam, 1> params = {key};
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::optional<std::string>> {
    auto rows = c.query("SELECT value FROM settings WHERE name = $1", params);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::nullopt;
    return as_text(rows->front().at(0));
  });
}

Result<std::string> SqlStore::set_setting_once(std::string_view key, std::string_view value) {
  InputCheck check(description_, fmt::format("setting {}", key));
  check.id("name", key);
  check.text("value", value);
  if (auto s = check.result(); !s) return std::unexpected(s.error());
  const std::array<SqlParam, 2> params = {key, value};
  return transact(Access::Write, [&](SqlConnection& c) -> Result<std::string> {
    // Whoever inserts first wins; PostgreSQL makes a concurrent inserter wait for our commit
    // and then do nothing, SQLite has one writer at a time.
    auto inserted = c.execute(
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", params);
    if (!inserted) return std::unexpected(inserted.error());
    auto rows = c.query("SELECT value FROM settings WHERE name = $1", std::span(params).first(1));
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) {
      return fail("db_error",
                  fmt::format("{}: setting {} was neither stored nor found", description_, key));
    }
    return as_text(rows->front().at(0));
  });
}

Status SqlStore::set_setting(std::string_view key, std::string_view value) {
  InputCheck check(description_, fmt::format("setting {}", key));
  check.id("name", key);
  check.text("value", value);
  if (auto s = check.result(); !s) return s;
  const std::array<SqlParam, 2> params = {key, value};
  return transact(Access::Write, [&](SqlConnection& c) -> Status {
    auto r = c.execute(
        "INSERT INTO settings (name, value) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params);
    if (!r) return std::unexpected(r.error());
    return ok();
  });
}

Result<std::vector<Setting>> SqlStore::list_settings() {
  return transact(Access::Read, [&](SqlConnection& c) -> Result<std::vector<Setting>> {
    auto rows = c.query("SELECT name, value FROM settings ORDER BY name", {});
    if (!rows) return std::unexpected(rows.error());
    std::vector<Setting> out;
    out.reserve(rows->size());
    for (const SqlRow& r : *rows) out.push_back({as_text(r[0]), as_text(r[1])});
    return out;
  });
}

Status SqlStore::ping() {
  return transact(Access::Read, [&](SqlConnection& c) -> Status {
    auto r = c.query("SELECT 1", {});
    if (!r) return std::unexpected(r.error());
    return ok();
  });
}

}  // namespace paddock::store
