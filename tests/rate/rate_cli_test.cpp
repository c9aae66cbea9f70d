// Runs the real paddock binary: the folder cases under cases/, then checks on numbers.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `command` with /bin/sh in `dir`; "paddock" at a word start means the binary.
Outcome run(const std::string& command, const fs::path& dir) {
  static int counter = 0;
  const fs::path tmp =
      fs::temp_directory_path() /
      ("paddock_rate_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::create_directories(tmp);
  const std::string script = "paddock() { " + std::string(PADDOCK_BINARY) + " \"$@\"; }\ncd '" +
                             dir.string() + "' && " + command;
  fs::path script_file = tmp / "command.sh";
  std::ofstream(script_file) << script << "\n";
  const std::string shell = "/bin/sh '" + script_file.string() + "' >'" + (tmp / "out").string() +
                            "' 2>'" + (tmp / "err").string() + "' </dev/null";
  const int status = std::system(shell.c_str());
  Outcome r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(tmp / "out");
  r.err = slurp(tmp / "err");
  fs::remove_all(tmp);
  return r;
}

class RateCases : public ::testing::TestWithParam<std::string> {};

TEST_P(RateCases, BehavesAsExpected) {
  const fs::path dir = fs::path(RATE_CASES_DIR) / GetParam();
  std::string command = slurp(dir / "command");
  while (!command.empty() && (command.back() == '\n' || command.back() == '\r')) command.pop_back();
  // A scratch copy of the case folder, so a case may write files without touching the source tree.
  const fs::path work = fs::temp_directory_path() /
                        ("paddock_rate_case_" + std::to_string(::getpid()) + "_" + GetParam());
  fs::remove_all(work);
  fs::copy(dir, work, fs::copy_options::recursive);
  const Outcome r = run(command, work);
  fs::remove_all(work);
  std::istringstream expect(slurp(dir / "expect"));
  std::string line;
  int checks = 0;
  while (std::getline(expect, line)) {
    if (line.empty()) continue;
    ++checks;
    auto text_after = [&](std::string_view prefix) { return line.substr(prefix.size()); };
    if (line.starts_with("exit ")) {
      EXPECT_EQ(r.exit_code, std::stoi(text_after("exit "))) << "stderr: " << r.err;
    } else if (line.starts_with("stdout: ")) {
      EXPECT_NE(r.out.find(text_after("stdout: ")), std::string::npos)
          << line << "\nstdout: " << r.out;
    } else if (line.starts_with("stderr: ")) {
      EXPECT_NE(r.err.find(text_after("stderr: ")), std::string::npos)
          << line << "\nstderr: " << r.err;
    } else if (line.starts_with("stdout-not: ")) {
      EXPECT_EQ(r.out.find(text_after("stdout-not: ")), std::string::npos) << line;
    } else if (line.starts_with("stderr-not: ")) {
      EXPECT_EQ(r.err.find(text_after("stderr-not: ")), std::string::npos) << line;
    } else {
      ADD_FAILURE() << "unknown check in " << (dir / "expect") << ": " << line;
    }
  }
  EXPECT_GT(checks, 0) << "no checks in " << dir;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(RATE_CASES_DIR)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cases, RateCases, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// ---- checks on numbers ---------------------------------------------------------------

class RateNumbers : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("paddock_rate_numbers_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Outcome sh(const std::string& command) { return run(command, dir_); }
  nlohmann::json json_of(const std::string& command) {
    const Outcome r = sh(command);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  fs::path dir_;
};

TEST_F(RateNumbers, SimulatedLogIsRecoveredWithinItsIntervals) {
  ASSERT_EQ(sh("paddock simulate --models 8 --votes 40000 --seed 3 -o votes.jsonl").exit_code, 0);
  const auto truth = nlohmann::json::parse(slurp(dir_ / "votes.jsonl.truth.json"));
  const auto board = json_of("paddock rate votes.jsonl --format json --bootstrap 400");
  EXPECT_EQ(board["votes"], 40000);
  EXPECT_EQ(board["models"].size(), 8u);
  int inside = 0;
  for (const auto& t : truth["models"]) {
    for (const auto& m : board["models"]) {
      if (m["model"] != t["model"]) continue;
      const double r = t["rating"];
      EXPECT_NEAR(m["rating"].get<double>(), r, 20) << m["model"];
      inside += m["ci_low"].get<double>() <= r && r <= m["ci_high"].get<double>();
    }
  }
  EXPECT_GE(inside, 6);  // 95% intervals: all 8 most of the time
}

TEST_F(RateNumbers, SameSeedSameOutputWhateverTheThreadsAndTheSource) {
  ASSERT_EQ(
      sh("paddock simulate --models 6 --votes 20000 --categories a=1,b=2 -o votes.jsonl").exit_code,
      0);
  const Outcome one = sh("paddock rate votes.jsonl --format json --bootstrap 200 --threads 1");
  const Outcome two = sh("paddock rate --format json --bootstrap 200 --threads 2 - < votes.jsonl");
  const Outcome gz =
      sh("gzip -c votes.jsonl > votes.jsonl.gz && paddock rate votes.jsonl.gz --format json "
         "--bootstrap 200");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, gz.out);
  const Outcome other_seed = sh("paddock rate votes.jsonl --format json --bootstrap 200 --seed 9");
  EXPECT_NE(one.out, other_seed.out);
}

TEST_F(RateNumbers, CsvLogGivesTheSameBoardAsJsonLines) {
  ASSERT_EQ(sh("paddock simulate --models 5 --votes 5000 --categories a=1,b=1 --multi-category 0.3 "
               "-o v.jsonl")
                .exit_code,
            0);
  ASSERT_EQ(sh("paddock simulate --models 5 --votes 5000 --categories a=1,b=1 --multi-category 0.3 "
               "--format csv -o v.csv")
                .exit_code,
            0);
  const Outcome jsonl = sh("paddock rate v.jsonl --format json --bootstrap 100 --weights balanced");
  const Outcome csv = sh("paddock rate v.csv --format json --bootstrap 100 --weights balanced");
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(jsonl.out, csv.out);
}

TEST_F(RateNumbers, ByCategoryGivesOneBoardPerCategory) {
  ASSERT_EQ(
      sh("paddock simulate --models 4 --votes 6000 --categories portrait=1,landscape=1 -o v.jsonl")
          .exit_code,
      0);
  const auto j = json_of("paddock rate v.jsonl --format json --by category --bootstrap 50");
  EXPECT_EQ(j["by"], "category");
  ASSERT_EQ(j["boards"].size(), 2u);
  EXPECT_EQ(j["boards"][0]["category"], "landscape");
  EXPECT_EQ(j["boards"][1]["category"], "portrait");
  const int total = j["boards"][0]["votes"].get<int>() + j["boards"][1]["votes"].get<int>();
  EXPECT_EQ(total, 6000);
}

TEST_F(RateNumbers, TimingsGoToStandardError) {
  ASSERT_EQ(sh("paddock simulate --models 4 --votes 1000 -o v.jsonl").exit_code, 0);
  const Outcome r = sh("paddock rate v.jsonl --timings --format json --bootstrap 10");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* phase : {"parse", "aggregate", "fit", "bootstrap", "total"}) {
    EXPECT_NE(r.err.find(phase), std::string::npos) << phase;
  }
  EXPECT_TRUE(nlohmann::json::accept(r.out));
}

}  // namespace
