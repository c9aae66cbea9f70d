// `paddock copy` as a user runs it: SQLite file to PostgreSQL and back, refusals, usage.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "store/open_store.hpp"
#include "store/testing/must.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "store/testing/sample_arena.hpp"
#include "store/testing/sample_data.hpp"
#include "support/temp_dir.hpp"

extern char** environ;  // NOLINT: POSIX

namespace paddock {
namespace {

using store::test_support::must;

const auto* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new store::test_support::PostgresEnvironment);

struct ProgramRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `paddock ARGS...` and collects its exit code and output.
ProgramRun paddock(const std::vector<std::string>& args, const paddock::testing::TempDir& dir) {
  std::vector<std::string> argv = {PADDOCK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  const std::string out_file = dir.file("stdout.txt");
  const std::string err_file = dir.file("stderr.txt");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ProgramRun run;
  if (posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  auto slurp = [](const std::string& f) {
    std::ifstream in(f);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  run.out = slurp(out_file);
  run.err = slurp(err_file);
  return run;
}

class CopyCommand : public ::testing::Test {
 protected:
  paddock::testing::TempDir dir_{"paddock-copy-test"};
};

TEST_F(CopyCommand, SqliteToPostgresqlAndBackKeepsTheWholeArena) {
  const std::string original = dir_.file("arena.db");
  const std::string back = dir_.file("back.db");
  const std::string postgres = store::test_support::shared_postgres_cluster().create_database();
  {
    auto s = must(store::open_store(original));
    store::test_support::fill_sample_arena(*s);
  }

  const ProgramRun there = paddock({"copy", "--from", original, "--to", postgres}, dir_);
  ASSERT_EQ(there.exit_code, 0) << there.err;
  EXPECT_NE(there.out.find("48 votes (9 voided, largest id 1002)"), std::string::npos) << there.out;
  EXPECT_NE(there.out.find("counts checked"), std::string::npos);
  EXPECT_NE(there.err.find("votes"), std::string::npos) << "no progress: " << there.err;

  const ProgramRun home =
      paddock({"copy", "--from", postgres, "--to", back, "--page-size", "7"}, dir_);
  ASSERT_EQ(home.exit_code, 0) << home.err;

  auto a = must(store::open_store(original));
  auto p = must(store::open_store(postgres));
  auto b = must(store::open_store(back));
  store::test_support::expect_same_content(*a, *p);
  store::test_support::expect_same_content(*a, *b);
}

TEST_F(CopyCommand, ATargetThatHoldsDataIsRefusedUnlessMergingIsAskedFor) {
  const std::string source = dir_.file("source.db");
  const std::string target = dir_.file("target.db");
  {
    auto s = must(store::open_store(source));
    store::test_support::fill_sample_arena(*s);
    auto t = must(store::open_store(target));
    must(t->insert_votes(std::vector{store::test_support::sample_vote("only-in-target")}));
  }
  const ProgramRun refused = paddock({"copy", "--from", source, "--to", target}, dir_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("already holds"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force-merge"), std::string::npos) << refused.err;
  EXPECT_EQ(must(must(store::open_store(target))->counts()).votes, 1);

  const ProgramRun merged =
      paddock({"copy", "--from", source, "--to", target, "--force-merge"}, dir_);
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(must(must(store::open_store(target))->counts()).votes,
            49);  // 48 copied (one on an attention check)
}

TEST_F(CopyCommand, AMissingSourceIsAnErrorAndCreatesNothing) {
  const std::string missing = dir_.file("typo.db");
  const std::string target = dir_.file("target.db");
  const ProgramRun r = paddock({"copy", "--from", missing, "--to", target}, dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such database file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(CopyCommand, AnUnreachableTargetIsAClearError) {
  const std::string source = dir_.file("source.db");
  { must(store::open_store(source)); }
  const ProgramRun r = paddock(
      {"copy", "--from", source, "--to", "postgresql://paddock:hunter2@127.0.0.1:1/arena"}, dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach PostgreSQL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

TEST_F(CopyCommand, MissingArgumentsAreAUsageError) {
  const ProgramRun r = paddock({"copy", "--from", dir_.file("a.db")}, dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--to"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace paddock
