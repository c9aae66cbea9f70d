// paddock import, end to end: the real binary on real clips.
#include <filesystem>
#include <set>

#include "cli_fixture.hpp"
#include "media/media.hpp"
#include "support/media_files.hpp"

namespace paddock::import_test {
namespace {

namespace fs = std::filesystem;
using paddock::testing::ClipSpec;

class Import : public CliTest {};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(Import, ImportsAGoodManifestIntoTheStoreAndTheMediaFolder) {
  const std::string manifest = write_standard_catalog();
  auto r = paddock({"import", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "tracks   2 inserted")) << r.out;
  EXPECT_TRUE(contains(r.out, "models   3 inserted")) << r.out;
  EXPECT_TRUE(contains(r.out, "prompts  2 inserted")) << r.out;
  EXPECT_TRUE(contains(r.out, "clips    5 inserted")) << r.out;

  auto db = open_db();
  ASSERT_TRUE(db);
  auto track = db->find_track("t2v");
  ASSERT_TRUE(track && *track);
  EXPECT_TRUE((*track)->audio);
  EXPECT_EQ((*track)->aspect, "16:9");
  auto ma = db->find_model("ma");
  ASSERT_TRUE(ma && *ma);
  EXPECT_EQ((*ma)->status, store::ModelStatus::Anonymous);
  EXPECT_EQ((*ma)->codename, "Mystery-A");
  auto prompts = db->list_prompts("i2v");
  ASSERT_TRUE(prompts);
  ASSERT_EQ(prompts->size(), 1u);
  EXPECT_EQ((*prompts)[0].source_mime, "image/png");
  EXPECT_TRUE(media::stored_path(dir_ / "media", (*prompts)[0].source_hash));

  auto clips = db->list_clips("t2v");
  ASSERT_TRUE(clips);
  ASSERT_EQ(clips->size(), 3u);
  for (const store::Clip& c : *clips) {
    SCOPED_TRACE(c.model_id);
    auto path = media::stored_path(dir_ / "media", c.hash);
    ASSERT_TRUE(path);
    EXPECT_EQ(c.bytes, static_cast<int64_t>(fs::file_size(*path)));
    EXPECT_TRUE(c.has_audio);
    EXPECT_EQ(c.width, 320);
    EXPECT_NEAR(c.duration_s, 2.0, 0.05);
    // The house encoding, also for mb's VP9 in WebM; one size for all of them.
    EXPECT_EQ(c.mime, "video/mp4");
    EXPECT_EQ(c.video_codec, "h264");
    EXPECT_EQ(c.audio_codec, "aac");
    EXPECT_EQ(c.bytes, (*clips)[0].bytes);
    // the index at the front, also for mc whose source had it at the end
    EXPECT_LT(paddock::testing::mp4_box_offset(*path, "moov"),
              paddock::testing::mp4_box_offset(*path, "mdat"));
  }
  // Every clip came at 24 fps, so that is the track's frame rate now, kept for later imports.
  EXPECT_EQ((*track)->fps, 24);
  EXPECT_TRUE(contains(r.out, "track t2v: its clips are encoded at 24 fps")) << r.out;
  // The image-to-video track is silent: the same clips are stored without their sound.
  auto silent = db->list_clips("i2v");
  ASSERT_TRUE(silent);
  ASSERT_EQ(silent->size(), 2u);
  for (const store::Clip& c : *silent) EXPECT_FALSE(c.has_audio) << c.model_id;
  EXPECT_EQ(media_files().size(), 6u);  // 5 clips + 1 source image
}

TEST_F(Import, PlantedModelNameIsInNoStoredFile) {
  const std::string manifest = write_standard_catalog();
  ASSERT_TRUE(paddock::testing::file_contains(dir_ / "clips/ma.mp4", kPlantedName));
  ASSERT_TRUE(paddock::testing::file_contains(dir_ / "clips/mb.webm", kPlantedName));
  auto r = paddock({"import", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_FALSE(media_files().empty());
  for (const std::string& f : media_files()) {
    EXPECT_FALSE(paddock::testing::file_contains(dir_ / "media" / f, kPlantedName)) << f;
    EXPECT_FALSE(paddock::testing::file_contains(dir_ / "media" / f, "HappyHorse")) << f;
  }
}

TEST_F(Import, ReimportingTheSameManifestChangesNothing) {
  const std::string manifest = write_standard_catalog();
  ASSERT_EQ(paddock({"import", manifest}).exit_code, 0);
  const auto files = media_files();
  auto db = open_db();
  ASSERT_TRUE(db);
  const auto version = db->get_setting(store::kCatalogVersionSetting);
  const auto counts = db->counts();
  ASSERT_TRUE(version && *version);
  ASSERT_TRUE(counts);
  db.reset();

  auto r = paddock({"import", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "tracks   2 unchanged")) << r.out;
  EXPECT_TRUE(contains(r.out, "models   3 unchanged")) << r.out;
  EXPECT_TRUE(contains(r.out, "prompts  2 unchanged")) << r.out;
  EXPECT_TRUE(contains(r.out, "clips    5 unchanged")) << r.out;
  EXPECT_FALSE(contains(r.out, "inserted")) << r.out;
  EXPECT_EQ(media_files(), files);
  db = open_db();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->get_setting(store::kCatalogVersionSetting).value(), version.value());
  EXPECT_EQ(db->counts().value(), counts.value());
}

TEST_F(Import, RefusesBadClipsWithFileAndReasonAndImportsTheRest) {
  write_standard_catalog();
  const std::string good = (dir_ / "clips/ma.mp4").string();
  const std::string bytes = paddock::testing::read_file(good);
  write("bad/truncated.mp4", bytes.substr(0, bytes.size() / 2));
  write("bad/notes.mp4", "these are notes, not a video\n");
  fs::copy_file(paddock::testing::shared_clip({.duration_s = 4, .audio = true}),
                dir_ / "bad/long.mp4");
  fs::copy_file(paddock::testing::shared_clip({.duration_s = 2}), dir_ / "bad/silent.mp4");
  fs::copy_file(
      paddock::testing::shared_clip({.duration_s = 2, .width = 240, .height = 180, .audio = true}),
      dir_ / "bad/square.mp4");
  std::string manifest = paddock::testing::read_file(dir_ / "catalog.jsonl");
  for (const char* m : {"m1", "m2", "m3", "m4", "m5", "m6"}) {
    manifest += std::string(R"({"kind": "model", "id": ")") + m + R"(", "display_name": "Bad )" +
                m + "\"}\n";
  }
  manifest +=
      R"({"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m1", "file": "bad/truncated.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m2", "file": "bad/notes.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m3", "file": "bad/long.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m4", "file": "bad/silent.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m5", "file": "bad/square.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "m6", "file": "bad/missing.mp4"}
)";
  write("catalog.jsonl", manifest);
  auto r = paddock({"import", "catalog.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "clips    5 inserted, 6 refused")) << r.out;
  EXPECT_TRUE(contains(r.out, "6 refused (the rest was imported)")) << r.out;
  const std::pair<const char*, const char*> expected[] = {
      {"bad/truncated.mp4", "[corrupt]"}, {"bad/notes.mp4", "[not_media]"},
      {"bad/long.mp4", "[off_spec]"},     {"bad/silent.mp4", "[no_audio]"},
      {"bad/square.mp4", "[off_spec]"},   {"bad/missing.mp4", "[not_found]"}};
  for (const auto& [file, code] : expected) {
    bool listed = false;
    std::string line;
    for (size_t pos = 0, nl; pos < r.out.size(); pos = nl + 1) {
      nl = r.out.find('\n', pos);
      if (nl == std::string::npos) nl = r.out.size();
      line = r.out.substr(pos, nl - pos);
      listed = listed || (contains(line, file) && contains(line, code));
    }
    EXPECT_TRUE(listed) << file << " " << code << " not in:\n" << r.out;
  }
  auto db = open_db();
  ASSERT_TRUE(db);
  auto clips = db->list_clips("t2v");
  ASSERT_TRUE(clips);
  EXPECT_EQ(clips->size(), 3u);  // the good ones only
  EXPECT_EQ(media_files().size(), 6u);
}

TEST_F(Import, ABadManifestIsReportedLineByLineAndNothingIsWritten) {
  write_standard_catalog();
  std::string manifest = paddock::testing::read_file(dir_ / "catalog.jsonl");
  manifest +=
      R"({"kind": "clip", "track": "t2v", "prompt": "p1", "model": "ma", "file": "clips/ma.mp4"}
{"kind": "track", "id": "t3", "task": "text-to-video", "duraton_s": 5, "width": 1280, "height": 720}
{"kind": "model", "id": "mx", "display_name": "X", "status": "secret"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "file": "clips/ma.mp4"}
{this is not json
{"kind": "prompt", "track": "i2v", "id": "p2", "text": "No source"}
)";
  write("catalog.jsonl", manifest);
  auto r = paddock({"import", "catalog.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "nothing was imported")) << r.err;
  EXPECT_TRUE(
      contains(r.err, "catalog.jsonl:13: duplicate clip for t2v/p1/ma (first at catalog.jsonl:8)"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "catalog.jsonl:14: unknown field \"duraton_s\"")) << r.err;
  EXPECT_TRUE(contains(r.err, "catalog.jsonl:15: status \"secret\"")) << r.err;
  EXPECT_TRUE(contains(r.err, "catalog.jsonl:16: missing \"model\"")) << r.err;
  EXPECT_TRUE(contains(r.err, "catalog.jsonl:17: not valid JSON")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
  EXPECT_TRUE(media_files().empty());

  // References are checked before anything is written too.
  write(
      "refs.jsonl",
      R"({"kind": "track", "id": "t", "task": "image-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "prompt", "track": "t", "id": "p", "text": "No source"}
{"kind": "prompt", "track": "nowhere", "id": "p", "text": "x"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "ghost", "file": "clips/ma.mp4"}
{"kind": "clip", "track": "t", "prompt": "q", "model": "ghost", "file": "clips/ma.mp4"}
)");
  r = paddock({"import", "refs.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "refs.jsonl:2: prompts of image-to-video track t need a \"source\""))
      << r.err;
  EXPECT_TRUE(contains(r.err, "refs.jsonl:3: prompt refers to unknown track \"nowhere\"")) << r.err;
  EXPECT_TRUE(contains(r.err, "refs.jsonl:4: clip refers to unknown model \"ghost\"")) << r.err;
  EXPECT_TRUE(contains(r.err, "refs.jsonl:5: clip refers to unknown prompt \"q\"")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
  EXPECT_TRUE(media_files().empty());
}

TEST_F(Import, EveryProblemIsListedInOneRound) {
  // A record error, a duplicate of a record with an error, and a reference that does not
  // resolve: all three in the first run (they used to come one round each).
  write(
      "all.jsonl",
      R"({"kind": "track", "id": "t", "task": "text-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "model", "id": "ma", "display_name": "A", "status": "secret"}
{"kind": "model", "id": "ma", "display_name": "A again"}
{"kind": "prompt", "track": "t", "id": "p", "text": "x"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "ghost", "file": "clips/ma.mp4"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "ma", "file": "clips/ma.mp4"}
)");
  auto r = paddock({"import", "all.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "all.jsonl has 3 problems")) << r.err;
  const auto status = r.err.find("all.jsonl:2: status \"secret\"");
  const auto duplicate = r.err.find("all.jsonl:3: duplicate model \"ma\" (first at all.jsonl:2)");
  const auto ghost = r.err.find("all.jsonl:5: clip refers to unknown model \"ghost\"");
  ASSERT_NE(status, std::string::npos) << r.err;
  ASSERT_NE(duplicate, std::string::npos) << r.err;
  ASSERT_NE(ghost, std::string::npos) << r.err;
  EXPECT_TRUE(status < duplicate && duplicate < ghost) << r.err;  // in the file's order
  // The clip of the model with a problem is not reported as referring to an unknown model.
  EXPECT_FALSE(contains(r.err, "unknown model \"ma\"")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
}

TEST_F(Import, ATrackCannotBeCalledSources) {
  write(
      "s.jsonl",
      R"({"kind": "track", "id": "sources", "task": "text-to-video", "duration_s": 2, "width": 320, "height": 180}
)");
  auto r = paddock({"import", "s.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "s.jsonl:1: track id \"sources\" is reserved")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
}

TEST_F(Import, DryRunChecksEverythingAndWritesNothing) {
  const std::string manifest = write_standard_catalog();
  const std::string standard = paddock::testing::read_file(dir_ / manifest);
  const std::string bytes = paddock::testing::read_file(dir_ / "clips/ma.mp4");
  write("bad/truncated.mp4", bytes.substr(0, bytes.size() / 3));
  write(
      "catalog.jsonl",
      standard +
          R"({"kind": "clip", "track": "i2v", "prompt": "p1", "model": "mc", "file": "bad/truncated.mp4"})"
          "\n");
  auto r = paddock({"import", "--dry-run", "catalog.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "nothing was written")) << r.out;
  EXPECT_TRUE(contains(r.out, "clips    5 checked, 1 refused")) << r.out;
  EXPECT_TRUE(contains(r.out, "bad/truncated.mp4")) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
  EXPECT_FALSE(fs::exists(dir_ / "media"));

  // Against an existing database: its catalog and the media folder stay as they were.
  write("good.jsonl", standard);
  ASSERT_EQ(paddock({"import", "good.jsonl"}).exit_code, 0);
  const auto files = media_files();
  write("more.jsonl", R"({"kind": "model", "id": "md", "display_name": "D"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "md", "file": "clips/ma.mp4"}
)");
  r = paddock({"import", "--dry-run", "more.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(media_files(), files);
  auto db = open_db();
  ASSERT_TRUE(db);
  auto md = db->find_model("md");
  ASSERT_TRUE(md);
  EXPECT_FALSE(*md);
  EXPECT_EQ(db->list_clips("t2v")->size(), 3u);
}

TEST_F(Import, ImportsAFolderLaidOutAsTrackPromptModel) {
  write(
      "cat/prompts.jsonl",
      R"({"kind": "track", "id": "t2v", "task": "text-to-video", "audio": true, "duration_s": 2, "width": 320, "height": 180}
{"kind": "track", "id": "i2v", "task": "image-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "model", "id": "ma", "display_name": "A"}
{"kind": "model", "id": "mb", "display_name": "B"}
{"kind": "prompt", "track": "t2v", "id": "p1", "text": "A horse"}
{"kind": "prompt", "track": "t2v", "id": "p2", "text": "A cat"}
{"kind": "prompt", "track": "i2v", "id": "p1", "text": "Move", "source": "sources/p1.png"}
)");
  const auto& a = paddock::testing::shared_clip({.duration_s = 2, .audio = true, .caption = "A"});
  const auto& b = paddock::testing::shared_clip({.duration_s = 2,
                                                 .codec = paddock::testing::VideoCodec::Vp9,
                                                 .container = paddock::testing::Container::WebM,
                                                 .audio = true,
                                                 .caption = "B"});
  for (const char* p : {"cat/t2v/p1", "cat/t2v/p2", "cat/i2v/p1", "cat/sources"}) {
    fs::create_directories(dir_ / p);
  }
  fs::copy_file(a, dir_ / "cat/t2v/p1/ma.mp4");
  fs::copy_file(b, dir_ / "cat/t2v/p1/mb.webm");
  fs::copy_file(a, dir_ / "cat/t2v/p2/ma.mp4");
  fs::copy_file(a, dir_ / "cat/i2v/p1/mb.mp4");
  paddock::testing::make_image(dir_ / "cat/sources/p1.png", 320, 180);
  auto r = paddock({"import", "cat"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "clips    4 inserted")) << r.out;
  auto db = open_db();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->list_clips("t2v")->size(), 3u);
  EXPECT_EQ(db->list_clips("i2v")->size(), 1u);
  r = paddock({"import", "cat"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "clips    4 unchanged")) << r.out;
}

TEST_F(Import, EncodesEveryClipAtTheTracksSizeAndFrameRate) {
  write(
      "catalog.jsonl",
      R"({"kind": "track", "id": "t", "task": "text-to-video", "duration_s": 1, "width": 320, "height": 180, "fps": 24}
{"kind": "model", "id": "m", "display_name": "M"}
{"kind": "prompt", "track": "t", "id": "p", "text": "x"}
{"kind": "clip", "track": "t", "prompt": "p", "model": "m", "file": "small.webm"}
)");
  ClipSpec spec{.duration_s = 1,
                .width = 256,
                .height = 144,
                .fps = 30,
                .codec = paddock::testing::VideoCodec::Vp9,
                .container = paddock::testing::Container::WebM};
  spec.tags = {{"title", kPlantedName}};
  fs::copy_file(paddock::testing::shared_clip(spec), dir_ / "small.webm");
  auto r = paddock({"import", "catalog.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(contains(r.err, "warning")) << r.err;
  auto db = open_db();
  ASSERT_TRUE(db);
  auto clips = db->list_clips("t");
  ASSERT_TRUE(clips);
  ASSERT_EQ(clips->size(), 1u);
  const store::Clip& c = (*clips)[0];
  EXPECT_EQ(c.mime, "video/mp4");
  EXPECT_EQ(c.video_codec, "h264");
  EXPECT_EQ(c.width, 320);
  EXPECT_EQ(c.height, 180);
  EXPECT_NEAR(c.fps, 24, 0.01);
  EXPECT_FALSE(
      paddock::testing::file_contains(*media::stored_path(dir_ / "media", c.hash), kPlantedName));
  // --reencode, which older scripts pass, asks for what is now the default.
  r = paddock({"import", "--reencode", "catalog.jsonl"});
  EXPECT_TRUE(contains(r.out, "clips    1 unchanged")) << r.out;
  EXPECT_EQ(media_files().size(), 1u);
  EXPECT_EQ(paddock({"import", "--reencode", "--remux", "catalog.jsonl"}).exit_code, 2);
}

TEST_F(Import, RemuxKeepsEachClipsEncodingOnRequestAndWarns) {
  const std::string manifest = write_standard_catalog();
  auto r = paddock({"import", "--remux", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "warning: --remux keeps each clip's own encoding")) << r.err;
  EXPECT_TRUE(contains(r.err, "can tell which model made it")) << r.err;
  auto db = open_db();
  ASSERT_TRUE(db);
  auto clips = db->list_clips("t2v");
  ASSERT_TRUE(clips);
  std::set<std::string> mimes;
  for (const store::Clip& c : *clips) {
    mimes.insert(c.mime);
    if (c.model_id == "mb") {
      EXPECT_EQ(c.video_codec, "vp9");
    }
  }
  EXPECT_EQ(mimes, (std::set<std::string>{"video/mp4", "video/webm"}));
  // Remuxing chooses no frame rate: nothing is encoded at one.
  EXPECT_EQ(db->find_track("t2v").value()->fps, 0);
  // The planted names are gone all the same.
  for (const std::string& f : media_files()) {
    EXPECT_FALSE(paddock::testing::file_contains(dir_ / "media" / f, kPlantedName)) << f;
  }
}

// Issue 13: three models that deliver H.264 baseline at 24 fps, H.264 High at 30 fps and
// twice the size, and VP9 gave voters an encoding per model. After import, ffprobe tells
// their clips apart by nothing but the sizes of their packets, and every file has the same
// size, busy picture or calm.
TEST_F(Import, ClipsOfThreeVendorsEncodingsCannotBeToldApartAfterImport) {
  using paddock::testing::VendorStyle;
  std::string manifest =
      R"({"kind": "track", "id": "t", "task": "text-to-video", "audio": true, "duration_s": 1, "width": 320, "height": 180}
{"kind": "prompt", "track": "t", "id": "calm", "text": "A test card"}
{"kind": "prompt", "track": "t", "id": "busy", "text": "A test card in a snowstorm"}
)";
  const std::pair<const char*, VendorStyle> models[] = {
      {"baseline", VendorStyle::H264BaselineAt24},
      {"high", VendorStyle::H264HighAt30TwiceTheSize},
      {"vp9", VendorStyle::Vp9At25}};
  fs::create_directories(dir_ / "clips");
  std::set<std::string> source_signatures;
  for (const auto& [model, style] : models) {
    manifest += std::string(R"({"kind": "model", "id": ")") + model + R"(", "display_name": ")" +
                model + "\"}\n";
    for (const char* prompt : {"calm", "busy"}) {
      const std::string file =
          std::string("clips/") + prompt + "-" + model + paddock::testing::vendor_extension(style);
      paddock::testing::make_vendor_clip(dir_ / file,
                                         {.style = style, .busy = std::string(prompt) == "busy"});
      source_signatures.insert(paddock::testing::encoding_signature(dir_ / file));
      manifest += std::string(R"({"kind": "clip", "track": "t", "prompt": ")") + prompt +
                  R"(", "model": ")" + model + R"(", "file": ")" + file + "\"}\n";
    }
  }
  ASSERT_EQ(source_signatures.size(), 6u);  // before: each tells its model (and picture)
  write("catalog.jsonl", manifest);
  auto r = paddock({"import", "--jobs", "2", "catalog.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "clips    6 inserted")) << r.out;
  // No frame rate in the catalog and three different ones among the clips: the higher of
  // the most common ones.
  EXPECT_TRUE(contains(r.out, "track t: its clips are encoded at 30 fps")) << r.out;

  auto db = open_db();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->find_track("t").value()->fps, 30);
  auto clips = db->list_clips("t");
  ASSERT_TRUE(clips);
  ASSERT_EQ(clips->size(), 6u);
  std::set<std::string> signatures;
  std::set<int64_t> sizes;
  for (const store::Clip& c : *clips) {
    SCOPED_TRACE(c.prompt_id + "/" + c.model_id);
    const fs::path stored = *media::stored_path(dir_ / "media", c.hash);
    signatures.insert(paddock::testing::encoding_signature(stored));
    sizes.insert(static_cast<int64_t>(fs::file_size(stored)));
    EXPECT_EQ(c.mime, "video/mp4");
    EXPECT_EQ(c.width, 320);
    EXPECT_EQ(c.height, 180);
    EXPECT_EQ(c.fps, 30);
  }
  EXPECT_EQ(signatures.size(), 1u) << *signatures.begin() << "\n---\n" << *signatures.rbegin();
  EXPECT_EQ(sizes.size(), 1u);
  // And the signature does describe the encoding (it is not empty or an error).
  EXPECT_TRUE(contains(*signatures.begin(), "codec_name=h264|profile=High")) << *signatures.begin();
  EXPECT_TRUE(contains(*signatures.begin(), "r_frame_rate=30/1")) << *signatures.begin();
}

TEST_F(Import, UsesTheMediaAndDbFlags) {
  const std::string manifest = write_standard_catalog();
  auto r = paddock({"import", "--db", "other.db", "--media", "store/files", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "other.db"));
  EXPECT_FALSE(fs::exists(dir_ / "paddock.db"));
  EXPECT_FALSE(fs::exists(dir_ / "media"));
  EXPECT_TRUE(fs::exists(dir_ / "store/files"));
}

TEST_F(Import, UsageErrorsExitWithTwo) {
  EXPECT_EQ(paddock({"import"}).exit_code, 2);
  EXPECT_EQ(paddock({"import", "no-such-manifest.jsonl"}).exit_code, 2);
  write("catalog.jsonl", "");
  EXPECT_EQ(paddock({"import", "--frobnicate", "catalog.jsonl"}).exit_code, 2);
}

TEST_F(Import, ShowsPlainProgressLinesWhenStderrIsNotATerminal) {
  const std::string manifest = write_standard_catalog();
  auto r = paddock({"import", manifest});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "[1/6] ")) << r.err;
  EXPECT_TRUE(contains(r.err, "[6/6] ")) << r.err;
  EXPECT_FALSE(contains(r.err, "\r")) << r.err;
}

TEST_F(Import, DrawsAProgressBarOnATerminal) {
  const std::string manifest = write_standard_catalog();
  // script(1) runs the command on a pseudo-terminal and copies what it shows to stdout.
  auto r = paddock::testing::run_process(
      {"script", "-qefc", std::string(PADDOCK_BINARY) + " import " + manifest, "/dev/null"},
      {.cwd = dir_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "\r\x1b[K[")) << r.out;
  EXPECT_TRUE(contains(r.out, "6/6")) << r.out;
  EXPECT_FALSE(contains(r.out, "[1/6] ")) << r.out;
}

}  // namespace
}  // namespace paddock::import_test
