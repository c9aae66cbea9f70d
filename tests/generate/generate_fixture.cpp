#include "generate_fixture.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>

#include "store/open_store.hpp"
#include "support/media_files.hpp"

extern char** environ;

namespace paddock::generate_test {

namespace fs = std::filesystem;
using nlohmann::json;
using paddock::testing::ClipSpec;

void GenerateTest::SetUp() {
  // Results the fake serves: a clip that fits the tracks, and two that do not.
  const fs::path media = dir_ / "fake-media";
  fs::create_directories(media);
  fs::copy_file(paddock::testing::shared_clip({.duration_s = 5, .width = 320, .height = 180}),
                media / "a-good.mp4");
  fs::copy_file(paddock::testing::shared_clip({.duration_s = 1, .width = 320, .height = 180}),
                media / "short.mp4");
  fs::copy_file(paddock::testing::shared_clip({.duration_s = 5, .width = 180, .height = 320}),
                media / "tall.mp4");
  fake_ = std::make_unique<generate::testing::FakeVendors>(generate::testing::FakeVendors::Options{
      .media = media, .default_media = "a-good.mp4", .keys = {{"dashscope", kKey}}});
  write_config();
}

std::string GenerateTest::prompt_text(const std::string& track, const std::string& id) {
  return fmt::format("{} {}: a horse gallops along a beach at dawn", track, id);
}

void GenerateTest::import_catalog(int prompts, const std::string& db) {
  fs::create_directories(dir_ / "sources");
  paddock::testing::make_image(dir_ / "sources/first.png", 320, 180);
  std::string m;
  auto line = [&m](const json& j) { m += j.dump() + "\n"; };
  line({{"kind", "track"},
        {"id", "t2v"},
        {"task", "text-to-video"},
        {"duration_s", 5},
        {"width", 320},
        {"height", 180}});
  line({{"kind", "track"},
        {"id", "i2v"},
        {"task", "image-to-video"},
        {"duration_s", 5},
        {"width", 320},
        {"height", 180},
        {"seed", "fixed:77"}});
  line({{"kind", "model"},
        {"id", "hh"},
        {"display_name", "HappyHorse-1.0"},
        {"organization", "Alibaba"},
        {"generation",
         {{"provider", "ds"},
          {"model",
           {{"text-to-video", "happyhorse-1.0-t2v"}, {"image-to-video", "happyhorse-1.0-i2v"}}}}}});
  line({{"kind", "model"},
        {"id", "wan"},
        {"display_name", "Wan 2.6"},
        {"organization", "Alibaba"},
        {"generation",
         {{"provider", "ds"},
          {"model", {{"text-to-video", "wan2.6-t2v"}, {"image-to-video", "wan2.6-i2v"}}}}}});
  line({{"kind", "model"}, {"id", "byhand"}, {"display_name", "Imported by hand"}});
  for (const char* track : {"t2v", "i2v"}) {
    for (int i = 1; i <= prompts; ++i) {
      const std::string id = fmt::format("p{:02d}", i);
      json p{{"kind", "prompt"}, {"track", track}, {"id", id}, {"text", prompt_text(track, id)}};
      if (std::string(track) == "i2v") p["source"] = "sources/first.png";
      line(p);
    }
  }
  paddock::testing::write_file(dir_ / "catalog.jsonl", m);
  auto r = paddock({"import", "catalog.jsonl", "--db", db});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

void GenerateTest::write_config(const std::string& extra, double poll_interval_s) {
  paddock::testing::write_file(
      dir_ / "gen.toml",
      fmt::format(R"([providers.ds]
protocol = "dashscope"
base_url = "{}"
key_env = "{}"
allow_addresses = ["127.0.0.1"]
concurrency = 4
requests_per_second = 0
poll_interval_s = {}
max_attempts = 4
retry_base_delay_s = 0.05
retry_max_delay_s = 0.2
{}
[providers.ds.prices."happyhorse-1.0-t2v"]
per_second = {{ "720P" = 0.14, "1080P" = 0.24 }}
[providers.ds.prices."happyhorse-1.0-i2v"]
per_second = {{ "720P" = 0.14, "1080P" = 0.24 }}
[providers.ds.prices."wan2.6-t2v"]
per_second = 0.10
[providers.ds.prices."wan2.6-i2v"]
per_second = 0.10
)",
                  fake_->base("dashscope"), kKeyVariable, poll_interval_s, extra));
}

paddock::testing::ProcessResult GenerateTest::paddock(const std::vector<std::string>& args,
                                                      std::chrono::seconds timeout) const {
  std::vector<std::string> argv = {PADDOCK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return paddock::testing::run_process(
      argv, {.cwd = dir_.path(), .env = {{kKeyVariable, kKey}}, .timeout = timeout});
}

pid_t GenerateTest::start_paddock(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {PADDOCK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string key = std::string(kKeyVariable) + "=" + kKey;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir_.path().c_str()) != 0) ::_exit(126);
    ::putenv(const_cast<char*>(key.c_str()));
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> v;
    for (auto& a : argv) v.push_back(a.data());
    v.push_back(nullptr);
    ::execve(v[0], v.data(), environ);
    ::_exit(127);
  }
  return pid;
}

std::vector<std::string> GenerateTest::generate_args(const std::string& track,
                                                     const std::vector<std::string>& more) const {
  std::vector<std::string> args = {"generate", "--track", track, "--all", "--config", "gen.toml"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::unique_ptr<store::Store> GenerateTest::open_db(const std::string& db) const {
  const std::string location = db.starts_with("postgres") ? db : (dir_ / db).string();
  auto s = store::open_store(location);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

std::map<std::string, int> GenerateTest::tasks_by_model_and_prompt() const {
  std::map<std::string, int> out;
  for (const json& t : fake_->get("/_control/tasks?vendor=dashscope")) {
    ++out[t.value("model", "") + "/" + t.value("prompt", "")];
  }
  return out;
}

}  // namespace paddock::generate_test
