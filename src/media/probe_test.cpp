#include <gtest/gtest.h>

#include <filesystem>

#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::media {
namespace {

namespace fs = std::filesystem;
using testing::ClipSpec;
using testing::Container;
using testing::TempDir;
using testing::VideoCodec;

MediaFacts probe_ok(const fs::path& p) {
  auto facts = probe(p);
  if (!facts) ADD_FAILURE() << p << ": " << facts.error().code << ": " << facts.error().message;
  return facts.value_or(MediaFacts{});
}

// Probes `p` expecting a refusal with `code` and a message that names the file.
Error probe_refused(const fs::path& p, const std::string& code) {
  auto facts = probe(p);
  if (facts) {
    ADD_FAILURE() << p << " probed fine, expected " << code;
    return {};
  }
  EXPECT_EQ(facts.error().code, code) << facts.error().message;
  EXPECT_NE(facts.error().message.find(p.string()), std::string::npos) << facts.error().message;
  return facts.error();
}

// Offset and size of the first packet of the first video stream, as ffprobe sees it.
std::pair<int64_t, int64_t> first_video_packet(const fs::path& p) {
  auto r = testing::run_process({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                 "-show_entries", "packet=pos,size", "-read_intervals", "%+#1",
                                 "-of", "csv=p=0", p.string()});
  int64_t pos = 0, size = 0;
  if (std::sscanf(r.out.c_str(), "%ld,%ld", &pos, &size) != 2) ADD_FAILURE() << r.out << r.err;
  return {pos, size};
}

TEST(Probe, ReadsTheFactsOfAnH264Mp4WithSound) {
  const fs::path& clip = testing::shared_clip(
      {.duration_s = 2, .width = 320, .height = 180, .fps = 24, .audio = true});
  MediaFacts f = probe_ok(clip);
  EXPECT_EQ(f.container, "mp4");
  EXPECT_EQ(f.mime, "video/mp4");
  EXPECT_FALSE(f.is_image);
  EXPECT_NEAR(f.duration_s, 2.0, 0.1);
  EXPECT_EQ(f.width, 320);
  EXPECT_EQ(f.height, 180);
  EXPECT_NEAR(f.fps, 24.0, 0.01);
  EXPECT_EQ(f.video_codec, "h264");
  EXPECT_EQ(f.audio_codec, "aac");
  EXPECT_TRUE(f.has_audio);
  EXPECT_EQ(f.bytes, static_cast<int64_t>(fs::file_size(clip)));
}

TEST(Probe, ReadsAVp9WebMWithOpusSound) {
  const fs::path& clip = testing::shared_clip({.duration_s = 1,
                                               .width = 256,
                                               .height = 144,
                                               .fps = 30,
                                               .codec = VideoCodec::Vp9,
                                               .container = Container::WebM,
                                               .audio = true});
  MediaFacts f = probe_ok(clip);
  EXPECT_EQ(f.container, "webm");
  EXPECT_EQ(f.mime, "video/webm");
  EXPECT_NEAR(f.duration_s, 1.0, 0.1);
  EXPECT_EQ(f.width, 256);
  EXPECT_EQ(f.height, 144);
  EXPECT_NEAR(f.fps, 30.0, 0.01);
  EXPECT_EQ(f.video_codec, "vp9");
  EXPECT_EQ(f.audio_codec, "opus");
  EXPECT_TRUE(f.has_audio);
}

TEST(Probe, ReadsAnAv1WebMAndAnAv1Mp4) {
  for (Container c : {Container::WebM, Container::Mp4}) {
    const fs::path& clip = testing::shared_clip(
        {.duration_s = 1, .width = 192, .height = 108, .codec = VideoCodec::Av1, .container = c});
    MediaFacts f = probe_ok(clip);
    EXPECT_EQ(f.container, c == Container::WebM ? "webm" : "mp4");
    EXPECT_EQ(f.video_codec, "av1");
    EXPECT_EQ(f.width, 192);
    EXPECT_FALSE(f.has_audio);
    EXPECT_TRUE(f.audio_codec.empty());
  }
}

TEST(Probe, ReadsAClipWithItsIndexAtTheEnd) {
  TempDir dir;
  testing::make_clip(dir / "late-index.mp4", {.duration_s = 1, .faststart = false});
  MediaFacts f = probe_ok(dir / "late-index.mp4");
  EXPECT_EQ(f.container, "mp4");
  EXPECT_NEAR(f.duration_s, 1.0, 0.1);
}

TEST(Probe, RecognizesPngJpegAndWebpAsStillImages) {
  TempDir dir;
  struct Case {
    const char* name;
    const char* container;
    const char* mime;
  };
  for (Case c : {Case{"a.png", "png", "image/png"}, Case{"a.jpg", "jpeg", "image/jpeg"},
                 Case{"a.webp", "webp", "image/webp"}}) {
    SCOPED_TRACE(c.name);
    testing::make_image(dir / c.name, 64, 48);
    MediaFacts f = probe_ok(dir / c.name);
    EXPECT_TRUE(f.is_image);
    EXPECT_EQ(f.container, c.container);
    EXPECT_EQ(f.mime, c.mime);
    EXPECT_EQ(f.width, 64);
    EXPECT_EQ(f.height, 48);
    EXPECT_EQ(f.duration_s, 0);
    EXPECT_FALSE(f.has_audio);
  }
}

TEST(Probe, AnImageWithAVideoExtensionIsStillAnImage) {
  TempDir dir;
  testing::make_image(dir / "a.png", 32, 32);
  fs::rename(dir / "a.png", dir / "disguised.mp4");
  EXPECT_TRUE(probe_ok(dir / "disguised.mp4").is_image);
}

TEST(Probe, RefusesAMissingFile) {
  TempDir dir;
  probe_refused(dir / "nope.mp4", "not_found");
}

TEST(Probe, RefusesAnEmptyFile) {
  TempDir dir;
  testing::write_file(dir / "empty.mp4", "");
  EXPECT_NE(probe_refused(dir / "empty.mp4", "not_media").message.find("empty"), std::string::npos);
}

TEST(Probe, RefusesGarbageBytes) {
  TempDir dir;
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919 + 13) % 251);
  testing::write_file(dir / "junk.mp4", junk);
  probe_refused(dir / "junk.mp4", "not_media");
}

TEST(Probe, RefusesATextFile) {
  TempDir dir;
  testing::write_file(dir / "notes.txt", "This is not a video.\nJust some words.\n");
  probe_refused(dir / "notes.txt", "not_media");
  testing::write_file(dir / "page.mp4", "<!doctype html><html><body>404</body></html>\n");
  probe_refused(dir / "page.mp4", "not_media");
}

TEST(Probe, RefusesAFolder) {
  TempDir dir;
  fs::create_directory(dir / "clip.mp4");
  probe_refused(dir / "clip.mp4", "not_media");
}

TEST(Probe, RefusesSoundWithoutPicture) {
  TempDir dir;
  auto r = testing::run_process({"ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                                 "sine=duration=1", "-c:a", "aac", (dir / "tone.mp4").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(probe_refused(dir / "tone.mp4", "not_media").message.find("no video stream"),
            std::string::npos);
  r = testing::run_process({"ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                            "sine=duration=1", (dir / "tone.wav").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  probe_refused(dir / "tone.wav", "not_media");
}

TEST(Probe, RefusesATruncatedMp4WhoseIndexIsAtTheFront) {
  TempDir dir;
  std::string bytes = testing::read_file(testing::shared_clip({.duration_s = 2}));
  ASSERT_LT(testing::mp4_box_offset(testing::shared_clip({.duration_s = 2}), "moov"),
            testing::mp4_box_offset(testing::shared_clip({.duration_s = 2}), "mdat"));
  testing::write_file(dir / "cut.mp4", bytes.substr(0, bytes.size() * 2 / 3));
  Error e = probe_refused(dir / "cut.mp4", "corrupt");
  EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.message;
  testing::write_file(dir / "cut1.mp4", bytes.substr(0, bytes.size() - 1));
  probe_refused(dir / "cut1.mp4", "corrupt");
}

TEST(Probe, RefusesATruncatedMp4WhoseIndexWasAtTheEnd) {
  TempDir dir;
  testing::make_clip(dir / "late.mp4", {.duration_s = 1, .faststart = false});
  std::string bytes = testing::read_file(dir / "late.mp4");
  testing::write_file(dir / "cut.mp4", bytes.substr(0, bytes.size() / 2));
  probe_refused(dir / "cut.mp4", "corrupt");
}

TEST(Probe, RefusesATruncatedWebM) {
  TempDir dir;
  std::string bytes = testing::read_file(testing::shared_clip({.duration_s = 1,
                                                               .width = 256,
                                                               .height = 144,
                                                               .fps = 30,
                                                               .codec = VideoCodec::Vp9,
                                                               .container = Container::WebM,
                                                               .audio = true}));
  testing::write_file(dir / "cut.webm", bytes.substr(0, bytes.size() / 2));
  probe_refused(dir / "cut.webm", "corrupt");
  testing::write_file(dir / "cut1.webm", bytes.substr(0, bytes.size() - 3));
  probe_refused(dir / "cut1.webm", "corrupt");
}

TEST(Probe, RefusesAClipWhoseFirstFrameIsDamaged) {
  TempDir dir;
  const fs::path& clip = testing::shared_clip({.duration_s = 1});
  auto [pos, size] = first_video_packet(clip);
  ASSERT_GT(size, 100);
  std::string bytes = testing::read_file(clip);
  // Keep the packet's length prefix and first NAL header; scramble the coded picture.
  for (int64_t i = pos + size / 4; i < pos + size; ++i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>((i * 131 + 7) & 0xFF);
  }
  testing::write_file(dir / "damaged.mp4", bytes);
  probe_refused(dir / "damaged.mp4", "corrupt");
}

TEST(Probe, RefusesAnMp4HeaderWithNothingBehindIt) {
  TempDir dir;
  std::string bytes = testing::read_file(testing::shared_clip({.duration_s = 1}));
  testing::write_file(dir / "head.mp4", bytes.substr(0, 64));
  probe_refused(dir / "head.mp4", "corrupt");
}

// ---- check_against ----

MediaFacts facts(double duration, int w, int h, bool audio) {
  MediaFacts f;
  f.container = "mp4";
  f.duration_s = duration;
  f.width = w;
  f.height = h;
  f.has_audio = audio;
  return f;
}

TEST(CheckAgainst, AcceptsAClipThatMatchesItsTrack) {
  EXPECT_TRUE(check_against(facts(5.0, 1280, 720, true), {5.0, 1280, 720, true}));
  EXPECT_TRUE(check_against(facts(5.0, 1280, 720, true), {5.0, 1280, 720, false}));
  EXPECT_TRUE(check_against(facts(3.0, 10, 10, false), {}));  // nothing to check
}

TEST(CheckAgainst, DurationToleranceIsHalfASecondOrTenPercent) {
  const TrackSpec five{5.0, 0, 0, false};
  EXPECT_TRUE(check_against(facts(5.45, 0, 0, false), five));
  EXPECT_TRUE(check_against(facts(4.55, 0, 0, false), five));
  EXPECT_FALSE(check_against(facts(5.6, 0, 0, false), five));
  EXPECT_FALSE(check_against(facts(4.4, 0, 0, false), five));
  const TrackSpec twenty{20.0, 0, 0, false};  // 10% = 2 s
  EXPECT_TRUE(check_against(facts(21.9, 0, 0, false), twenty));
  auto e = check_against(facts(22.5, 0, 0, false), twenty);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "off_spec");
  EXPECT_NE(e.error().message.find("22.50"), std::string::npos) << e.error().message;
}

TEST(CheckAgainst, SizeMustMatchOrKeepTheAspectWithinOnePercent) {
  const TrackSpec hd{0, 1280, 720, false};
  EXPECT_TRUE(check_against(facts(5, 1920, 1080, false), hd));
  EXPECT_TRUE(check_against(facts(5, 854, 480, false), hd));  // 1.779 vs 1.778
  auto e = check_against(facts(5, 640, 480, false), hd);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "off_spec");
  EXPECT_NE(e.error().message.find("640x480"), std::string::npos) << e.error().message;
  EXPECT_FALSE(check_against(facts(5, 720, 1280, false), hd));  // portrait on a landscape track
}

TEST(CheckAgainst, AnAudioTrackRefusesASilentClip) {
  auto e = check_against(facts(5, 1280, 720, false), {5, 1280, 720, true});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "no_audio");
}

TEST(CheckAgainst, AStillImageIsNotAClip) {
  MediaFacts f = facts(0, 1280, 720, false);
  f.is_image = true;
  auto e = check_against(f, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "off_spec");
}

TEST(CheckAgainst, RefusesRealClipsThatStrayFromTheirTrack) {
  MediaFacts silent = probe_ok(testing::shared_clip({.duration_s = 2}));
  EXPECT_EQ(check_against(silent, {2, 320, 180, true}).error().code, "no_audio");
  EXPECT_EQ(check_against(silent, {5, 320, 180, false}).error().code, "off_spec");
  EXPECT_EQ(check_against(silent, {2, 320, 240, false}).error().code, "off_spec");
  EXPECT_TRUE(check_against(silent, {2, 640, 360, false}));
}

}  // namespace
}  // namespace paddock::media
