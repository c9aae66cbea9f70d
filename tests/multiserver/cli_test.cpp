// Every subcommand that opens a database takes a postgresql:// URL wherever it takes a
// SQLite file: import, admin, serve, export and copy, run as an operator runs them.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "paddock_server.hpp"
#include "postgres_arena.hpp"
#include "store/testing/postgres_cluster.hpp"
#include "support/media_files.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::testing {
namespace {

namespace fs = std::filesystem;

class PostgresCli : public ::testing::Test {
 protected:
  ProcessResult paddock(std::vector<std::string> args,
                        std::vector<std::pair<std::string, std::string>> env = {}) const {
    args.insert(args.begin(), paddock_binary().string());
    return run_process(args, {.cwd = dir_.path(), .env = std::move(env)});
  }

  // One track, two public models, one prompt, a clip of each model.
  void write_catalog() const {
    fs::create_directories(dir_ / "clips");
    fs::copy_file(shared_clip({.duration_s = 2, .caption = "A"}), dir_ / "clips/ma.mp4");
    fs::copy_file(shared_clip({.duration_s = 2, .caption = "B"}), dir_ / "clips/mb.mp4");
    write_file(
        dir_ / "catalog.jsonl",
        R"({"kind": "track", "id": "t2v", "name": "Text to video", "task": "text-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "model", "id": "ma", "display_name": "Model A", "organization": "Lab A", "status": "public"}
{"kind": "model", "id": "mb", "display_name": "Model B", "organization": "Lab B", "status": "public"}
{"kind": "prompt", "track": "t2v", "id": "p1", "text": "A horse gallops along a beach", "categories": ["animals"]}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "ma", "file": "clips/ma.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "mb", "file": "clips/mb.mp4"}
)");
  }

  TempDir dir_{"paddock-pg-cli-test"};
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(PostgresCli, ImportServeAdminExportAndCopyAllWorkOnAPostgresqlDatabase) {
  const std::string url = store::test_support::shared_postgres_cluster().create_database();
  write_catalog();

  auto imported = paddock({"import", "--db", url, "--media", "media", "catalog.jsonl"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_TRUE(contains(imported.out, "clips    2 inserted")) << imported.out;

  auto stats = paddock({"admin", "--db", url, "stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto counts = json::parse(stats.out);
  EXPECT_EQ(counts.at("tracks"), 1);
  EXPECT_EQ(counts.at("models"), 2);
  EXPECT_EQ(counts.at("clips"), 2);

  // A reveal through admin, then votes through a server on the same database.
  auto set = paddock({"admin", "--db", url, "models", "set", "mb", "--status", "anonymous",
                      "--codename", "Mystery-B"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  int64_t last = 0;
  {
    PaddockServer::Options options;
    options.db = url;
    options.media = dir_ / "media";
    options.args = {"--board-interval", "0", "--min-watch-fraction", "0"};
    PaddockServer server(options);
    auto c = server.client();
    for (int i = 0; i < 12; ++i) {
      auto b = new_battle(c);
      auto r = cast_vote(c, b.ticket, i % 3 ? "left" : "tie");
      ASSERT_EQ(r.status, 201) << r.body;
      last = body_json(r).at("vote_id").get<int64_t>();
    }
    auto board = wait_for_board(c, "track=t2v", last);
    EXPECT_EQ(board.at("votes"), 12);
    EXPECT_EQ(server.stop(), 0) << server.log();
    EXPECT_TRUE(contains(server.log(), "database postgresql://postgres@")) << server.log();
  }

  auto listed = paddock({"admin", "--db", url, "votes", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(json::parse(listed.out).at("votes").size(), 12u);

  auto exported = paddock({"export", "--db", url, "--full"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(line_count(exported.out), 12u) << exported.out;
  EXPECT_TRUE(contains(exported.out, "Model B")) << "--full names the real models";
  auto public_log =
      paddock({"export", "--track", "t2v", "--up-to", std::to_string(last)}, {{"PADDOCK_DB", url}});
  ASSERT_EQ(public_log.exit_code, 0) << public_log.err;
  EXPECT_EQ(line_count(public_log.out), 12u);
  EXPECT_TRUE(contains(public_log.out, "Mystery-B")) << "the public log shows the codename";

  // Back into a SQLite file, whose export is the same, vote for vote.
  auto copied = paddock({"copy", "--from", url, "--to", "back.db"});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  auto from_copy = paddock({"export", "--db", "back.db", "--full"});
  ASSERT_EQ(from_copy.exit_code, 0) << from_copy.err;
  EXPECT_EQ(from_copy.out, exported.out);
}

TEST_F(PostgresCli, ImportAndAdminReadTheDatabaseFromTheEnvironmentLikeServe) {
  const std::string url = store::test_support::shared_postgres_cluster().create_database();
  write_catalog();
  auto imported =
      paddock({"import", "catalog.jsonl"}, {{"PADDOCK_DB", url}, {"PADDOCK_MEDIA", "shared"}});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db")) << "nothing went to the default file";
  EXPECT_FALSE(fs::is_empty(dir_ / "shared"));
  auto stats = paddock({"admin", "stats", "--json"}, {{"PADDOCK_DB", url}});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(json::parse(stats.out).at("clips"), 2);
  // A flag still beats the environment.
  auto elsewhere = paddock({"admin", "--db", "missing.db", "stats"}, {{"PADDOCK_DB", url}});
  EXPECT_EQ(elsewhere.exit_code, 1);
  EXPECT_TRUE(contains(elsewhere.err, "missing.db")) << elsewhere.err;
}

TEST_F(PostgresCli, ASqlitePrefixedLocationFindsTheExistingDatabase) {
  write_catalog();
  const std::string db = "sqlite:" + (dir_ / "arena.db").string();
  auto first = paddock({"import", "--db", db, "catalog.jsonl"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // A second manifest that refers to the track and models already stored.
  write_file(dir_ / "more.jsonl",
             R"({"kind": "prompt", "track": "t2v", "id": "p2", "text": "Fog over a lake"}
{"kind": "clip", "track": "t2v", "prompt": "p2", "model": "ma", "file": "clips/ma.mp4"}
)");
  auto second = paddock({"import", "--db", db, "more.jsonl"});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(contains(second.out, "prompts  1 inserted")) << second.out;
}

TEST_F(PostgresCli, AnUnreachableDatabaseIsAClearErrorAndNeverShowsThePassword) {
  // Nothing listens on port 1: the connection is refused at once.
  const std::string url = "postgresql://arena:s3cret-pw@127.0.0.1:1/paddock";
  const std::string shown = "postgresql://arena@127.0.0.1:1/paddock";
  write_catalog();
  auto local = paddock({"import", "--db", "local.db", "catalog.jsonl"});
  ASSERT_EQ(local.exit_code, 0) << local.out << local.err;
  std::vector<std::vector<std::string>> commands = {
      {"import", "--db", url, "catalog.jsonl"},
      {"admin", "--db", url, "stats"},
      {"export", "--db", url},
      {"copy", "--from", url, "--to", "copy.db"},
      {"copy", "--from", "local.db", "--to", url},
      {"serve", "--db", url, "--listen", "127.0.0.1:0"},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(args[0] + " " + args[2]);
    auto r = paddock(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, shown + ": cannot reach PostgreSQL")) << r.err;
    EXPECT_FALSE(contains(r.out + r.err, "s3cret-pw")) << r.out << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "copy.db")) << "a failed copy leaves no target behind";
}

}  // namespace
}  // namespace paddock::testing
