// paddock generate as an operator runs it: the real binary, a real SQLite file, real HTTP on
// loopback to the fake vendor server (DashScope's protocol), real clips made by ffmpeg.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "generate/testing/loopback_client.hpp"
#include "generate_fixture.hpp"
#include "support/media_files.hpp"

namespace paddock::generate_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using store::JobState;

std::map<std::string, store::GenerationJob> jobs_by_pair(store::Store& s,
                                                         const std::string& track) {
  std::map<std::string, store::GenerationJob> out;
  auto jobs = s.list_jobs(track);
  if (!jobs) throw std::runtime_error(jobs.error().message);
  for (auto& j : *jobs) out[j.prompt_id + "/" + j.model_id] = j;
  return out;
}

// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("free_loopback_port: no socket");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string provider_model(const std::string& model, const std::string& track) {
  if (model == "hh") return track == "t2v" ? "happyhorse-1.0-t2v" : "happyhorse-1.0-i2v";
  return track == "t2v" ? "wan2.6-t2v" : "wan2.6-i2v";
}

TEST_F(GenerateTest, FillsATrackStoringEachClipOnceWithItsProvenance) {
  import_catalog(3);
  auto r = paddock(generate_args("t2v"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("6 jobs to make"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("6 stored (6 by this run)"), std::string::npos) << r.out;
  // The progress (stderr is not a terminal here: a line per event) ends with every job done.
  EXPECT_NE(r.err.find("[6/6] "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("done 6 running 0 failed 0 remaining 0 spent "), std::string::npos) << r.err;

  auto db = open_db();
  auto clips = db->list_clips("t2v");
  ASSERT_TRUE(clips);
  EXPECT_EQ(clips->size(), 6u);
  auto provenance = db->list_clip_generations("t2v");
  ASSERT_TRUE(provenance);
  ASSERT_EQ(provenance->size(), 6u);
  for (const auto& g : *provenance) {
    EXPECT_EQ(g.provider, "ds");
    EXPECT_EQ(g.provider_model, provider_model(g.model_id, "t2v"));
    EXPECT_FALSE(g.task_id.empty());
    ASSERT_TRUE(g.cost) << g.model_id;
    EXPECT_GT(*g.cost, 0);
    EXPECT_EQ(g.currency, "USD");
    EXPECT_GT(g.generation_ms, 0);
    ASSERT_TRUE(g.seed);  // per-prompt: the same for every model of a prompt
    const json request = json::parse(g.request);
    EXPECT_EQ(request["parameters"]["seed"], *g.seed);
    EXPECT_EQ(request["parameters"]["watermark"], false);
  }
  EXPECT_EQ((*provenance)[0].prompt_id, (*provenance)[1].prompt_id);
  EXPECT_EQ((*provenance)[0].seed, (*provenance)[1].seed);
  EXPECT_NE((*provenance)[0].seed, (*provenance)[2].seed);
  for (const auto& [pair, n] : tasks_by_model_and_prompt()) EXPECT_EQ(n, 1) << pair;
  EXPECT_EQ(tasks_by_model_and_prompt().size(), 6u);

  // The provenance is exported, one record per clip, naming the stored clip.
  auto e = paddock({"export", "--clips", "--track", "t2v"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::set<std::string> hashes;
  for (const auto& c : *clips) hashes.insert(c.hash);
  int records = 0;
  for (size_t at = 0; at < e.out.size();) {
    const size_t end = e.out.find('\n', at);
    const json record = json::parse(e.out.substr(at, end - at));
    at = end == std::string::npos ? e.out.size() : end + 1;
    ++records;
    EXPECT_EQ(record["provider"], "ds");
    EXPECT_TRUE(hashes.contains(record["clip_hash"].get<std::string>())) << record.dump();
    EXPECT_EQ(record["model_name"], record["model"] == "hh" ? "HappyHorse-1.0" : "Wan 2.6");
    EXPECT_TRUE(record["request"].is_object()) << record.dump();
    EXPECT_GT(record["generation_s"].get<double>(), 0);
  }
  EXPECT_EQ(records, 6);
  e = paddock({"export", "--clips", "--format", "csv"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_TRUE(e.out.starts_with("track,prompt,model,model_name,clip_hash,provider,")) << e.out;
  EXPECT_EQ(std::count(e.out.begin(), e.out.end(), '\n'), 7);

  // The model imported by hand has no generation config: left alone. Run again: nothing to do.
  r = paddock(generate_args("t2v"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("6 with a clip already, 0 jobs to make"), std::string::npos) << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 6);
  // Nothing is left in the staging area.
  EXPECT_FALSE(fs::exists(dir_ / "media" / ".staging"));
}

TEST_F(GenerateTest, ImageToVideoSendsThePromptsSourceAndTheTracksFixedSeed) {
  import_catalog(1);
  auto r = paddock(generate_args("i2v"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  int checked = 0;
  for (const json& req : fake_->requests("dashscope")) {
    if (req["method"] != "POST") continue;
    const json& body = req["body"];
    EXPECT_EQ(body["parameters"]["seed"], 77);
    if (body["model"] == "happyhorse-1.0-i2v") {
      EXPECT_TRUE(
          body["input"]["media"][0]["url"].get<std::string>().starts_with("data:image/png"));
    } else {
      EXPECT_TRUE(body["input"]["img_url"].get<std::string>().starts_with("data:image/png"));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST_F(GenerateTest, DryRunShowsThePlanAndSubmitsNothing) {
  import_catalog(2);
  auto r = paddock(generate_args("t2v", {"--dry-run"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(r.out.find("4 jobs to make"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 jobs   estimated 2.40 USD"), std::string::npos) << r.out;  // ds
  // 2 x HappyHorse 720P 5 s at 0.14/s + 2 x Wan 5 s at 0.10/s
  EXPECT_NE(r.out.find("estimated total: 2.40 USD"), std::string::npos) << r.out;
  // 320x180 is made at 720P / the nearest Wan size: said before anything is paid
  EXPECT_NE(r.out.find("made at 720P"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("made at 1280*720"), std::string::npos) << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 0);
  EXPECT_TRUE(open_db()->list_jobs("t2v")->empty());

  // What cannot be made is said, with why, and the plan is not a success: a model without a
  // generation config named by --models, and (without the key in the environment) every
  // model of the provider, named by the key's variable.
  r = paddock(generate_args("t2v", {"--dry-run", "--models", "hh,byhand"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("cannot be made (1):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("byhand"), std::string::npos) << r.out;
  r = paddock::testing::run_process(
      {PADDOCK_BINARY, "generate", "--track", "t2v", "--all", "--config", "gen.toml", "--dry-run"},
      {.cwd = dir_.path()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("cannot be made (2):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("missing_secret"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kKeyVariable), std::string::npos) << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 0);
}

TEST_F(GenerateTest, FailuresAreRecordedWithTheVendorsWordsAndOffSpecResultsAreRefused) {
  import_catalog(7);
  auto rule = [&](int prompt, json behaviour) {
    behaviour["vendor"] = "dashscope";
    behaviour["model"] = "happyhorse-1.0-t2v";
    behaviour["prompt_contains"] = prompt_text("t2v", fmt::format("p{:02d}", prompt));
    behaviour["times"] = -1;
    return behaviour;
  };
  fake_->behaviour(json::array(
      {rule(1, {{"outcome", "fail"}, {"fail_kind", "moderation"}}),
       rule(2, {{"outcome", "fail"}, {"fail_kind", "internal"}}), rule(3, {{"not_video", "html"}}),
       rule(4, {{"media", "short.mp4"}}), rule(5, {{"media", "tall.mp4"}}),
       rule(6, {{"result_url", "private"}}), rule(7, {{"truncate", true}})}));
  auto r = paddock(generate_args("t2v", {"--models", "hh"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto jobs = jobs_by_pair(*open_db(), "t2v");
  auto expect = [&](const std::string& pair, JobState state, const std::string& code) {
    ASSERT_TRUE(jobs.contains(pair)) << pair;
    EXPECT_EQ(jobs[pair].state, state) << pair << ": " << jobs[pair].error_message;
    EXPECT_EQ(jobs[pair].error_code, code) << pair << ": " << jobs[pair].error_message;
  };
  expect("p01/hh", JobState::Refused, "DataInspectionFailed");
  expect("p02/hh", JobState::Failed, "InternalError");
  expect("p03/hh", JobState::Failed, "not_media");
  expect("p04/hh", JobState::Failed, "off_spec");
  expect("p05/hh", JobState::Failed, "off_spec");
  expect("p06/hh", JobState::Failed, "blocked_address");
  expect("p07/hh", JobState::Failed, "truncated");
  EXPECT_TRUE(open_db()->list_clips("t2v")->empty()) << "nothing off-spec or partial is stored";
  EXPECT_NE(r.out.find("failures by provider and reason"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ds refused DataInspectionFailed: 1 job"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ds failed off_spec: 2 jobs"), std::string::npos) << r.out;
  // Refusals and failures are not submitted again by a plain run...
  r = paddock(generate_args("t2v", {"--models", "hh"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 7);
  // ...but on the operator's word.
  fake_->post("/_control/reset", json::object());
  r = paddock(generate_args("t2v", {"--models", "hh", "--retry-failed"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(open_db()->list_clips("t2v")->size(), 7u);
}

TEST_F(GenerateTest, ThrottlingServerErrorsSlowTasksAndExpiredUrlsAreRidOutSubmittingOnce) {
  import_catalog(4);
  auto rule = [&](int prompt, json behaviour) {
    behaviour["vendor"] = "dashscope";
    behaviour["model"] = "happyhorse-1.0-t2v";
    behaviour["prompt_contains"] = prompt_text("t2v", fmt::format("p{:02d}", prompt));
    return behaviour;
  };
  fake_->behaviour(
      json::array({rule(1, {{"submit_429", 2}, {"retry_after", 1}}),
                   rule(2, {{"submit_5xx", 2}, {"poll_5xx", 2}, {"download_5xx", 1}}),
                   rule(3, {{"polls_before_done", 8}}), rule(4, {{"expired_url_first", true}})}));
  const auto started = std::chrono::steady_clock::now();
  auto r = paddock(generate_args("t2v", {"--models", "hh"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(2))
      << "two Retry-After: 1 were honoured";
  EXPECT_EQ(open_db()->list_clips("t2v")->size(), 4u);
  for (const auto& [pair, n] : tasks_by_model_and_prompt()) EXPECT_EQ(n, 1) << pair;
  // The 429s and 503s were submissions the fake refused (no task): each prompt was sent
  // three times and made one task.
  for (int prompt : {1, 2}) {
    int sent = 0;
    for (const json& req : fake_->requests("dashscope")) {
      if (req["method"] == "POST" && req["body"].is_object() &&
          req["body"]["input"]["prompt"] == prompt_text("t2v", fmt::format("p{:02d}", prompt))) {
        ++sent;
      }
    }
    EXPECT_EQ(sent, 3) << "p0" << prompt;
  }
}

TEST_F(GenerateTest, TheBudgetStopsNewSubmissionsBeforeItCouldBeExceeded) {
  import_catalog(5);
  // Wan: 5 s x 0.10 = 0.50 a clip; 1.20 allows two (a third could exceed it).
  auto r = paddock(generate_args("t2v", {"--models", "wan", "--budget", "1.2"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("the budget is reached: 3 jobs were not submitted"), std::string::npos)
      << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 2);
  EXPECT_EQ(open_db()->list_clips("t2v")->size(), 2u);
  // A larger budget goes on where it stopped.
  r = paddock(generate_args("t2v", {"--models", "wan", "--budget", "5"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 5);
}

TEST_F(GenerateTest, TheKeyNeverReachesTheDatabaseOutputOrExports) {
  import_catalog(2);
  fake_->behaviour({{"vendor", "dashscope"}, {"outcome", "fail"}, {"times", 1}});
  auto r = paddock(generate_args("t2v"));
  auto e = paddock({"export", "--clips", "--format", "jsonl", "--output", "clips.jsonl"});
  EXPECT_EQ(e.exit_code, 0) << e.out << e.err;
  for (const std::string& text : {r.out, r.err, e.out, e.err}) {
    EXPECT_EQ(text.find(kKey), std::string::npos) << text;
  }
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file() || entry.path().filename() == "gen.toml") continue;
    EXPECT_FALSE(paddock::testing::file_contains(entry.path(), kKey)) << entry.path();
  }
  // Nor what the server shows of the database: /metrics and the board's generation figures.
  const int port = free_loopback_port();
  const pid_t server =
      start_paddock({"serve", "--listen", fmt::format("127.0.0.1:{}", port), "--db", "paddock.db"});
  const auto client = generate::testing::loopback_client();
  std::string served;
  for (const char* path : {"/metrics", "/api/leaderboard?track=t2v"}) {
    Result<generate::Response> reply = fail("not_started", "");
    // 200, not 202: a board answers {"status": "computing"} until its first fit is done.
    for (int i = 0; i < 400 && !(reply && reply->status == 200); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      reply = client.send({.url = fmt::format("http://127.0.0.1:{}{}", port, path)});
    }
    ASSERT_TRUE(reply && reply->status == 200) << path;
    served += reply->body;
  }
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  EXPECT_NE(served.find("paddock_http_requests_total"), std::string::npos) << served;
  EXPECT_NE(served.find("\"models\""), std::string::npos) << served;
  EXPECT_EQ(served.find(kKey), std::string::npos);
  // A wrong key is refused by the vendor, and named by its variable only.
  r = paddock::testing::run_process(
      {PADDOCK_BINARY, "generate", "--track", "i2v", "--all", "--config", "gen.toml"},
      {.cwd = dir_.path(), .env = {{kKeyVariable, "sk-wrong-but-distinctive-123"}}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.find("sk-wrong-but-distinctive-123"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("InvalidApiKey"), std::string::npos) << r.out;
}

TEST_F(GenerateTest, UsageErrorsExitWithTwo) {
  import_catalog(1);
  EXPECT_EQ(paddock({"generate", "--track", "t2v", "--config", "gen.toml"}).exit_code, 2)
      << "--prompts or --all";
  EXPECT_EQ(paddock({"generate", "--track", "t2v", "--all", "--config", "missing.toml"}).exit_code,
            2);
  auto r = paddock({"generate", "--track", "nope", "--all", "--config", "gen.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no track \"nope\""), std::string::npos) << r.err;
}

// Ctrl-C stops submitting and ends the run promptly with exit code 1; the same command
// resumes, and nothing is submitted twice.
TEST_F(GenerateTest, CtrlCStopsTheRunResumably) {
  import_catalog(4);
  fake_->behaviour({{"vendor", "dashscope"}, {"polls_before_done", 4}, {"times", -1}});
  write_config("", 0.2);
  const pid_t pid = start_paddock(generate_args("t2v", {"--concurrency", "2"}));
  // Until the first task exists: the run is submitting and polling.
  for (int i = 0; i < 200 && fake_->get("/_control/submissions")["total"] == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto interrupted_at = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, std::chrono::seconds(3));
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1) << "a run stopped before the end is not a success";
  const int submitted = fake_->get("/_control/submissions")["total"].get<int>();
  EXPECT_GT(submitted, 0);
  EXPECT_LT(submitted, 8) << "Ctrl-C stops new submissions";
  EXPECT_LT(open_db()->list_clips("t2v")->size(), 8u);

  auto r = paddock(generate_args("t2v"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(open_db()->list_clips("t2v")->size(), 8u);
  for (const auto& [pair, n] : tasks_by_model_and_prompt()) EXPECT_EQ(n, 1) << pair;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 8);
}

// kill -9 at random moments, several rounds, then a run to the end: every job submitted at
// most once (in doubt ones never again), every clip stored once.
TEST_F(GenerateTest, KilledAtRandomMomentsAndResumedEachJobIsSubmittedOnce) {
  import_catalog(10);
  fake_->behaviour({{"vendor", "dashscope"}, {"polls_before_done", 3}, {"times", -1}});
  write_config("", 0.15);
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> moment_ms(150, 1200);
  int rounds = 0;
  for (; rounds < 5; ++rounds) {
    const pid_t pid = start_paddock(generate_args("t2v"));
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(random)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) break;  // it finished before the kill
  }
  auto r = paddock(generate_args("t2v"));
  auto jobs = jobs_by_pair(*open_db(), "t2v");
  ASSERT_EQ(jobs.size(), 20u);
  const auto tasks = tasks_by_model_and_prompt();
  int in_doubt = 0;
  for (const auto& [pair, job] : jobs) {
    const std::string key =
        provider_model(job.model_id, "t2v") + "/" + prompt_text("t2v", job.prompt_id);
    const int submitted = tasks.contains(key) ? tasks.at(key) : 0;
    EXPECT_LE(submitted, 1) << pair << " was submitted twice";
    if (job.state == JobState::InDoubt) {
      ++in_doubt;
    } else {
      EXPECT_EQ(job.state, JobState::Stored) << pair << ": " << job.error_message;
      EXPECT_EQ(submitted, 1) << pair;
    }
  }
  auto clips = open_db()->list_clips("t2v");
  EXPECT_EQ(clips->size(), 20u - in_doubt);
  // What the killed runs were downloading was removed, never stored.
  EXPECT_FALSE(fs::exists(dir_ / "media" / ".staging"));
  std::printf("kill -9 rounds: %d; jobs in doubt afterwards: %d of 20\n", rounds, in_doubt);
  EXPECT_EQ(r.exit_code, in_doubt == 0 ? 0 : 1) << r.out << r.err;
  if (in_doubt > 0) {
    EXPECT_NE(r.out.find("in doubt"), std::string::npos) << r.out;
    // never resubmitted without the operator's word...
    r = paddock(generate_args("t2v"));
    EXPECT_EQ(tasks_by_model_and_prompt(), tasks);
    // ...and with it, once more each
    r = paddock(generate_args("t2v", {"--resubmit-in-doubt"}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(open_db()->list_clips("t2v")->size(), 20u);
  }
}

// The worked example of docs/generate.md as written (its catalog, its configuration, its
// commands), with each provider's base URL pointed at the fake: a text-to-video and an
// image-to-video track filled with HappyHorse-1.0, Seedance 2.0, Kling 3.0 and Wan clips
// for the same prompts, priced as the text says.
TEST_F(GenerateTest, TheWorkedExampleOfTheGuideFillsBothTracks) {
  const std::string guide = paddock::testing::read_file(fs::path(PADDOCK_DOCS_DIR) / "generate.md");
  const size_t example = guide.find("## A worked example");
  ASSERT_NE(example, std::string::npos) << "docs/generate.md changed: update this test";
  auto block = [&](const std::string& fence) {
    const size_t open = guide.find("```" + fence + "\n", example);
    EXPECT_NE(open, std::string::npos) << fence;
    const size_t from = guide.find('\n', open) + 1;
    return guide.substr(from, guide.find("```", from) - from);
  };
  fs::create_directories(dir_ / "sources");
  paddock::testing::make_image(dir_ / "sources/horse.png", 320, 180);
  paddock::testing::write_file(dir_ / "catalog.jsonl", block("jsonl"));
  std::string config;
  const std::map<std::string, std::string> vendor = {
      {"dashscope", "dashscope"}, {"ark", "ark/api/v3"}, {"kling", "kling"}};
  std::istringstream lines(block("toml"));
  for (std::string line; std::getline(lines, line);) {
    config += line + "\n";
    for (const auto& [name, at] : vendor) {
      if (line != "[providers." + name + "]") continue;
      config += fmt::format(
          "base_url = \"{}\"\nallow_addresses = [\"127.0.0.1\"]\npoll_interval_s = 0.05\n"
          "requests_per_second = 0\n",
          fake_->base(at));
    }
  }
  paddock::testing::write_file(dir_ / "paddock-generate.toml", config);
  ::setenv("DASHSCOPE_API_KEY", kKey, 1);  // the fake's keys
  ::setenv("ARK_API_KEY", "ark-test-key", 1);
  ::setenv("KLING_ACCESS_KEY", "kling-test-ak", 1);
  ::setenv("KLING_SECRET_KEY", "kling-test-sk", 1);

  auto r = paddock({"import", "catalog.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = paddock({"generate", "--track", "t2v-5s", "--all", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("4 jobs to make"), std::string::npos) << r.out;
  // HappyHorse at 720P 5 s x 0.14 + Wan 2.6 5 s x 0.10; Seedance 1280x720x24x5/1024 tokens
  // at 2.4 per million; Kling 5 s x 0.6 units x 0.14.
  EXPECT_NE(r.out.find("estimated 1.20 USD"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated 0.26 USD"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated 0.42 USD"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated total: 1.88 USD"), std::string::npos) << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 0);

  for (const char* track : {"t2v-5s", "i2v-5s"}) {
    r = paddock({"generate", "--track", track, "--all", "--budget", "10"});
    ASSERT_EQ(r.exit_code, 0) << track << "\n" << r.out << r.err;
    auto provenance = open_db()->list_clip_generations(track);
    ASSERT_TRUE(provenance);
    std::set<std::string> models;
    for (const auto& g : *provenance) {
      models.insert(g.model_id);
      EXPECT_EQ(g.prompt_id, "p01");
      ASSERT_TRUE(g.cost) << g.model_id;
      EXPECT_GT(*g.cost, 0) << g.model_id;
    }
    EXPECT_EQ(models, (std::set<std::string>{"hh1", "wan26", "sd2", "kling3"})) << track;
  }
  const json submissions = fake_->get("/_control/submissions");
  EXPECT_EQ(submissions["by_vendor"]["dashscope"], 4);
  EXPECT_EQ(submissions["by_vendor"]["ark"], 2);
  EXPECT_EQ(submissions["by_vendor"]["kling"], 2);
  EXPECT_EQ(submissions["total"], 8);

  r = paddock({"export", "--clips", "-o", "provenance.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string exported = paddock::testing::read_file(dir_ / "provenance.jsonl");
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 8) << exported;
}

// Seconds since midnight of the fake's ISO time stamp ("2026-12-06T19:30:01.123Z").
double seconds_of_day(const std::string& iso) {
  return std::stoi(iso.substr(11, 2)) * 3600.0 + std::stoi(iso.substr(14, 2)) * 60.0 +
         std::stod(iso.substr(17, 6));
}

// A provider's own limits hold for the run: `concurrency` tasks in flight (submitted and
// not yet downloaded) and `requests_per_second` API calls (a token bucket holding as many).
TEST_F(GenerateTest, AProvidersConcurrencyAndRequestRateAreKept) {
  import_catalog(2);
  fake_->behaviour({{"vendor", "dashscope"}, {"polls_before_done", 1}, {"times", -1}});
  paddock::testing::write_file(dir_ / "limits.toml",
                               fmt::format(R"([providers.ds]
protocol = "dashscope"
base_url = "{}"
key_env = "{}"
allow_addresses = ["127.0.0.1"]
concurrency = 1
requests_per_second = 2
poll_interval_s = 0.05
[providers.ds.prices."happyhorse-1.0-t2v"]
per_second = 0.14
)",
                                           fake_->base("dashscope"), kKeyVariable));
  auto r =
      paddock({"generate", "--track", "t2v", "--all", "--models", "hh", "--config", "limits.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<double> api_calls;
  int in_flight = 0;
  int most_in_flight = 0;
  for (const json& entry : fake_->requests()) {
    const std::string vendor = entry.value("vendor", "");
    if (vendor == "files:dashscope") --in_flight;
    if (vendor != "dashscope") continue;
    api_calls.push_back(seconds_of_day(entry["time"]));
    if (entry["method"] == "POST") most_in_flight = std::max(most_in_flight, ++in_flight);
  }
  EXPECT_EQ(most_in_flight, 1);
  ASSERT_GE(api_calls.size(), 6u);  // per job a submission and two polls
  // Two calls at once at most, then one every half second: no three within 0.45 s.
  for (size_t i = 2; i < api_calls.size(); ++i) {
    EXPECT_GE(api_calls[i] - api_calls[i - 2], 0.45) << "calls " << i - 2 << " to " << i;
  }
}

// --concurrency N caps the tasks in flight over all providers together, below the providers'
// own limits (DashScope 4, Kling 3): the fake counts the tasks accepted and not yet ended over
// every vendor it plays, and sees no more than N = 2 at once; with N = 6, all three jobs.
TEST_F(GenerateTest, ConcurrencyCapsTheTasksInFlightAcrossProviders) {
  ::setenv("KLING_ACCESS_KEY", "kling-test-ak", 1);  // the fake's Kling test keys
  ::setenv("KLING_SECRET_KEY", "kling-test-sk", 1);
  std::string config = paddock::testing::read_file(dir_ / "gen.toml");
  config += fmt::format(R"([providers.kl]
protocol = "kling"
base_url = "{}"
allow_addresses = ["127.0.0.1"]
concurrency = 3
requests_per_second = 0
poll_interval_s = 0.05
[providers.kl.prices."kling-v3"]
per_unit = 0.14
estimate_units_per_second = 0.6
)",
                        fake_->base("kling"));
  paddock::testing::write_file(dir_ / "gen.toml", config);
  paddock::testing::write_file(
      dir_ / "kling.jsonl",
      json({{"kind", "model"},
            {"id", "kl3"},
            {"display_name", "Kling 3.0"},
            {"organization", "Kuaishou"},
            {"generation",
             {{"provider", "kl"},
              {"model", {{"text-to-video", "kling-v3"}, {"image-to-video", "kling-v3"}}}}}})
              .dump() +
          "\n");
  // Each task takes a little while (five polls 0.05 s apart), so the workers overlap.
  const json slow = json::array({{{"vendor", "dashscope"}, {"polls_before_done", 4}, {"times", -1}},
                                 {{"vendor", "kling"}, {"polls_before_done", 4}, {"times", -1}}});
  import_catalog(1);
  auto r = paddock({"import", "kling.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // One prompt x (HappyHorse, Wan on DashScope; Kling 3.0 on Kling): 3 jobs a track.
  auto run = [&](const std::string& track, int concurrency) {
    fake_->post("/_control/reset", json::object());
    fake_->behaviour(slow);
    r = paddock(generate_args(
        track, {"--models", "hh,wan,kl3", "--concurrency", std::to_string(concurrency)}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("3 stored (3 by this run)"), std::string::npos) << r.out;
    const json submissions = fake_->get("/_control/submissions");
    EXPECT_EQ(submissions["by_vendor"]["dashscope"], 2) << submissions.dump();
    EXPECT_EQ(submissions["by_vendor"]["kling"], 1) << submissions.dump();
    EXPECT_EQ(submissions["running"], 0) << submissions.dump();
    return submissions["most_running"].get<int>();
  };
  EXPECT_EQ(run("t2v", 2), 2);
  EXPECT_EQ(run("i2v", 6), 3);
}

// --prompts names the prompts to fill; the others are left alone.
TEST_F(GenerateTest, PromptsNamesWhichPromptsAreFilled) {
  import_catalog(3);
  auto r = paddock({"generate", "--track", "t2v", "--prompts", "p01,p03", "--config", "gen.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 prompts x 2 models: 0 with a clip already, 4 jobs to make"),
            std::string::npos)
      << r.out;
  std::set<std::string> prompts;
  const auto generations = open_db()->list_clip_generations("t2v");
  ASSERT_TRUE(generations);
  for (const auto& g : *generations) prompts.insert(g.prompt_id);
  EXPECT_EQ(prompts, (std::set<std::string>{"p01", "p03"}));
  r = paddock({"generate", "--track", "t2v", "--prompts", "p01,nope", "--config", "gen.toml"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("nope"), std::string::npos) << r.out << r.err;
}

// A preset of the declarative protocol selected by the configuration (protocol = "kling"):
// the same command fills a track through Kling's API on the fake, JWT and all.
TEST_F(GenerateTest, APresetProviderFillsATrackThroughTheSameCommand) {
  ::setenv("KLING_ACCESS_KEY", "kling-test-ak", 1);  // the fake's Kling test keys
  ::setenv("KLING_SECRET_KEY", "kling-test-sk", 1);
  std::string catalog;
  catalog += json({{"kind", "track"},
                   {"id", "kl"},
                   {"task", "text-to-video"},
                   {"duration_s", 5},
                   {"width", 320},
                   {"height", 180}})
                 .dump() +
             "\n";
  catalog +=
      json({{"kind", "model"},
            {"id", "kling3"},
            {"display_name", "Kling 3.0"},
            {"organization", "Kuaishou"},
            {"generation", {{"provider", "kl"}, {"model", {{"text-to-video", "kling-v3"}}}}}})
          .dump() +
      "\n";
  for (const char* id : {"p01", "p02"}) {
    catalog +=
        json({{"kind", "prompt"}, {"track", "kl"}, {"id", id}, {"text", prompt_text("kl", id)}})
            .dump() +
        "\n";
  }
  paddock::testing::write_file(dir_ / "kling.jsonl", catalog);
  auto r = paddock({"import", "kling.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  paddock::testing::write_file(dir_ / "kling.toml", fmt::format(R"([providers.kl]
protocol = "kling"
base_url = "{}"
allow_addresses = ["127.0.0.1"]
concurrency = 2
requests_per_second = 0
poll_interval_s = 0.05
max_attempts = 4
retry_base_delay_s = 0.05
retry_max_delay_s = 0.2
[providers.kl.prices."kling-v3"]
per_unit = 0.14
estimate_units_per_second = 0.6
)",
                                                                fake_->base("kling")));
  const std::vector<std::string> args = {"generate", "--track",  "kl",
                                         "--all",    "--config", "kling.toml"};

  auto dry = args;
  dry.push_back("--dry-run");
  r = paddock(dry);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 jobs to make"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Kling's API has no seed"), std::string::npos) << r.out;
  // 2 clips x 5 s x 0.6 units/s x 0.14 USD
  EXPECT_NE(r.out.find("estimated total: 0.84 USD"), std::string::npos) << r.out;
  EXPECT_EQ(fake_->get("/_control/submissions")["total"], 0);

  r = paddock(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = open_db();
  auto clips = db->list_clips("kl");
  ASSERT_TRUE(clips);
  EXPECT_EQ(clips->size(), 2u);
  auto provenance = db->list_clip_generations("kl");
  ASSERT_TRUE(provenance);
  ASSERT_EQ(provenance->size(), 2u);
  for (const auto& g : *provenance) {
    EXPECT_EQ(g.provider, "kl");
    EXPECT_EQ(g.provider_model, "kling-v3");
    EXPECT_FALSE(g.task_id.empty());
    const json sent = json::parse(g.request);  // a protocol provider records the body it sent
    EXPECT_EQ(sent["model_name"], "kling-v3");
    EXPECT_EQ(sent["duration"], "5");  // Kling takes a string
    EXPECT_EQ(sent["aspect_ratio"], "16:9");
    EXPECT_EQ(sent["sound"], "off");
    EXPECT_FALSE(sent.contains("seed"));
    ASSERT_TRUE(g.cost);
    EXPECT_GT(*g.cost, 0);
  }
  const json submissions = fake_->get("/_control/submissions");
  EXPECT_EQ(submissions["by_vendor"]["kling"], 2);
  EXPECT_EQ(submissions["total"], 2);
  const json sent = fake_->requests("kling");
  ASSERT_TRUE(sent.is_array());
  EXPECT_GE(sent.size(), 4u);  // two submissions and at least one poll of each
  for (const json& entry : sent) EXPECT_EQ(entry.value("auth", ""), "ok") << entry.dump();
}

}  // namespace
}  // namespace paddock::generate_test
