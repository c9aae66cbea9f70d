// Loading a declarative task protocol: what a table means, and a clear error naming the field
// for every way a table can be wrong.

#include "generate/task_protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace paddock::generate {
namespace {

constexpr std::string_view kMinimal = R"(
base_url = "https://api.example.com"

[auth]
scheme = "bearer"
key_env = "EXAMPLE_KEY"

[submit]
path = "/tasks"
tasks = ["text-to-video"]
task_id = "/id"

[submit.body]
model = "{model}"
prompt = "{prompt}"
duration = "{duration}"

[poll]
path = "/tasks/{task_id}"
status = "/status"

[poll.states]
queued = ["waiting"]
succeeded = ["done"]
failed = "error"

[result]
url = "/video/url"

[settings.duration]
values = [5, 10]
)";

std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  const auto at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

TEST(TaskProtocol, AMinimalProtocolLoads) {
  auto protocol = parse_task_protocol(kMinimal, "example");
  ASSERT_TRUE(protocol) << protocol.error().message;
  EXPECT_EQ(protocol->name, "example");
  EXPECT_EQ(protocol->base_urls.at(""), "https://api.example.com");
  EXPECT_EQ(protocol->auth.scheme, AuthScheme::Bearer);
  EXPECT_EQ(protocol->auth.key_env, "EXAMPLE_KEY");
  ASSERT_EQ(protocol->submit.tasks.size(), 1u);
  const TaskSubmit& t2v = protocol->submit.tasks.at(store::Task::TextToVideo);
  EXPECT_EQ(t2v.target, "/tasks");
  EXPECT_EQ(t2v.body["duration"], "{duration}");
  EXPECT_EQ(protocol->poll.states.at("waiting"), TaskState::Queued);
  EXPECT_EQ(protocol->poll.states.at("done"), TaskState::Succeeded);
  EXPECT_EQ(protocol->poll.states.at("error"), TaskState::Failed);
  EXPECT_FALSE(protocol->poll.states.contains("running"));
  EXPECT_EQ(protocol->settings.duration.values, (std::vector<double>{5, 10}));
  EXPECT_FALSE(protocol->refetch);
}

TEST(TaskProtocol, ModelVariantsReplaceTheSettingsTheyName) {
  const std::string text = std::string(kMinimal) + R"(
[settings.seed]
min = 0
max = 99
[[models]]
match = ["fast-*", "turbo"]
[models.settings.duration]
min = 2
max = 4
)";
  auto protocol = parse_task_protocol(
      replaced(text, R"(duration = "{duration}")", "duration = \"{duration}\"\nseed = \"{seed}\""),
      "example");
  ASSERT_TRUE(protocol) << protocol.error().message;
  EXPECT_EQ(protocol->settings_for("fast-1").duration.max, 4);
  EXPECT_EQ(protocol->settings_for("turbo").duration.min, 2);
  EXPECT_EQ(protocol->settings_for("slow").duration.values, (std::vector<double>{5, 10}));
  // The variant keeps the protocol's other settings.
  EXPECT_TRUE(protocol->settings_for("fast-1").seed.sent);
  EXPECT_EQ(protocol->settings_for("fast-1").seed.max, 99);
}

TEST(TaskProtocol, GlobsMatchAnyRun) {
  EXPECT_TRUE(glob_match("kling-v3*", "kling-v3"));
  EXPECT_TRUE(glob_match("*seedance-2-0*", "dreamina-seedance-2-0-260128"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_FALSE(glob_match("kling-v3", "kling-v3-1"));
  EXPECT_TRUE(code_listed({"SAFETY.*", "1301"}, "SAFETY.INPUT.TEXT"));
  EXPECT_TRUE(code_listed({"SAFETY.*", "1301"}, "1301"));
  EXPECT_FALSE(code_listed({"SAFETY.*", "1301"}, "INTERNAL.BAD_OUTPUT.CODE01"));
}

struct BadCase {
  const char* what;
  std::string text;
  const char* message;  // a part of the error's message
};

TEST(TaskProtocol, MalformedTablesGiveErrorsNamingTheField) {
  const std::vector<BadCase> cases = {
      {"unknown field", "colour = 1\n" + std::string(kMinimal), "colour: unknown field"},
      {"misspelt nested field", replaced(kMinimal, "status = \"/status\"", "stauts = \"/status\""),
       "poll.stauts: unknown field"},
      {"a value mapped twice", replaced(kMinimal, "failed = \"error\"", "failed = [\"done\"]"),
       "\"done\" is already mapped to"},
      {"no success", replaced(kMinimal, "succeeded = [\"done\"]", ""),
       "poll.states.succeeded: missing"},
      {"not a state", replaced(kMinimal, "queued = [\"waiting\"]", "finished = [\"waiting\"]"),
       "poll.states.finished: not a state"},
      {"not a pointer", replaced(kMinimal, "status = \"/status\"", "status = \"status\""),
       "poll.status: \"status\" is not a JSON pointer"},
      {"unknown variable", replaced(kMinimal, "prompt = \"{prompt}\"", "prompt = \"{promt}\""),
       "submit.text-to-video.body: {promt} is not a variable here"},
      {"mapped, never sent", replaced(kMinimal, "duration = \"{duration}\"\n", ""),
       "settings.duration: is mapped, but no submit body sends {duration}"},
      {"relative path", replaced(kMinimal, "path = \"/tasks\"", "path = \"tasks\""),
       "submit.path: must start with '/'"},
      {"bad method",
       replaced(kMinimal, "path = \"/tasks/{task_id}\"",
                "method = \"FETCH\"\npath = \"/tasks/{task_id}\""),
       "poll.method: \"FETCH\" is not GET"},
      {"kling_jwt without keys",
       replaced(kMinimal, "scheme = \"bearer\"", "scheme = \"kling_jwt\""),
       "auth: kling_jwt needs access_key_env and secret_key_env"},
      {"wrong type", replaced(kMinimal, "task_id = \"/id\"", "task_id = 5"),
       "submit.task_id: expected a string or an array of strings"},
      {"task not listed", std::string(kMinimal) + "[submit.image-to-video]\npath = \"/i2v\"\n",
       "submit.image-to-video: this task is not in submit.tasks"},
      {"unknown task", replaced(kMinimal, "tasks = [\"text-to-video\"]", "tasks = [\"t2v\"]"),
       "submit.tasks: \"t2v\" is not text-to-video"},
      {"no result", replaced(kMinimal, "[result]\nurl = \"/video/url\"", ""), "result: missing"},
      {"values and a range", replaced(kMinimal, "values = [5, 10]", "values = [5, 10]\nmin = 1"),
       "settings.duration: give values or min/max, not both"},
      {"a date in a body", replaced(kMinimal, "model = \"{model}\"", "created = 2024-01-01"),
       "submit.body.created: dates and times have no JSON form"},
      {"unclosed placeholder", replaced(kMinimal, "\"{model}\"", "\"{model\""),
       "submit.text-to-video.body.model"},
      {"a switch without its values",
       std::string(kMinimal) + "[settings.audio]\nform = \"values\"\non = \"on\"\n",
       "settings.audio.off: missing"},
      {"failure code states", std::string(kMinimal) + "[poll.failure]\nstates = { 4 = \"done\" }\n",
       "poll.failure.states.4: expected \"failed\", \"expired\" or \"canceled\""},
      {"region not listed",
       replaced(kMinimal, "base_url = \"https://api.example.com\"",
                "default_region = \"eu\"\n[base_urls]\nus = \"https://us.example.com\""),
       "default_region: \"eu\" is not in base_urls"},
      {"a lookup variable unknown",
       std::string(kMinimal) + "[result.lookup]\npath = \"/files/{file_id}\"\n",
       "result.lookup.path: {file_id} is not a variable here"},
  };
  for (const BadCase& c : cases) {
    auto protocol = parse_task_protocol(c.text, "t");
    ASSERT_FALSE(protocol) << c.what;
    EXPECT_EQ(protocol.error().code, "bad_config") << c.what;
    EXPECT_NE(protocol.error().message.find(c.message), std::string::npos)
        << c.what << ": " << protocol.error().message;
    EXPECT_TRUE(protocol.error().message.starts_with("protocol t")) << protocol.error().message;
  }
}

TEST(TaskProtocol, ATomlSyntaxErrorNamesItsLine) {
  const std::string text = std::string(kMinimal) + "\n[poll\n";
  const auto line = std::count(text.begin(), text.end(), '\n');  // the last line's number
  auto protocol = parse_task_protocol(text, "t");
  ASSERT_FALSE(protocol);
  EXPECT_EQ(protocol.error().code, "bad_config");
  EXPECT_TRUE(protocol.error().message.starts_with("protocol t:" + std::to_string(line) + ": "))
      << protocol.error().message;
}

TEST(TaskProtocol, PointerListsTakeTheFirstValueThatIsNotNull) {
  PointerList list;
  list.pointers = {JsonPointer("/output"), JsonPointer("/output/0")};
  const auto single = nlohmann::json::parse(R"({"output": "https://x/a.mp4"})");
  const auto several = nlohmann::json::parse(R"({"output": ["https://x/b.mp4"]})");
  const auto none = nlohmann::json::parse(R"({"output": null})");
  ASSERT_NE(list.find(single), nullptr);
  EXPECT_EQ(*list.find(single), "https://x/a.mp4");
  ASSERT_NE(list.find(several), nullptr);
  EXPECT_TRUE(list.find(several)->is_array());  // "/output" names the array first
  ASSERT_NE(list.find_string(several), nullptr);
  EXPECT_EQ(*list.find_string(several), "https://x/b.mp4");
  EXPECT_EQ(list.find(none), nullptr);
}

}  // namespace
}  // namespace paddock::generate
