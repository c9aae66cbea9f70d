// How `paddock serve` is configured and what it does with the database it is given: the
// defaults with no flags at all, a TOML file under the environment under the flags, the
// minimum vote count, and schema versions (an older database upgraded, a newer one refused).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api.hpp"
#include "paddock_server.hpp"
#include "store/open_store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

namespace fs = std::filesystem;

// The test arena's options without its --admin-token flag.
PaddockServer::Options without_admin_flag(const TestArena& arena,
                                          std::vector<std::string> extra = {}) {
  auto options = arena.server_options(std::move(extra));
  options.args.erase(options.args.begin(), options.args.begin() + 2);
  return options;
}

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

bool port_is_free(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

TEST(Configuration, WithNoFlagsServesTheWorkingDirectoryOnLoopback8080) {
  if (!port_is_free(8080)) GTEST_SKIP() << "127.0.0.1:8080 is taken by another program";
  TestArena arena;  // its paddock.db and media/ are in its folder: that is the working directory
  PaddockServer::Options options;
  options.location_flags = false;
  options.cwd = arena.dir();
  std::unique_ptr<PaddockServer> server;
  try {
    server = std::make_unique<PaddockServer>(options);
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("in use") != std::string::npos) {
      GTEST_SKIP() << "127.0.0.1:8080 was taken meanwhile";
    }
    throw;
  }
  EXPECT_EQ(server->port(), 8080);
  EXPECT_NE(server->log().find("listening on http://127.0.0.1:8080"), std::string::npos)
      << server->log();
  EXPECT_NE(server->log().find((arena.dir() / "paddock.db").string()), std::string::npos)
      << server->log();
  // The catalog of ./paddock.db, and a clip from ./media/.
  auto c = server->client();
  auto b = new_battle(c);
  EXPECT_EQ(c.get(b.left_url, {{"Range", "bytes=0-99"}}).status, 206);
  // No admin token was configured: administration is off.
  EXPECT_EQ(c.get("/api/admin/stats", bearer(kAdminToken)).status, 404);
  EXPECT_EQ(server->stop(), 0) << server->log();
}

TEST(Configuration, FlagsBeatTheEnvironmentWhichBeatsTheTomlFile) {
  TestArena arena;
  const fs::path toml = arena.dir() / "paddock.toml";
  std::ofstream(toml) << "# a deployment's settings\n"
                         "min_votes = 7\n"
                         "admin_token = \"token-from-the-file-0123456789\"\n";

  {  // the file alone
    auto options = without_admin_flag(arena, {"--config", toml.string()});
    PaddockServer server(options);
    auto c = server.client();
    EXPECT_EQ(body_json(c.get("/api/config")).at("min_votes"), 7);
    EXPECT_EQ(c.get("/api/admin/stats", bearer("token-from-the-file-0123456789")).status, 200);
  }
  {  // the environment over the file; the file named by the environment too
    auto options = without_admin_flag(arena);
    options.env = {{"PADDOCK_CONFIG", toml.string()},
                   {"PADDOCK_MIN_VOTES", "9"},
                   {"PADDOCK_ADMIN_TOKEN", "token-from-the-environment-0123"}};
    PaddockServer server(options);
    auto c = server.client();
    EXPECT_EQ(body_json(c.get("/api/config")).at("min_votes"), 9);
    EXPECT_EQ(c.get("/api/admin/stats", bearer("token-from-the-environment-0123")).status, 200);
    EXPECT_EQ(c.get("/api/admin/stats", bearer("token-from-the-file-0123456789")).status, 401);
  }
  {  // a flag over both
    auto options = without_admin_flag(arena, {"--config", toml.string(), "--min-votes", "11"});
    options.env = {{"PADDOCK_MIN_VOTES", "9"}};
    PaddockServer server(options);
    EXPECT_EQ(body_json(server.client().get("/api/config")).at("min_votes"), 11);
  }
  // A bad value is refused at start, naming where it came from.
  std::ofstream(toml) << "min_votes = \"many\"\n";
  auto r = run_process({paddock_binary().string(), "serve", "--config", toml.string(), "--db",
                        arena.db().string(), "--listen", "127.0.0.1:0"},
                       {.cwd = {}, .timeout = std::chrono::seconds(20)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("min_votes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(toml.filename().string()), std::string::npos) << r.err;
}

TEST(Configuration, AMalformedTicketKeyIsAUsageErrorNamingItsSource) {
  TestArena arena;
  const fs::path toml = arena.dir() / "key.toml";
  std::ofstream(toml) << "ticket_key = \"not-hex\"\n";
  const std::string serve_flags[] = {"--db", arena.db().string(), "--listen", "127.0.0.1:0"};
  struct Source {
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string named;
  };
  for (const auto& source :
       {Source{{"--ticket-key", "abc"}, {}, "--ticket-key"},
        Source{{}, {{"PADDOCK_TICKET_KEY", std::string(63, 'a')}}, "PADDOCK_TICKET_KEY"},
        Source{{"--config", toml.string()}, {}, "key.toml: ticket_key"}}) {
    std::vector<std::string> command{paddock_binary().string(), "serve"};
    command.insert(command.end(), std::begin(serve_flags), std::end(serve_flags));
    command.insert(command.end(), source.args.begin(), source.args.end());
    auto r =
        run_process(command, {.cwd = {}, .env = source.env, .timeout = std::chrono::seconds(20)});
    EXPECT_EQ(r.exit_code, 2) << source.named << ": " << r.err;
    EXPECT_NE(r.err.find(source.named + ": ticket_key must be 64 hex digits"), std::string::npos)
        << r.err;
  }
}

TEST(Configuration, HelpNamesEachSettingsValueAndVariable) {
  auto r = run_process({paddock_binary().string(), "serve", "--help"},
                       {.cwd = {}, .timeout = std::chrono::seconds(20)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(" TEXT"), std::string::npos) << r.out;
  for (const char* shown :
       {"--db FILE|URL", "[env PADDOCK_DB]", "--min-votes N", "[env PADDOCK_MIN_VOTES]",
        "--ticket-ttl DURATION", "[env PADDOCK_CONFIG]", "[env PADDOCK_SECURE_COOKIES]"}) {
    EXPECT_NE(r.out.find(shown), std::string::npos) << shown << "\n" << r.out;
  }
}

TEST(Configuration, ModelsUnderTheMinimumVoteCountArePreliminary) {
  TestArena arena;
  int64_t last = 0;
  auto check = [&](int min_votes, bool expect_some_preliminary) {
    std::vector<std::string> extra;
    if (min_votes != 50) extra = {"--min-votes", std::to_string(min_votes)};
    PaddockServer server(arena.server_options(extra));
    auto c = server.client();
    EXPECT_EQ(body_json(c.get("/api/config")).at("min_votes"), min_votes);
    if (last == 0) {
      for (int i = 0; i < 60; ++i) {
        auto b = new_battle(c);
        last = body_json(cast_vote(c, b.ticket, i % 3 ? "left" : "right")).at("vote_id");
      }
    }
    auto board = wait_for_board(c, "track=t2v", last);
    int preliminary = 0;
    for (const auto& m : board.at("models")) {
      bool under = m.at("votes").get<int>() < min_votes;
      EXPECT_EQ(m.at("preliminary").get<bool>(), under)
          << m.at("model") << " with " << m.at("votes") << " votes, minimum " << min_votes;
      preliminary += under;
    }
    // 60 votes among three models: about 40 each.
    if (expect_some_preliminary) {
      EXPECT_GT(preliminary, 0);
    } else {
      EXPECT_LT(preliminary, static_cast<int>(board.at("models").size()));
    }
  };
  check(25, false);
  check(50, true);  // the default
}

TEST(Configuration, AnOlderDatabaseIsUpgradedOnOpen) {
  TempDir dir;
  const fs::path db = dir / "old.db";
  {
    auto old = store::open_store(db.string(), {.migrate_to = 1});
    ASSERT_TRUE(old) << old.error().message;
    ASSERT_EQ((*old)->schema_version(), 1);
  }
  // A track as version 1 kept it (today's upsert would write columns it did not have yet).
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw,
                           "INSERT INTO tracks (id, name, task, audio, duration_s, aspect, width, "
                           "height) VALUES ('t2v', 'Text to video', 'text-to-video', 0, 5, "
                           "'16:9', 1280, 720)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  PaddockServer::Options options;
  options.db = db;
  options.media = dir / "media";
  PaddockServer server(options);
  auto tracks = body_json(server.client().get("/api/tracks")).at("tracks");
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].at("id"), "t2v");
  EXPECT_EQ(server.stop(), 0);
  auto upgraded = store::open_store(db.string(), {.create_if_missing = false});
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  EXPECT_EQ((*upgraded)->schema_version(), store::latest_schema_version());
}

TEST(Configuration, ANewerDatabaseIsRefusedNamingBothVersions) {
  TestArena arena;
  const int future = store::latest_schema_version() + 3;
  {
    auto s = store::open_store(arena.db().string(), {.create_if_missing = false});
    ASSERT_TRUE(s) << s.error().message;
  }
  {  // What a later paddock would have recorded.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(arena.db().c_str(), &db), SQLITE_OK);
    const std::string sql =
        "INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (" +
        std::to_string(future) + ", 'from the future', 0)";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  const auto size = fs::file_size(arena.db());
  auto r = run_process({paddock_binary().string(), "serve", "--db", arena.db().string(), "--media",
                        arena.media().string(), "--listen", "127.0.0.1:0"},
                       {.cwd = {}, .timeout = std::chrono::seconds(20)});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(std::to_string(future)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(store::latest_schema_version())), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("listening"), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(arena.db()), size);  // left alone
}

}  // namespace
}  // namespace paddock::testing
