#include "cli/serve_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace paddock::cli {
namespace {

class TomlFile {
 public:
  explicit TomlFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("paddock_serve_config_" + std::to_string(::getpid()) + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~TomlFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(ServeSettings, DefaultsServeTheWorkingDirectoryOnLoopback) {
  auto s = resolve_serve_settings({}, {}, std::nullopt);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->host, "127.0.0.1");
  EXPECT_EQ(s->port, 8080);
  EXPECT_EQ(s->db, "paddock.db");
  EXPECT_EQ(s->media, "media");
  EXPECT_EQ(s->min_votes, 50);
  EXPECT_EQ(s->ticket_ttl, std::chrono::minutes(30));
  EXPECT_TRUE(s->admin_token.empty());
  EXPECT_TRUE(s->rate_limits);
}

TEST(ServeSettings, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  TomlFile file("listen = \"0.0.0.0:9000\"\nmin_votes = 10\ndb = \"file.db\"\nmedia = \"m\"\n");
  auto s = resolve_serve_settings(
      {{"min_votes", "30"}}, {{"PADDOCK_MIN_VOTES", "20"}, {"PADDOCK_DB", "env.db"}}, file.path());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->min_votes, 30);    // flag
  EXPECT_EQ(s->db, "env.db");     // environment
  EXPECT_EQ(s->host, "0.0.0.0");  // file
  EXPECT_EQ(s->port, 9000);
  EXPECT_EQ(s->media, "m");
  EXPECT_EQ(s->unlock, "played_once");  // default
}

TEST(ServeSettings, ReadsSwitchesAndDurations) {
  TomlFile file("secure_cookies = true\nticket_ttl = \"2h\"\nrate_limits = false\n");
  auto s = resolve_serve_settings({}, {}, file.path());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->secure_cookies);
  EXPECT_FALSE(s->rate_limits);
  EXPECT_EQ(s->ticket_ttl, std::chrono::hours(2));
  auto t = resolve_serve_settings({{"ticket_ttl", "90"}}, {}, std::nullopt);
  EXPECT_EQ(t->ticket_ttl, std::chrono::seconds(90));
}

TEST(ServeSettings, DemoBannerIsOffUnlessAskedFor) {
  EXPECT_FALSE(resolve_serve_settings({}, {}, std::nullopt)->demo);
  EXPECT_TRUE(resolve_serve_settings({{"demo_banner", "true"}}, {}, std::nullopt)->demo);
  EXPECT_TRUE(resolve_serve_settings({}, {{"PADDOCK_DEMO_BANNER", "yes"}}, std::nullopt)->demo);
  TomlFile file("demo_banner = true\n");
  EXPECT_TRUE(resolve_serve_settings({}, {}, file.path())->demo);
  EXPECT_FALSE(resolve_serve_settings({{"demo_banner", "false"}}, {}, file.path())->demo);
}

TEST(ServeSettings, NamesTheSourceOfABadValue) {
  auto flag = resolve_serve_settings({{"listen", "nowhere"}}, {}, std::nullopt);
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().code, "bad_config");
  EXPECT_NE(flag.error().message.find("--listen"), std::string::npos);
  auto env = resolve_serve_settings({}, {{"PADDOCK_UNLOCK", "sometimes"}}, std::nullopt);
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("PADDOCK_UNLOCK"), std::string::npos);
  TomlFile file("min_votes = -3\n");
  auto toml = resolve_serve_settings({}, {}, file.path());
  ASSERT_FALSE(toml);
  EXPECT_NE(toml.error().message.find("min_votes"), std::string::npos);
}

TEST(ServeSettings, RefusesUnknownKeysAndBrokenFiles) {
  TomlFile typo("min_vote = 3\n");
  auto s = resolve_serve_settings({}, {}, typo.path());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("unknown setting \"min_vote\""), std::string::npos);
  TomlFile broken("listen = \n");
  EXPECT_FALSE(resolve_serve_settings({}, {}, broken.path()));
  EXPECT_FALSE(resolve_serve_settings({}, {}, std::filesystem::path("/nonexistent/x.toml")));
}

TEST(ParseDuration, ReadsSecondsMinutesAndHours) {
  EXPECT_EQ(parse_duration("45"), std::chrono::seconds(45));
  EXPECT_EQ(parse_duration("45s"), std::chrono::seconds(45));
  EXPECT_EQ(parse_duration("3m"), std::chrono::minutes(3));
  EXPECT_EQ(parse_duration("1h"), std::chrono::hours(1));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-5m"));
  // Found by fuzz/time_argument_fuzz: the product overflowed (undefined behaviour).
  EXPECT_FALSE(parse_duration("11111111111111111h"));
  EXPECT_FALSE(parse_duration("9223372036854775807m"));
  EXPECT_FALSE(parse_duration("87841h"));
  EXPECT_EQ(parse_duration("87840h"), std::chrono::hours(87840));
}

}  // namespace
}  // namespace paddock::cli
