#pragma once
// Private to the store layer: the one implementation of Store, over SqlConnections. The
// backends (sqlite_store.cpp, postgres_store.cpp) only open connections and say how their
// dialect differs; every statement and rule lives here, so both behave the same.

#include <memory>
#include <string>

#include "store/connection_pool.hpp"
#include "store/sql_connection.hpp"
#include "store/store.hpp"

namespace paddock::store {

class SqlStore final : public Store {
 public:
  // `writers` serves transactions that write; `readers` those that only read (nullptr: the
  // writers' pool serves both).
  SqlStore(const SqlDialect& dialect, std::string description, int schema_version,
           std::unique_ptr<ConnectionPool> writers, std::unique_ptr<ConnectionPool> readers);
  ~SqlStore() override;

  Result<Upsert> upsert_track(const Track&) override;
  Result<Upsert> upsert_model(const Model&) override;
  Result<Upsert> upsert_model_with_event(const Model&, const ModelEvent&) override;
  Result<std::vector<ModelEvent>> list_model_events() override;
  Result<int64_t> import_model_events(std::span<const ModelEvent>) override;
  Result<std::vector<VoidCount>> count_voids() override;
  Result<Upsert> upsert_prompt(const Prompt&) override;
  Result<Upsert> upsert_clip(const Clip&) override;
  Result<bool> set_clip_presentation(const Clip&) override;

  Result<std::vector<TrackSummary>> list_tracks() override;
  Result<std::optional<Track>> find_track(std::string_view id) override;
  Result<std::vector<Model>> list_models() override;
  Result<std::optional<Model>> find_model(std::string_view id) override;
  Result<std::vector<Prompt>> list_prompts(std::string_view track_id) override;
  Result<std::vector<Clip>> list_clips(std::string_view track_id) override;
  Result<bool> has_media(std::string_view hash) override;
  Result<Upsert> upsert_control(const Control&) override;
  Result<std::vector<Control>> list_controls(std::string_view track_id) override;
  Result<bool> delete_control(std::string_view track_id, std::string_view id) override;

  Status insert_battles(std::span<const Battle>) override;
  Result<std::vector<VoteInsertResult>> insert_votes(std::span<const Vote>) override;
  Result<std::vector<VoteInsertResult>> import_votes(std::span<const Vote>) override;
  Result<std::vector<Vote>> list_votes(const VoteQuery&) override;
  Result<int64_t> void_votes(const VoteQuery&, std::string_view reason) override;
  Result<std::vector<Battle>> list_battles(std::string_view track_id, int64_t limit) override;
  Result<std::vector<Battle>> list_battles_after(std::string_view after_id, int64_t limit) override;
  Result<int64_t> delete_unvoted_battles(int64_t issued_before_ms, int64_t limit) override;
  Result<Counts> counts() override;

  Result<int64_t> plan_jobs(std::span<const GenerationJob>) override;
  Result<std::vector<GenerationJob>> list_jobs(std::string_view track_id) override;
  Result<std::optional<GenerationJob>> claim_job(const JobClaim&) override;
  Status update_job(const GenerationJob& job, std::string_view owner) override;
  Status finish_job(const GenerationJob& job, std::string_view owner,
                    const ClipGeneration& provenance) override;
  Result<int64_t> requeue_jobs(std::string_view track_id, JobState from) override;
  Result<std::vector<JobStateCount>> count_jobs(std::string_view track_id) override;
  Result<std::vector<std::string>> list_job_owners() override;
  Result<Upsert> upsert_clip_generation(const ClipGeneration&) override;
  Result<std::vector<ClipGeneration>> list_clip_generations(std::string_view track_id) override;

  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Result<std::string> set_setting_once(std::string_view key, std::string_view value) override;
  Status set_setting(std::string_view key, std::string_view value) override;
  Result<std::vector<Setting>> list_settings() override;

  Status ping() override;

  int schema_version() const override { return schema_version_; }
  std::string describe() const override { return description_; }

 private:
  template <typename Body>
  auto transact(Access access, Body&& body) -> decltype(body(std::declval<SqlConnection&>()));

  // insert_votes and import_votes (keep_ids): checks the votes, then in one transaction
  // inserts them a statement at a time and looks up the duplicates' kept votes.
  Result<std::vector<VoteInsertResult>> store_votes(std::span<const Vote>, bool keep_ids);
  // Each vote's categories as stored, or the first vote that cannot be stored.
  Result<std::vector<std::string>> checked_categories(std::span<const Vote>) const;
  // One INSERT of the votes from `at` on (as many as one prepared statement takes) with
  // RETURNING; marks the votes it stored in `results`. Returns how many it consumed.
  Result<size_t> insert_vote_rows(SqlConnection&, std::span<const Vote>,
                                  std::span<const std::string> categories, size_t at, bool keep_ids,
                                  std::vector<std::optional<VoteInsertResult>>&);
  // The votes `results` has no answer for are duplicates: finds the vote kept for each.
  Status find_kept_votes(SqlConnection&, std::span<const Vote>,
                         std::vector<std::optional<VoteInsertResult>>&);
  Status write_job(SqlConnection& c, const GenerationJob& job, std::string_view owner);
  Result<Upsert> write_clip_generation(SqlConnection& c, const ClipGeneration& g);
  // The rows of one track's records (`one_track`, whose $1 is the track), or of every
  // track's when track_id is empty (`every_track`): the list_* readers by track share it.
  Result<SqlRows> track_rows(std::string_view track_id, const std::string& every_track,
                             const std::string& one_track);
  Result<std::vector<Battle>> select_battles(const std::string& sql,
                                             std::span<const SqlParam> params);

  const SqlDialect dialect_;
  const std::string description_;
  const int schema_version_;
  std::unique_ptr<ConnectionPool> writers_;
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace paddock::store
