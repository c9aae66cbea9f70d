#pragma once
// Real media files for tests, made with the ffmpeg command-line tool while the test runs
// (Debian's ffmpeg: libx264, libvpx-vp9, libaom-av1, AAC, Opus).
//
//   using namespace paddock::testing;
//   TempDir dir;
//   make_clip(dir / "a.mp4", {.duration_s = 2, .audio = true, .caption = "model A"});
//   make_clip(dir / "b.webm", {.codec = VideoCodec::Vp9, .container = Container::WebM});
//   make_clip(dir / "tagged.mp4", {.tags = {{"title", "SecretModel-9"}},
//                                  .handler_name = "SecretModel-9"});
//   make_image(dir / "source.png", 320, 180);
//   const auto& clip = shared_clip({.duration_s = 1});  // made once per test process
//
// Every function throws std::runtime_error with ffmpeg's own message when it fails, so a
// broken fixture shows up as a test failure that says why.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::testing {

enum class VideoCodec { H264, Vp9, Av1 };
enum class Container { Mp4, WebM };

struct ClipSpec {
  double duration_s = 2;
  int width = 320;
  int height = 180;
  double fps = 24;
  VideoCodec codec = VideoCodec::H264;
  Container container = Container::Mp4;  // WebM takes Vp9 or Av1 only
  bool audio = false;                    // a 440 Hz tone: AAC in MP4, Opus in WebM
  // Container tags to plant, e.g. {"title", "X"}, {"comment", "X"}, {"encoder", "X"},
  // {"artist", "X"}, {"creation_time", "2026-01-02T03:04:05Z"}.
  std::map<std::string, std::string> tags = {};
  std::string handler_name = {};  // put on every stream (MP4 handler name / Matroska tag)
  std::string sei_text = {};      // H.264 only: carried in-band in a user-data SEI message
  std::string caption = {};       // drawn on every frame (apostrophes and backslashes dropped)
  bool faststart = true;          // MP4: false leaves the index (moov) after the media data
  // The picture: an FFmpeg lavfi video source without size, rate and duration (they come
  // from the fields above), e.g. "color=c=white", "smptebars" (still), "testsrc2" (moving).
  std::string picture = "testsrc2";
};

// Writes a clip made of a moving test pattern to `path` (its folder must exist).
void make_clip(const std::filesystem::path& path, const ClipSpec& spec = {});

// How three vendors deliver their clips (docs/security.md, issue 13): H.264 baseline at
// 24 fps with mono 44.1 kHz AAC; H.264 High at 30 fps and twice the size with stereo 48 kHz
// AAC and a 15360 time base; VP9 at 25 fps in WebM with Opus.
enum class VendorStyle { H264BaselineAt24, H264HighAt30TwiceTheSize, Vp9At25 };

struct VendorClip {
  VendorStyle style = VendorStyle::H264BaselineAt24;
  double duration_s = 1;
  int width = 320;  // the size of the track: H264HighAt30TwiceTheSize doubles it
  int height = 180;
  bool audio = true;
  bool busy = false;         // noise over the picture (a clip that is hard to compress)
  std::string caption = {};  // drawn on every frame
};

// Writes such a clip to `path`, whose extension must be vendor_extension(style).
void make_vendor_clip(const std::filesystem::path& path, const VendorClip& clip);
std::string vendor_extension(VendorStyle style);  // ".mp4" or ".webm"

// Writes a still test-pattern image; the format follows the extension (.png, .jpg, .webp).
void make_image(const std::filesystem::path& path, int width, int height);

// A clip made once for this spec and kept in a cache folder shared by every test process
// ($PADDOCK_TEST_CLIP_CACHE, default <temp>/paddock-test-clip-cache), so suites that use
// the same clips make them once. Never modify it: copy it first.
const std::filesystem::path& shared_clip(const ClipSpec& spec = {});

// ---- bytes on disk ----

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view bytes);
// True if `needle` occurs anywhere in the file's bytes.
bool file_contains(const std::filesystem::path& path, std::string_view needle);
// Byte offset of the first top-level MP4 box of this type ("moov", "mdat"), or -1.
int64_t mp4_box_offset(const std::filesystem::path& path, std::string_view type);

// ---- probing with the ffprobe tool (an independent check of what paddock writes) ----

// Everything ffprobe tells about a file's encoding except what follows the sizes of its
// packets (their sizes, and the streams' bit rates, which are their sums): the container,
// the file's size and duration, the streams' codecs, profiles, levels, formats, sizes,
// rates, time bases and colour tags, and every packet's timestamps, duration and flags
// (so the keyframe pattern too). One line per stream and packet.
std::string encoding_signature(const std::filesystem::path& path);

// ffprobe's "-show_entries" value for one entry, e.g.
// ffprobe_value(p, "stream=codec_name", "v:0") == "h264". Empty if absent.
std::string ffprobe_value(const std::filesystem::path& path, const std::string& entry,
                          const std::string& stream_selector = "");

}  // namespace paddock::testing
