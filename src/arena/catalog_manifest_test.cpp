#include <gtest/gtest.h>

#include "arena/catalog_import.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::arena {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

ParsedManifest parse(const TempDir& dir, const std::string& text) {
  testing::write_file(dir / "catalog.jsonl", text);
  return parse_manifest(dir / "catalog.jsonl");
}

// True if some problem contains every fragment.
bool has_problem(const ParsedManifest& p, std::initializer_list<std::string_view> fragments) {
  for (const std::string& problem : p.problems) {
    bool all = true;
    for (auto f : fragments) all = all && problem.find(f) != std::string::npos;
    if (all) return true;
  }
  return false;
}

std::string all_problems(const ParsedManifest& p) {
  std::string s;
  for (const auto& x : p.problems) s += x + "\n";
  return s;
}

const char* kGood =
    R"({"kind": "track", "id": "t2v", "name": "Text to video", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720}
{"kind": "track", "id": "i2v", "task": "image-to-video", "audio": true, "duration_s": 4, "width": 720, "height": 1280, "aspect": "9:16", "fps": 24}

{"kind": "model", "id": "hh1", "display_name": "HappyHorse-1.0", "organization": "Lab", "status": "anonymous", "codename": "Mystery-A"}
{"kind": "model", "id": "sd2", "display_name": "Seedance 2.0"}
{"kind": "prompt", "track": "t2v", "id": "p1", "text": "A horse gallops", "categories": ["animals", "motion"]}
{"kind": "prompt", "track": "i2v", "id": "p1", "text": "Make it move", "language": "de", "source": "sources/p1.png"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "hh1", "file": "clips/a.mp4"}
)";

TEST(ParseManifest, ReadsEveryKindOfRecord) {
  TempDir dir;
  ParsedManifest p = parse(dir, kGood);
  ASSERT_TRUE(p.problems.empty()) << all_problems(p);
  const Manifest& m = p.manifest;
  ASSERT_EQ(m.tracks.size(), 2u);
  EXPECT_EQ(m.tracks[0].track.aspect, "16:9");  // derived from the size
  EXPECT_FALSE(m.tracks[0].track.audio);
  EXPECT_EQ(m.tracks[1].track.name, "i2v");  // defaults to the id
  EXPECT_EQ(m.tracks[1].track.task, store::Task::ImageToVideo);
  EXPECT_TRUE(m.tracks[1].track.audio);
  EXPECT_EQ(m.tracks[1].track.fps, 24);
  EXPECT_EQ(m.tracks[0].track.fps, 0);  // chosen by the import
  ASSERT_EQ(m.models.size(), 2u);
  EXPECT_EQ(m.models[0].model.status, store::ModelStatus::Anonymous);
  EXPECT_EQ(m.models[1].model.status, store::ModelStatus::Public);
  ASSERT_EQ(m.prompts.size(), 2u);
  EXPECT_EQ(m.prompts[0].prompt.language, "en");
  EXPECT_EQ(m.prompts[0].prompt.categories, (std::vector<std::string>{"animals", "motion"}));
  EXPECT_EQ(m.prompts[1].source, dir / "sources/p1.png");
  EXPECT_EQ(m.prompts[1].origin.to_string(), (dir / "catalog.jsonl").string() + ":7");
  ASSERT_EQ(m.clips.size(), 1u);
  EXPECT_EQ(m.clips[0].file, dir / "clips/a.mp4");
  EXPECT_EQ(m.clips[0].file_as_written, "clips/a.mp4");
}

TEST(ParseManifest, ReportsEveryProblemWithItsLine) {
  TempDir dir;
  ParsedManifest p = parse(
      dir,
      R"({"kind": "track", "id": "t", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720}
{"kind": "track", "id": "t", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720}
not json at all
[1, 2]
{"id": "x"}
{"kind": "movie", "id": "x"}
{"kind": "track", "id": "t3", "task": "text-to-picture", "duration_s": 5, "width": 1280, "height": 720}
{"kind": "track", "id": "t4", "task": "text-to-video", "duraton_s": 5, "width": 1280, "height": 720}
{"kind": "track", "id": "t5", "task": "text-to-video", "duration_s": "5", "width": 1280.5, "height": 720}
{"kind": "track", "id": "t6", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720, "aspect": "4:3"}
{"kind": "model", "id": "m/1", "display_name": "M"}
{"kind": "model", "id": "m2", "display_name": "M", "status": "secret"}
{"kind": "model", "id": "m3", "display_name": "M", "status": "anonymous"}
{"kind": "prompt", "track": "t", "id": "p", "text": ""}
{"kind": "prompt", "track": "t", "id": "q", "text": "x", "categories": "animals"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "m2"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "m2", "file": "a.mp4"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "m2", "file": "b.mp4"}
{"kind": "track", "id": "t7", "task": "text-to-video", "duration_s": 0, "width": 1280, "height": 720}
)");
  const std::string f = (dir / "catalog.jsonl").string();
  EXPECT_TRUE(has_problem(p, {f + ":2:", "duplicate track \"t\"", ":1)"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":3:", "not valid JSON"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":4:", "JSON object"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":5:", "missing \"kind\""})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":6:", "unknown kind \"movie\""})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":7:", "text-to-picture"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":8:", "unknown field \"duraton_s\""})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":8:", "missing \"duration_s\""})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":9:", "\"duration_s\" must be a number"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":9:", "\"width\" must be a whole number"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":10:", "aspect 4:3"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":11:", "\"m/1\" is not an id"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":12:", "status \"secret\""})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":13:", "codename"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":14:", "\"text\" is empty"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":15:", "\"categories\" must be an array"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":16:", "missing \"file\""})) << all_problems(p);
  // A record with a problem of its own still counts for duplicates, so both later copies
  // are reported in this round (not one round later, once line 16 is fixed).
  EXPECT_TRUE(has_problem(p, {f + ":17:", "duplicate clip for t/p/m2", ":16)"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":18:", "duplicate clip for t/p/m2", ":16)"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {f + ":19:", "duration_s must be > 0"})) << all_problems(p);
  EXPECT_EQ(p.problems.size(), 20u) << all_problems(p);
}

TEST(ParseManifest, ReadsGenerationConfigsAndSeedPolicies) {
  TempDir dir;
  ParsedManifest p = parse(
      dir,
      R"({"kind": "track", "id": "t2v", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720, "seed": "fixed:7", "watermark": true}
{"kind": "track", "id": "old", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720}
{"kind": "model", "id": "hh1", "display_name": "HappyHorse-1.0", "generation": {"provider": "dashscope", "model": {"text-to-video": "happyhorse-1.0-t2v"}}}
{"kind": "model", "id": "bad", "display_name": "Bad", "generation": {"provider": "dashscope", "model": {"text-to-video": 5}}}
{"kind": "model", "id": "bad2", "display_name": "Bad", "generation": "dashscope"}
{"kind": "track", "id": "bad3", "task": "text-to-video", "duration_s": 5, "width": 1280, "height": 720, "seed": "lucky"}
)");
  EXPECT_TRUE(
      has_problem(p, {"catalog.jsonl:4:", "\"model\".\"text-to-video\" must be a non-empty"}))
      << all_problems(p);
  EXPECT_TRUE(has_problem(p, {"catalog.jsonl:5:", "\"generation\" must be an object"}))
      << all_problems(p);
  EXPECT_TRUE(has_problem(p, {"catalog.jsonl:6:", "seed policy \"lucky\""})) << all_problems(p);
  ASSERT_EQ(p.manifest.tracks.size(), 2u);
  EXPECT_EQ(p.manifest.tracks[0].track.seed, "fixed:7");
  EXPECT_TRUE(p.manifest.tracks[0].track.watermark);
  EXPECT_EQ(p.manifest.tracks[1].track.seed, "per-prompt");  // old manifests: the default
  EXPECT_FALSE(p.manifest.tracks[1].track.watermark);
  ASSERT_EQ(p.manifest.models.size(), 1u);
  EXPECT_EQ(p.manifest.models[0].model.generation,
            R"({"model":{"text-to-video":"happyhorse-1.0-t2v"},"provider":"dashscope"})");
}

// Found by fuzz/manifest_fuzz: an empty id was neither missing nor checked, so a prompt or
// clip with "id": "" was kept (and the store refused it halfway through the import).
TEST(ParseManifest, AnEmptyIdIsAProblem) {
  TempDir dir;
  ParsedManifest p = parse(dir, std::string(kGood) +
                                    R"({"kind": "prompt", "track": "t2v", "id": "", "text": "x"}
{"kind": "clip", "track": "", "prompt": "p1", "model": "sd2", "file": "a.mp4"}
)");
  EXPECT_TRUE(has_problem(p, {"\"id\" value \"\" is not an id"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {"\"track\" value \"\" is not an id"})) << all_problems(p);
  for (const auto& prompt : p.manifest.prompts) EXPECT_FALSE(prompt.prompt.id.empty());
  for (const auto& clip : p.manifest.clips) EXPECT_FALSE(clip.track_id.empty());
}

TEST(ParseManifest, AMissingManifestIsAProblem) {
  TempDir dir;
  ParsedManifest p = parse_manifest(dir / "nope.jsonl");
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("nope.jsonl"), std::string::npos);
}

TEST(ScanFolder, FindsClipsLaidOutAsTrackPromptModel) {
  TempDir dir;
  testing::write_file(
      dir / "prompts.jsonl",
      R"({"kind": "track", "id": "t2v", "task": "text-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "model", "id": "m1", "display_name": "One"}
{"kind": "prompt", "track": "t2v", "id": "p1", "text": "A cat"}
)");
  fs::create_directories(dir / "t2v" / "p1");
  fs::create_directories(dir / "sources");
  fs::create_directories(dir / ".git");
  for (const char* f : {"t2v/p1/m1.mp4", "t2v/p1/m2.webm", "t2v/p1/notes.txt", "sources/x.mp4",
                        ".git/y.mp4", "t2v/p1/.DS_Store"}) {
    testing::write_file(dir / f, "x");
  }
  ParsedManifest p = scan_folder(dir.path());
  ASSERT_TRUE(p.problems.empty()) << all_problems(p);
  ASSERT_EQ(p.manifest.clips.size(), 2u);
  EXPECT_EQ(p.manifest.clips[0].model_id, "m1");
  EXPECT_EQ(p.manifest.clips[1].model_id, "m2");
  EXPECT_EQ(p.manifest.clips[1].track_id, "t2v");
  EXPECT_EQ(p.manifest.clips[1].prompt_id, "p1");
  EXPECT_EQ(p.manifest.tracks.size(), 1u);
}

TEST(ScanFolder, RefusesMisplacedClipsAndClipRecordsInThePromptsFile) {
  TempDir dir;
  testing::write_file(
      dir / "prompts.jsonl",
      R"({"kind": "clip", "track": "t", "prompt": "p", "model": "m", "file": "x.mp4"})"
      "\n");
  fs::create_directories(dir / "t2v" / "p1" / "extra");
  testing::write_file(dir / "t2v" / "loose.mp4", "x");
  testing::write_file(dir / "t2v" / "p1" / "extra" / "deep.mp4", "x");
  ParsedManifest p = scan_folder(dir.path());
  EXPECT_TRUE(has_problem(p, {"prompts.jsonl:1:", "do not belong"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {"loose.mp4", "not where a clip goes"})) << all_problems(p);
  EXPECT_TRUE(has_problem(p, {"deep.mp4", "not where a clip goes"})) << all_problems(p);
}

TEST(ScanFolder, AFolderWithoutAPromptsFileIsAProblem) {
  TempDir dir;
  ParsedManifest p = read_catalog(dir.path());
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("prompts.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace paddock::arena
