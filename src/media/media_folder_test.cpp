#include <fcntl.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "media/clip_render.hpp"
#include "media/media.hpp"
#include "media/normalize.hpp"
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

constexpr const char* kPlanted = "HappyHorse-Secret-9";
const NormalizeOptions kRemux{.encoding = Encoding::Remux};

StoredMedia store_ok(const fs::path& source, const fs::path& media, NormalizeOptions o = {}) {
  auto stored = store_normalized(source, media, o);
  if (!stored) ADD_FAILURE() << stored.error().code << ": " << stored.error().message;
  return stored.value_or(StoredMedia{});
}

// Every regular file under `dir`, relative to it.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_directory()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// MD5 of the decoded pictures, as the ffmpeg tool computes it: equal means same pixels.
std::string picture_md5(const fs::path& p) {
  auto r = testing::run_process(
      {"ffmpeg", "-v", "error", "-nostdin", "-i", p.string(), "-map", "0:v:0", "-f", "md5", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

ClipSpec tagged(ClipSpec spec) {
  spec.tags = {{"title", kPlanted},
               {"comment", kPlanted},
               {"encoder", kPlanted},
               {"artist", kPlanted},
               {"creation_time", "2026-01-02T03:04:05Z"}};
  spec.handler_name = kPlanted;
  return spec;
}

TEST(StoreNormalized, RemovesEveryPlantedModelNameFromAnMp4) {
  TempDir dir;
  ClipSpec spec = tagged({.duration_s = 1, .audio = true});
  spec.sei_text = kPlanted;
  testing::make_clip(dir / "src.mp4", spec);
  ASSERT_TRUE(testing::file_contains(dir / "src.mp4", kPlanted));  // the plant took
  ASSERT_EQ(testing::ffprobe_value(dir / "src.mp4", "format_tags=title"), kPlanted);
  ASSERT_EQ(testing::ffprobe_value(dir / "src.mp4", "stream_tags=handler_name", "v:0"), kPlanted);

  StoredMedia s = store_ok(dir / "src.mp4", dir / "media", kRemux);
  const fs::path stored = dir / "media" / s.relative_path;
  const std::string bytes = testing::read_file(stored);
  EXPECT_EQ(bytes.find(kPlanted), std::string::npos);
  EXPECT_EQ(bytes.find("HappyHorse"), std::string::npos);
  EXPECT_EQ(bytes.find("Lavf"), std::string::npos);  // no muxer version string
  // (A remux keeps the audio bitstream as it is, and FFmpeg's AAC encoder writes its version
  // into the first frame of the tone; the house encoding replaces it, see the tests below.)
  EXPECT_EQ(bytes.find("x264"), std::string::npos);  // the encoder's settings SEI is gone too
  EXPECT_EQ(testing::ffprobe_value(stored, "format_tags=creation_time"), "");
  EXPECT_EQ(testing::ffprobe_value(stored, "format_tags=encoder"), "");
  EXPECT_TRUE(s.facts.has_audio);
  EXPECT_EQ(s.facts.video_codec, "h264");
  EXPECT_EQ(s.facts.container, "mp4");
}

TEST(StoreNormalized, RemovesEveryPlantedModelNameFromAWebM) {
  TempDir dir;
  ClipSpec spec = tagged({.duration_s = 1,
                          .width = 256,
                          .height = 144,
                          .codec = VideoCodec::Vp9,
                          .container = Container::WebM,
                          .audio = true});
  testing::make_clip(dir / "src.webm", spec);
  ASSERT_TRUE(testing::file_contains(dir / "src.webm", kPlanted));
  ASSERT_TRUE(testing::file_contains(dir / "src.webm", "Lavf5"));

  StoredMedia s = store_ok(dir / "src.webm", dir / "media", kRemux);
  EXPECT_EQ(s.relative_path.extension(), ".webm");
  EXPECT_EQ(s.facts.container, "webm");  // WebM stays WebM
  EXPECT_EQ(s.facts.audio_codec, "opus");
  const std::string bytes = testing::read_file(dir / "media" / s.relative_path);
  EXPECT_EQ(bytes.find(kPlanted), std::string::npos);
  EXPECT_EQ(bytes.find("Lavf5"), std::string::npos);  // only the bare muxing-app name "Lavf"
  EXPECT_EQ(bytes.find("Lavc"), std::string::npos);
}

TEST(StoreNormalized, RemovesMetadataFromAnAv1Clip) {
  TempDir dir;
  testing::make_clip(
      dir / "src.mp4",
      tagged({.duration_s = 1, .width = 192, .height = 108, .codec = VideoCodec::Av1}));
  ASSERT_TRUE(testing::file_contains(dir / "src.mp4", kPlanted));
  StoredMedia s = store_ok(dir / "src.mp4", dir / "media", kRemux);
  EXPECT_EQ(s.facts.video_codec, "av1");
  EXPECT_FALSE(testing::file_contains(dir / "media" / s.relative_path, kPlanted));
}

TEST(StoreNormalized, PutsTheMp4IndexBeforeTheMediaData) {
  TempDir dir;
  testing::make_clip(dir / "late.mp4", {.duration_s = 1, .faststart = false});
  ASSERT_GT(testing::mp4_box_offset(dir / "late.mp4", "moov"),
            testing::mp4_box_offset(dir / "late.mp4", "mdat"));
  for (const NormalizeOptions& o : {NormalizeOptions{}, kRemux}) {
    StoredMedia s = store_ok(dir / "late.mp4", dir / "media", o);
    const fs::path stored = dir / "media" / s.relative_path;
    const int64_t moov = testing::mp4_box_offset(stored, "moov");
    const int64_t mdat = testing::mp4_box_offset(stored, "mdat");
    ASSERT_GE(moov, 0);
    ASSERT_GE(mdat, 0);
    EXPECT_LT(moov, mdat);
  }
}

TEST(StoreNormalized, NamesTheFileByTheSha256OfItsBytes) {
  TempDir dir;
  StoredMedia s = store_ok(testing::shared_clip({.duration_s = 1}), dir / "media");
  ASSERT_EQ(s.hash.size(), 64u);
  EXPECT_EQ(s.relative_path, fs::path(s.hash.substr(0, 2)) / (s.hash + ".mp4"));
  auto r = testing::run_process({"sha256sum", (dir / "media" / s.relative_path).string()});
  EXPECT_EQ(r.out.substr(0, 64), s.hash);
  EXPECT_EQ(s.facts.bytes, static_cast<int64_t>(fs::file_size(dir / "media" / s.relative_path)));
}

TEST(StoreNormalized, StoringTheSameContentTwiceLeavesOneFile) {
  TempDir dir;
  const fs::path& clip = testing::shared_clip({.duration_s = 1, .audio = true});
  fs::copy_file(clip, dir / "copy.mp4");
  StoredMedia a = store_ok(clip, dir / "media");
  StoredMedia b = store_ok(clip, dir / "media");
  StoredMedia c = store_ok(dir / "copy.mp4", dir / "media");
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.hash, c.hash);
  EXPECT_EQ(files_under(dir / "media"), std::vector<std::string>{a.relative_path.string()});
}

TEST(StoreNormalized, ClipsDifferingOnlyInMetadataStoreAsOneFile) {
  TempDir dir;
  ClipSpec one{.duration_s = 1};
  one.tags = {{"title", "Model One"}};
  one.handler_name = "Model One";
  ClipSpec two{.duration_s = 1};
  two.tags = {{"title", "Another Model"}, {"comment", "made by lab two"}};
  two.sei_text = "lab two";
  testing::make_clip(dir / "one.mp4", one);
  testing::make_clip(dir / "two.mp4", two);
  ASSERT_NE(testing::read_file(dir / "one.mp4"), testing::read_file(dir / "two.mp4"));
  for (const NormalizeOptions& o : {NormalizeOptions{}, kRemux}) {
    EXPECT_EQ(store_ok(dir / "one.mp4", dir / "media", o).hash,
              store_ok(dir / "two.mp4", dir / "media", o).hash);
  }
}

TEST(StoreNormalized, DropsTheSoundWhenAskedTo) {
  TempDir dir;
  StoredMedia s = store_ok(testing::shared_clip({.duration_s = 1, .audio = true}), dir / "media",
                           {.keep_audio = false});
  EXPECT_FALSE(s.facts.has_audio);
  EXPECT_EQ(testing::ffprobe_value(dir / "media" / s.relative_path, "stream=codec_type", "a"), "");
}

TEST(StoreNormalized, EncodesToTheTargetSizeFrameRateAndCodecs) {
  TempDir dir;
  const fs::path& webm = testing::shared_clip({.duration_s = 1,
                                               .width = 256,
                                               .height = 144,
                                               .fps = 30,
                                               .codec = VideoCodec::Vp9,
                                               .container = Container::WebM,
                                               .audio = true});
  NormalizeOptions o{.width = 320, .height = 180, .fps = 24};
  StoredMedia s = store_ok(webm, dir / "media", o);
  EXPECT_EQ(s.facts.container, "mp4");
  EXPECT_EQ(s.facts.video_codec, "h264");
  EXPECT_EQ(s.facts.audio_codec, "aac");
  EXPECT_EQ(s.facts.width, 320);
  EXPECT_EQ(s.facts.height, 180);
  EXPECT_NEAR(s.facts.fps, 24, 0.01);
  EXPECT_NEAR(s.facts.duration_s, 1.0, 0.15);
  const fs::path stored = dir / "media" / s.relative_path;
  EXPECT_EQ(testing::ffprobe_value(stored, "stream=r_frame_rate", "v:0"), "24/1");
  EXPECT_EQ(testing::ffprobe_value(stored, "stream=pix_fmt", "v:0"), "yuv420p");
  EXPECT_EQ(testing::ffprobe_value(stored, "stream=sample_rate", "a:0"), "48000");
  EXPECT_LT(testing::mp4_box_offset(stored, "moov"), testing::mp4_box_offset(stored, "mdat"));
  EXPECT_FALSE(testing::file_contains(stored, "Lavf"));
  EXPECT_FALSE(testing::file_contains(stored, "Lavc"));
  EXPECT_FALSE(testing::file_contains(stored, "x264"));
  // Deterministic: the same source re-encodes to the same bytes.
  EXPECT_EQ(store_ok(webm, dir / "media", o).hash, s.hash);
  EXPECT_EQ(files_under(dir / "media").size(), 1u);
}

TEST(StoreNormalized, EncodingKeepsTheSourceSizeWhenNoTargetIsGiven) {
  TempDir dir;
  StoredMedia s =
      store_ok(testing::shared_clip(
                   {.duration_s = 1, .width = 192, .height = 108, .codec = VideoCodec::Av1}),
               dir / "media");
  EXPECT_EQ(s.facts.video_codec, "h264");
  EXPECT_EQ(s.facts.width, 192);
  EXPECT_EQ(s.facts.height, 108);
  EXPECT_NEAR(s.facts.fps, 24, 0.01);
  EXPECT_FALSE(s.facts.has_audio);
}

TEST(StoreNormalized, EncodingToAnotherAspectLetterboxes) {
  TempDir dir;
  testing::make_clip(dir / "square.mp4", {.duration_s = 1, .width = 160, .height = 160});
  StoredMedia s =
      store_ok(dir / "square.mp4", dir / "media", {.width = 320, .height = 180, .fps = 24});
  EXPECT_EQ(s.facts.width, 320);
  EXPECT_EQ(s.facts.height, 180);
}

// ---- the house encoding: one encoding whatever the vendor ----

using Vendor = testing::VendorStyle;

// The same moving picture (and tone) as three vendors deliver it (support/media_files.hpp),
// 320x180 (twice that for H264HighAt30TwiceTheSize), `duration_s` long; `busy` draws noise
// over the picture.
fs::path vendor_clip(const fs::path& dir, Vendor v, double duration_s = 1, bool busy = false) {
  const fs::path out =
      dir / ("v" + std::to_string(static_cast<int>(v)) + "-" + std::to_string(duration_s) +
             (busy ? "-busy" : "") + testing::vendor_extension(v));
  testing::make_vendor_clip(out, {.style = v, .duration_s = duration_s, .busy = busy});
  return out;
}

using testing::encoding_signature;

const NormalizeOptions kTrack{
    .keep_audio = true, .width = 320, .height = 180, .fps = 24, .duration_s = 1};

TEST(HouseEncoding, GivesThreeVendorsEncodingsOneEncoding) {
  TempDir dir;
  std::vector<std::string> signatures;
  std::set<int64_t> sizes;
  for (Vendor v : {Vendor::H264BaselineAt24, Vendor::H264HighAt30TwiceTheSize, Vendor::Vp9At25}) {
    const fs::path source = vendor_clip(dir.path(), v);
    StoredMedia s = store_ok(source, dir / "media", kTrack);
    const fs::path stored = dir / "media" / s.relative_path;
    signatures.push_back(encoding_signature(stored));
    sizes.insert(s.facts.bytes);
    EXPECT_EQ(s.facts.container, "mp4");
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=profile", "v:0"), "High");
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=nb_frames", "v:0"), "24");
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=profile", "a:0"), "LC");
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=channels", "a:0"), "2");
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=color_space", "v:0"), "bt709");
  }
  EXPECT_EQ(signatures[0], signatures[1]);
  EXPECT_EQ(signatures[0], signatures[2]);
  // And one size, the track's budget, however much the pictures differ.
  sizes.insert(store_ok(vendor_clip(dir.path(), Vendor::H264HighAt30TwiceTheSize, 1, true),
                        dir / "media", kTrack)
                   .facts.bytes);
  EXPECT_EQ(sizes, std::set<int64_t>{house_file_bytes(kTrack)});
  EXPECT_GT(house_file_bytes(kTrack), 0);
}

TEST(HouseEncoding, CutsOrExtendsEveryClipToTheTracksLength) {
  TempDir dir;
  std::set<std::string> signatures;
  for (double d : {0.9, 1.0, 1.1}) {
    StoredMedia s =
        store_ok(vendor_clip(dir.path(), Vendor::H264BaselineAt24, d), dir / "media", kTrack);
    const fs::path stored = dir / "media" / s.relative_path;
    EXPECT_EQ(testing::ffprobe_value(stored, "stream=nb_frames", "v:0"), "24") << d;
    EXPECT_NEAR(s.facts.duration_s, 1.0, 0.03) << d;
    signatures.insert(encoding_signature(stored));
  }
  EXPECT_EQ(signatures.size(), 1u);
}

TEST(HouseEncoding, PlaysBackWithoutAnError) {
  TempDir dir;
  StoredMedia s = store_ok(vendor_clip(dir.path(), Vendor::Vp9At25), dir / "media", kTrack);
  auto r = testing::run_process({"ffmpeg", "-v", "error", "-xerror", "-nostdin", "-i",
                                 (dir / "media" / s.relative_path).string(), "-f", "null", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(HouseEncoding, GivesTheSameBytesForTheSameSource) {
  TempDir dir;
  const fs::path source = vendor_clip(dir.path(), Vendor::H264HighAt30TwiceTheSize);
  EXPECT_EQ(store_ok(source, dir / "one", kTrack).hash, store_ok(source, dir / "two", kTrack).hash);
}

// Whatever the heap held before: libx264's MB-tree reads memory it has not written on some
// pictures (smooth gradients under moving text, as the demo's clips have), so a clip encoded
// in a busy process, such as a resumed demo build, came out different. glibc fills each new
// allocation with a byte of our choosing here (M_PERTURB); allocators that ignore the
// request (ASan's) leave two ordinary encodings to compare.
TEST(HouseEncoding, GivesTheSameBytesWhateverTheHeapHeld) {
  TempDir dir;
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  const fs::path source = dir / "gradient.mp4";
  ClipRecipe recipe;
  recipe.video = "gradients=s=320x180:r=12:seed=3:speed=0.01,drawtext=fontfile=" +
                 filter_value(font->string()) +
                 ":text=HELLO:fontsize=40:x=t*40:y=60:fontcolor=white,format=yuv420p";
  recipe.seconds = 3;
  ASSERT_TRUE(render_clip(recipe, source));
  const NormalizeOptions track{.width = 320, .height = 180, .fps = 12, .duration_s = 3};
  std::set<std::string> hashes;
  for (int fill : {0x11, 0xa5, 0}) {
    mallopt(M_PERTURB, fill);
    hashes.insert(store_ok(source, dir / ("media-" + std::to_string(fill)), track).hash);
  }
  mallopt(M_PERTURB, 0);
  EXPECT_EQ(hashes.size(), 1u);
}

TEST(HouseFileBytes, NeedsEveryTarget) {
  EXPECT_EQ(house_file_bytes({.width = 320, .height = 180, .fps = 24}), 0);
  EXPECT_EQ(house_file_bytes({.width = 320, .height = 180, .duration_s = 1}), 0);
  EXPECT_EQ(house_file_bytes({.fps = 24, .duration_s = 1}), 0);
  NormalizeOptions silent = kTrack;
  silent.keep_audio = false;
  EXPECT_LT(house_file_bytes(silent), house_file_bytes(kTrack));
  EXPECT_EQ(house_file_bytes(kTrack) % 4096, 0);
}

TEST(PadMp4, PadsWithAFreeBoxToTheSizeOrTheNextStepAbove) {
  TempDir dir;
  testing::write_file(dir / "a.mp4", std::string(100, 'x'));
  EXPECT_EQ(pad_mp4(dir / "a.mp4", 4096, 1024).value_or(-1), 4096);
  const std::string bytes = testing::read_file(dir / "a.mp4");
  ASSERT_EQ(bytes.size(), 4096u);
  EXPECT_EQ(bytes.substr(100, 8), std::string("\0\0\x0f\x9c"
                                              "free",
                                              8));  // 3996 bytes
  EXPECT_EQ(bytes.find_first_not_of('\0', 108), std::string::npos);
  // Already that long: unchanged. Too close to it for a box, or past it: the next step.
  EXPECT_EQ(pad_mp4(dir / "a.mp4", 4096, 1024).value_or(-1), 4096);
  testing::write_file(dir / "b.mp4", std::string(4090, 'x'));
  EXPECT_EQ(pad_mp4(dir / "b.mp4", 4096, 1024).value_or(-1), 5120);
  EXPECT_EQ(fs::file_size(dir / "b.mp4"), 5120u);
  testing::write_file(dir / "c.mp4", std::string(7000, 'x'));
  EXPECT_EQ(pad_mp4(dir / "c.mp4", 4096, 1024).value_or(-1), 7168);
  EXPECT_EQ(pad_mp4(dir / "missing.mp4", 4096, 1024).error().code, "io_error");
}

TEST(StoreNormalized, RefusesACorruptClipAndLeavesNothingBehind) {
  TempDir dir;
  std::string bytes = testing::read_file(testing::shared_clip({.duration_s = 1}));
  testing::write_file(dir / "cut.mp4", bytes.substr(0, bytes.size() / 2));
  auto r = store_normalized(dir / "cut.mp4", dir / "media", kRemux);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "corrupt");
  EXPECT_TRUE(files_under(dir / "media").empty());
  testing::write_file(dir / "junk.mp4", "not a clip at all");
  r = store_normalized(dir / "junk.mp4", dir / "media", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_media");
  EXPECT_TRUE(files_under(dir / "media").empty());
}

TEST(StoreNormalized, RefusesAStillImage) {
  TempDir dir;
  testing::make_image(dir / "a.png", 64, 64);
  auto r = store_normalized(dir / "a.png", dir / "media", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_video");
}

TEST(StoreSource, KeepsTheImagePixelsAndDropsItsTextChunks) {
  TempDir dir;
  testing::make_image(dir / "a.png", 64, 48);
  std::string png = testing::read_file(dir / "a.png");
  // A tEXt chunk after IHDR (8-byte signature + 25-byte IHDR chunk); its CRC is not checked
  // by decoders of ancillary chunks, but write a plausible one anyway.
  std::string text = std::string("Comment\0", 8) + kPlanted;
  std::string chunk;
  for (int s = 24; s >= 0; s -= 8) chunk += static_cast<char>((text.size() >> s) & 0xFF);
  chunk += "tEXt" + text + std::string(4, '\0');
  png.insert(33, chunk);
  testing::write_file(dir / "tagged.png", png);
  ASSERT_TRUE(testing::file_contains(dir / "tagged.png", kPlanted));

  auto s = store_source(dir / "tagged.png", dir / "media");
  ASSERT_TRUE(s) << s.error().message;
  const fs::path stored = dir / "media" / s->relative_path;
  EXPECT_EQ(s->relative_path.extension(), ".png");
  EXPECT_TRUE(s->facts.is_image);
  EXPECT_FALSE(testing::file_contains(stored, kPlanted));
  EXPECT_EQ(picture_md5(stored), picture_md5(dir / "a.png"));
}

TEST(StoreSource, StoresJpegAndWebpImages) {
  TempDir dir;
  for (const char* name : {"a.jpg", "a.webp"}) {
    SCOPED_TRACE(name);
    testing::make_image(dir / name, 80, 60);
    auto s = store_source(dir / name, dir / "media");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->relative_path.extension(), fs::path(name).extension());
    EXPECT_EQ(picture_md5(dir / "media" / s->relative_path), picture_md5(dir / name));
  }
}

TEST(StoreSource, NormalizesASourceVideo) {
  TempDir dir;
  testing::make_clip(dir / "src.mp4", tagged({.duration_s = 1, .faststart = false}));
  auto s = store_source(dir / "src.mp4", dir / "media");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->facts.mime, "video/mp4");
  EXPECT_FALSE(testing::file_contains(dir / "media" / s->relative_path, kPlanted));
}

// What a writer killed mid-way leaves: a temporary file and no lock.
TEST(StaleTemporaries, AreRemovedWhenNoWriterIsStoring) {
  TempDir dir;
  EXPECT_EQ(remove_stale_temporaries(dir / "none").value_or(-1), 0);
  const StoredMedia kept =
      store_ok(vendor_clip(dir.path(), Vendor::H264BaselineAt24), dir / "media", kRemux);
  testing::write_file(dir / "media" / ".incoming-0123456789abcdef.mp4", "half a clip");
  testing::write_file(dir / "media" / ".incoming-fedcba9876543210.png", "");
  EXPECT_EQ(remove_stale_temporaries(dir / "media").value_or(-1), 2);
  EXPECT_EQ(files_under(dir / "media"), std::vector<std::string>{kept.relative_path.string()});
  EXPECT_EQ(remove_stale_temporaries(dir / "media").value_or(-1), 0);
}

// A writer in another process holds the media folder's lock shared while its temporary file
// exists (a flock taken here through another open file stands in for it).
TEST(StaleTemporaries, AreKeptWhileAWriterIsStoring) {
  TempDir dir;
  fs::create_directories(dir / "media");
  const fs::path live = dir / "media" / ".incoming-0123456789abcdef.mp4";
  testing::write_file(live, "being written");
  {
    const int fd = ::open((dir / "media").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_SH), 0);
    EXPECT_EQ(remove_stale_temporaries(dir / "media").value_or(-1), 0);
    EXPECT_TRUE(fs::exists(live));
    // And a writer can store meanwhile (shared with the one above).
    store_ok(vendor_clip(dir.path(), Vendor::H264BaselineAt24), dir / "media", kRemux);
    ::close(fd);
  }
  EXPECT_EQ(remove_stale_temporaries(dir / "media").value_or(-1), 1);
  EXPECT_FALSE(fs::exists(live));
}

TEST(StoredPath, FindsAStoredFileByItsHash) {
  TempDir dir;
  StoredMedia s = store_ok(testing::shared_clip({.duration_s = 1}), dir / "media");
  auto p = stored_path(dir / "media", s.hash);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, dir / "media" / s.relative_path);
}

TEST(StoredPath, NeverResolvesAnythingButAHashInsideTheFolder) {
  TempDir dir;
  StoredMedia s = store_ok(testing::shared_clip({.duration_s = 1}), dir / "media");
  testing::write_file(dir / "secret.txt", "secret");
  std::string upper = s.hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  const std::string attempts[] = {
      "",
      "..",
      "../secret.txt",
      "../../etc/passwd",
      "/etc/passwd",
      s.hash.substr(0, 2) + "/" + s.hash.substr(3),
      upper,
      s.hash.substr(0, 63),
      s.hash + "0",
      s.hash + ".mp4",
      "../" + s.hash.substr(3),
      std::string(s.hash.substr(0, 32)) + std::string(1, '\0') + s.hash.substr(33),
      std::string(64, 'g'),
      std::string(64, '.'),
      std::string(62, 'a') + "..",
  };
  for (const std::string& a : attempts) {
    EXPECT_FALSE(stored_path(dir / "media", a)) << "'" << a << "'";
  }
  EXPECT_FALSE(stored_path(dir / "media", std::string(64, 'a')));  // well formed, not stored
}

TEST(StoredPath, IgnoresASymlinkPlantedUnderAHashName) {
  TempDir dir;
  const std::string hash(64, 'b');
  fs::create_directories(dir / "media" / "bb");
  testing::write_file(dir / "outside.mp4", "outside");
  fs::create_symlink(dir / "outside.mp4", dir / "media" / "bb" / (hash + ".mp4"));
  EXPECT_FALSE(stored_path(dir / "media", hash));
}

}  // namespace
}  // namespace paddock::media
