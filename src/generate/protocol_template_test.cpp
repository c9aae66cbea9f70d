// Body and target templates of the declarative task protocol.

#include "generate/protocol_template.hpp"

#include <gtest/gtest.h>

namespace paddock::generate {
namespace {

using nlohmann::json;

TEST(ProtocolTemplate, AWholePlaceholderKeepsTheValuesJsonType) {
  const json body = json::parse(R"({"model": "{model}", "duration": "{duration}",
                                    "audio": "{audio}", "label": "clip of {duration} s"})");
  const TemplateVars vars{{"model", "m-1"}, {"duration", 6}, {"audio", false}};
  EXPECT_EQ(render_body(body, vars), json::parse(R"({"model": "m-1", "duration": 6,
                                                     "audio": false, "label": "clip of 6 s"})"));
}

TEST(ProtocolTemplate, AnAbsentVariableLeavesItsMemberOrElementOut) {
  const json body = json::parse(R"({"seed": "{seed}", "tags": ["{seed}", "fixed"],
                                    "note": "seed {seed}", "kept": 1})");
  EXPECT_EQ(render_body(body, {}), json::parse(R"({"tags": ["fixed"], "kept": 1})"));
}

TEST(ProtocolTemplate, AnObjectWithIfIsLeftOutUnlessItsVariableIsPresent) {
  const json body = json::parse(R"({"content": [
      {"_if": "prompt", "type": "text", "text": "{prompt}"},
      {"_if": "image_data_uri", "type": "image_url", "image_url": {"url": "{image_data_uri}"}}]})");
  EXPECT_EQ(render_body(body, {{"prompt", "a cat"}}),
            json::parse(R"({"content": [{"type": "text", "text": "a cat"}]})"));
  EXPECT_EQ(render_body(body, {{"image_data_uri", "data:image/png;base64,AA=="}}),
            json::parse(R"({"content": [{"type": "image_url",
                                         "image_url": {"url": "data:image/png;base64,AA=="}}]})"));
}

TEST(ProtocolTemplate, DoubledBracesAreLiteral) {
  EXPECT_EQ(render_body(json("{{not a variable}}"), {}), json("{not a variable}"));
  auto names = placeholders_in(std::string_view("{{x}} {y}"));
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::set<std::string>{"y"});
}

TEST(ProtocolTemplate, MalformedPlaceholdersAreRefusedWithTheirPlace) {
  for (const char* text : {"{unclosed", "stray }", "{}", "{a b}", "{.x}"}) {
    EXPECT_FALSE(placeholders_in(std::string_view(text))) << text;
  }
  const auto found = body_placeholders_in(json::parse(R"({"content": [{"text": "{oops"}]})"));
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("content[0].text"), std::string::npos)
      << found.error().message;
}

TEST(ProtocolTemplate, TargetsEncodeValuesForPathAndQuery) {
  const TemplateVars vars{{"task_id", "models/veo/operations/a b"}, {"file", "x&y=z"}};
  auto path = render_target("/v1beta/{task_id}", vars);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, "/v1beta/models/veo/operations/a%20b");
  auto query = render_target("/files?file_id={file}", vars);
  ASSERT_TRUE(query);
  EXPECT_EQ(*query, "/files?file_id=x%26y%3Dz");
}

TEST(ProtocolTemplate, ASegmentVariableEncodesItsSlashesToo) {
  auto target = render_target("/storage/v1/b/{bucket}/o/{object}?alt=media",
                              {{"bucket", "b"}, {"object", "out/op 1/sample_0.mp4"}}, {"object"});
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, "/storage/v1/b/b/o/out%2Fop%201%2Fsample_0.mp4?alt=media");
}

TEST(ProtocolTemplate, AWholeTargetPlaceholderIsAUrlTakenAsItIs) {
  auto url = render_target("{handle.status_url}",
                           {{"handle.status_url", "https://queue.fal.run/a/b/requests/1/status"}});
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "https://queue.fal.run/a/b/requests/1/status");
  EXPECT_FALSE(render_target("/tasks/{task_id}", {}));
}

}  // namespace
}  // namespace paddock::generate
