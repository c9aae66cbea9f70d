// Two paddock generate runs at once on one PostgreSQL database never work on the same job:
// every task is submitted once, every clip stored once.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "generate_fixture.hpp"
#include "store/testing/postgres_cluster.hpp"

namespace paddock::generate_test {
namespace {

using store::JobState;

const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new paddock::store::test_support::PostgresEnvironment);

TEST_F(GenerateTest, TwoConcurrentRunsOnOnePostgresDatabaseNeverShareAJob) {
  const std::string url = paddock::store::test_support::shared_postgres_cluster().create_database();
  import_catalog(12, url);
  fake_->behaviour({{"vendor", "dashscope"}, {"polls_before_done", 2}, {"times", -1}});
  auto args = generate_args("t2v", {"--db", url});
  const pid_t a = start_paddock(args);
  const pid_t b = start_paddock(args);
  int status_a = 0, status_b = 0;
  ::waitpid(a, &status_a, 0);
  ::waitpid(b, &status_b, 0);
  ASSERT_TRUE(WIFEXITED(status_a) && WIFEXITED(status_b));
  EXPECT_EQ(WEXITSTATUS(status_a), 0);
  EXPECT_EQ(WEXITSTATUS(status_b), 0);

  auto db = open_db(url);
  auto jobs = db->list_jobs("t2v");
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 24u);
  for (const auto& j : *jobs)
    EXPECT_EQ(j.state, JobState::Stored) << j.prompt_id << "/" << j.model_id;
  const auto tasks = tasks_by_model_and_prompt();
  EXPECT_EQ(tasks.size(), 24u);
  for (const auto& [pair, n] : tasks) EXPECT_EQ(n, 1) << pair << " was submitted by both runs";
  EXPECT_EQ(db->list_clips("t2v")->size(), 24u);
  EXPECT_EQ(db->list_clip_generations("t2v")->size(), 24u);
}

}  // namespace
}  // namespace paddock::generate_test
