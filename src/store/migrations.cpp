#include "store/migrations.hpp"

#include <fmt/core.h>

#include <array>
#include <chrono>

#include "base/clock.hpp"

namespace paddock::store {
namespace {

// Append only: a released migration never changes, a change of schema is a new migration.
// Types are chosen so one spelling means the same in both databases: BIGINT and INTEGER
// have integer affinity in SQLite, DOUBLE PRECISION real affinity. Flags are 0/1 integers.
constexpr std::array kMigrations = {
    Migration{1, "catalog (tracks, models, prompts, clips) and settings", R"sql(
CREATE TABLE tracks (
  id {text} PRIMARY KEY,
  name {text} NOT NULL,
  task {text} NOT NULL CHECK (task IN ('text-to-video', 'image-to-video', 'video-edit')),
  audio INTEGER NOT NULL CHECK (audio IN (0, 1)),
  duration_s DOUBLE PRECISION NOT NULL,
  aspect {text} NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL
);
CREATE TABLE models (
  id {text} PRIMARY KEY,
  display_name {text} NOT NULL,
  organization {text} NOT NULL,
  status {text} NOT NULL CHECK (status IN ('hidden', 'anonymous', 'public', 'retired')),
  codename {text} NOT NULL
);
CREATE TABLE prompts (
  track_id {text} NOT NULL REFERENCES tracks (id),
  id {text} NOT NULL,
  prompt_text {text} NOT NULL,
  language {text} NOT NULL,
  categories {text} NOT NULL,
  source_hash {text} NOT NULL,
  source_mime {text} NOT NULL,
  PRIMARY KEY (track_id, id)
);
CREATE INDEX prompts_by_source_hash ON prompts (source_hash);
CREATE TABLE clips (
  track_id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  model_id {text} NOT NULL REFERENCES models (id),
  hash {text} NOT NULL,
  mime {text} NOT NULL,
  duration_s DOUBLE PRECISION NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  fps DOUBLE PRECISION NOT NULL,
  video_codec {text} NOT NULL,
  audio_codec {text} NOT NULL,
  has_audio INTEGER NOT NULL CHECK (has_audio IN (0, 1)),
  bytes BIGINT NOT NULL,
  PRIMARY KEY (track_id, prompt_id, model_id),
  FOREIGN KEY (track_id, prompt_id) REFERENCES prompts (track_id, id)
);
CREATE INDEX clips_by_hash ON clips (hash);
CREATE INDEX clips_by_model ON clips (model_id);
CREATE TABLE settings (
  name {text} PRIMARY KEY,
  value {text} NOT NULL
);
)sql"},
    Migration{2, "battles and votes", R"sql(
CREATE TABLE battles (
  id {text} PRIMARY KEY,
  track_id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  left_model {text} NOT NULL,
  right_model {text} NOT NULL,
  left_clip {text} NOT NULL,
  right_clip {text} NOT NULL,
  session_id {text} NOT NULL,
  address {text} NOT NULL,
  issued_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL
);
CREATE INDEX battles_by_track ON battles (track_id, issued_at_ms);
CREATE INDEX battles_by_time ON battles (issued_at_ms);
CREATE TABLE votes (
  id {id_pk},
  battle_id {text} NOT NULL UNIQUE,
  track_id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  left_model {text} NOT NULL,
  right_model {text} NOT NULL,
  categories {text} NOT NULL,
  choice {text} NOT NULL CHECK (choice IN ('left', 'right', 'tie', 'both_bad')),
  left_watch_ms BIGINT NOT NULL,
  right_watch_ms BIGINT NOT NULL,
  decision_ms BIGINT NOT NULL,
  session_id {text} NOT NULL,
  address {text} NOT NULL,
  created_at_ms BIGINT NOT NULL,
  voided INTEGER NOT NULL CHECK (voided IN (0, 1)),
  void_reason {text} NOT NULL
);
CREATE INDEX votes_by_track ON votes (track_id, id);
)sql"},
    Migration{3, "indexes to find votes by session and by address", R"sql(
CREATE INDEX votes_by_session ON votes (session_id);
CREATE INDEX votes_by_address ON votes (address);
)sql"},
    Migration{4,
              "paddock generate: models' generation config, tracks' seed policy and "
              "watermark, generation jobs, clip provenance",
              R"sql(
ALTER TABLE models ADD COLUMN generation {text} NOT NULL DEFAULT '';
ALTER TABLE tracks ADD COLUMN seed_policy {text} NOT NULL DEFAULT 'per-prompt';
ALTER TABLE tracks ADD COLUMN watermark INTEGER NOT NULL DEFAULT 0 CHECK (watermark IN (0, 1));
CREATE TABLE generation_jobs (
  id {id_pk},
  track_id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  model_id {text} NOT NULL REFERENCES models (id),
  provider {text} NOT NULL,
  provider_model {text} NOT NULL,
  state {text} NOT NULL CHECK (state IN ('planned', 'submitting', 'submitted', 'downloading',
                                        'stored', 'refused', 'failed', 'in_doubt')),
  request {text} NOT NULL,
  seed BIGINT,
  client_reference {text} NOT NULL,
  task_id {text} NOT NULL,
  task_handle {text} NOT NULL,
  owner {text} NOT NULL,
  lease_until_ms BIGINT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at_ms BIGINT NOT NULL,
  submitted_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT NOT NULL,
  estimated_cost DOUBLE PRECISION,
  cost DOUBLE PRECISION,
  currency {text} NOT NULL,
  usage_json {text} NOT NULL,
  error_code {text} NOT NULL,
  error_message {text} NOT NULL,
  clip_hash {text} NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  UNIQUE (track_id, prompt_id, model_id),
  FOREIGN KEY (track_id, prompt_id) REFERENCES prompts (track_id, id)
);
CREATE INDEX generation_jobs_by_state ON generation_jobs (track_id, state, next_attempt_at_ms);
CREATE TABLE clip_generations (
  track_id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  model_id {text} NOT NULL,
  provider {text} NOT NULL,
  provider_model {text} NOT NULL,
  task_id {text} NOT NULL,
  request {text} NOT NULL,
  seed BIGINT,
  cost DOUBLE PRECISION,
  currency {text} NOT NULL,
  generation_ms BIGINT NOT NULL,
  generated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (track_id, prompt_id, model_id),
  FOREIGN KEY (track_id, prompt_id, model_id) REFERENCES clips (track_id, prompt_id, model_id)
);
)sql"},
    Migration{5, "tracks' frame rate (every clip of a track is encoded at it)", R"sql(
ALTER TABLE tracks ADD COLUMN fps DOUBLE PRECISION NOT NULL DEFAULT 0;
)sql"},
    Migration{6, "clips' presentation measurements (motion, luma, saturation; NULL: not measured)",
              R"sql(
ALTER TABLE clips ADD COLUMN motion DOUBLE PRECISION;
ALTER TABLE clips ADD COLUMN luma DOUBLE PRECISION;
ALTER TABLE clips ADD COLUMN saturation DOUBLE PRECISION;
)sql"},
    Migration{7, "attention checks: controls, and battles and votes marked as controls", R"sql(
CREATE TABLE controls (
  track_id {text} NOT NULL,
  id {text} NOT NULL,
  prompt_id {text} NOT NULL,
  intact_model {text} NOT NULL REFERENCES models (id),
  broken_hash {text} NOT NULL,
  broken_mime {text} NOT NULL,
  broken_bytes BIGINT NOT NULL,
  note {text} NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (track_id, id),
  FOREIGN KEY (track_id, prompt_id) REFERENCES prompts (track_id, id)
);
CREATE INDEX controls_by_broken_hash ON controls (broken_hash);
ALTER TABLE battles ADD COLUMN control {text} NOT NULL DEFAULT '';
ALTER TABLE votes ADD COLUMN control {text} NOT NULL DEFAULT '';
ALTER TABLE votes ADD COLUMN expected {text} NOT NULL DEFAULT ''
  CHECK (expected IN ('', 'left', 'right'));
CREATE INDEX votes_on_controls ON votes (track_id, id) WHERE control <> '';
)sql"},
    Migration{8, "the board's public change log (models added, revealed, retired, withdrawn)",
              R"sql(
CREATE TABLE model_events (
  id {id_pk},
  model_id {text} NOT NULL,
  kind {text} NOT NULL CHECK (kind IN ('added', 'revealed', 'retired', 'withdrawn', 'restored')),
  from_status {text} NOT NULL,
  to_status {text} NOT NULL,
  shown_before {text} NOT NULL,
  shown_after {text} NOT NULL,
  organization {text} NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX model_events_by_model ON model_events (model_id, at_ms);
)sql"},
};

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)";

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

std::string render(std::string_view sql, const SqlDialect& dialect) {
  std::string out;
  out.reserve(sql.size() + 256);
  while (!sql.empty()) {
    const auto open = sql.find('{');
    if (open == std::string_view::npos) break;
    out.append(sql.substr(0, open));
    sql.remove_prefix(open);
    if (sql.starts_with("{id_pk}")) {
      out.append(dialect.id_primary_key);
      sql.remove_prefix(7);
    } else if (sql.starts_with("{text}")) {
      out.append(dialect.text_type);
      sql.remove_prefix(6);
    } else {
      out.push_back('{');
      sql.remove_prefix(1);
    }
  }
  out.append(sql);
  return out;
}

Result<int> migrate(SqlConnection& connection, const SqlDialect& dialect, int target,
                    std::string_view database) {
  const int latest = latest_schema_version();
  if (target <= 0 || target > latest) target = latest;

  if (auto s = connection.begin(Access::Write); !s) return std::unexpected(s.error());
  auto body = [&]() -> Result<int> {
    if (!dialect.migration_lock.empty()) {
      if (auto r = connection.query(dialect.migration_lock, {}); !r) {
        return std::unexpected(r.error());
      }
    }
    if (auto s = connection.execute_script(kCreateVersionTable); !s) {
      return std::unexpected(s.error());
    }
    auto rows = connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
    if (!rows) return std::unexpected(rows.error());
    const int current = static_cast<int>(as_int(rows->at(0).at(0)));
    if (current > latest) {
      return fail("schema_too_new",
                  fmt::format("{}: the database has schema version {}, newer than the version "
                              "{} this paddock knows; use a newer paddock",
                              database, current, latest));
    }
    int version = current;
    for (const Migration& m : kMigrations) {
      if (m.version <= current || m.version > target) continue;
      if (auto s = connection.execute_script(render(m.sql, dialect)); !s) {
        return fail(s.error().code, fmt::format("{} (migration {}: {})", s.error().message,
                                                m.version, m.description));
      }
      const std::array<SqlParam, 3> params = {int64_t{m.version}, m.description, unix_ms()};
      auto recorded = connection.execute(
          "INSERT INTO schema_migrations (version, description, applied_at_ms) "
          "VALUES ($1, $2, $3)",
          params);
      if (!recorded) return std::unexpected(recorded.error());
      version = m.version;
    }
    return version;
  };
  auto result = body();
  if (!result) {
    connection.rollback();
    return result;
  }
  if (auto s = connection.commit(); !s) {
    connection.rollback();
    return std::unexpected(s.error());
  }
  return result;
}

}  // namespace paddock::store
