// The backups docs/deploying.md gives, taken while a server takes votes, hold the whole
// arena: pg_dump / pg_restore for PostgreSQL, sqlite3's .backup for the SQLite file.

#include <gtest/gtest.h>

#include <algorithm>

#include "api.hpp"
#include "paddock_server.hpp"
#include "postgres_arena.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::testing {
namespace {

// `paddock export --full` of a database: every vote with everything about it.
std::string full_export(const std::string& db) {
  auto r = run_process({paddock_binary().string(), "export", "--db", db, "--full"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

int64_t vote_some(HttpClient& c, int n) {
  int64_t last = 0;
  for (int i = 0; i < n; ++i) {
    auto r = cast_vote(c, new_battle(c).ticket, i % 2 ? "left" : "tie");
    EXPECT_EQ(r.status, 201) << r.body;
    last = body_json(r).at("vote_id").get<int64_t>();
  }
  return last;
}

TEST(Backups, PgDumpWhileServingRestoresTheWholeArena) {
  auto& pg = store::test_support::shared_postgres_cluster();
  PostgresArena arena;
  TempDir dir("paddock-backup-test");
  const auto dump = dir / "paddock.dump";
  std::string live;
  int64_t last = 0;
  {
    PaddockServer server(arena.server_options());
    auto c = server.client();
    last = vote_some(c, 20);
    auto voided = c.post_json("/api/admin/votes/void", R"({"address":"127.0.0.1","reason":"x"})",
                              {{"Authorization", std::string("Bearer ") + kAdminToken}});
    ASSERT_EQ(voided.status, 200) << voided.body;
    vote_some(c, 5);
    auto r = run_process({"pg_dump", "--format=custom", "--file=" + dump.string(), arena.url()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    live = full_export(arena.url());
  }
  const std::string restored = pg.create_database();
  auto r = run_process({"pg_restore", "--dbname=" + restored, dump.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(full_export(restored), live);

  // A server on the restored database carries on where the original stopped: same ticket
  // key (a battle from before still votes), vote ids after the last.
  auto options = arena.server_options();
  options.db = restored;
  PaddockServer server(options);
  auto c = server.client();
  auto next = cast_vote(c, new_battle(c).ticket, "right");
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(body_json(next).at("vote_id").get<int64_t>(), last + 6);
}

TEST(Backups, SqliteBackupWhileServingHoldsEveryVoteAcknowledgedBeforeIt) {
  TestArena arena;
  PaddockServer server(arena.server_options());
  auto c = server.client();
  vote_some(c, 30);
  const auto backup = arena.dir() / "backup.db";
  auto r = run_process({"sqlite3", arena.db().string(), ".backup '" + backup.string() + "'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  vote_some(c, 5);  // the server goes on; the backup is a snapshot
  ASSERT_EQ(server.stop(), 0);

  const std::string live = full_export(arena.db().string());
  const std::string snapshot = full_export(backup.string());
  EXPECT_EQ(std::count(snapshot.begin(), snapshot.end(), '\n'), 30);
  EXPECT_TRUE(live.starts_with(snapshot)) << "the backup holds the first 30 votes as they are";
}

}  // namespace
}  // namespace paddock::testing
