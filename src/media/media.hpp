#pragma once
// media: what paddock knows about video files. Probing with libavformat, normalizing a clip
// into the content-addressed media folder (identifying metadata stripped, index at the
// front), and the byte-range arithmetic the server needs to stream clips.
// No HTTP, no database.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::media {

// Probed facts of a media file.
struct MediaFacts {
  std::string container;  // "mp4", "mov", "webm", "mkv", "png", "jpeg", "webp"
  std::string mime;       // "video/mp4", "video/quicktime", "video/webm", "video/x-matroska",
                          // "image/png", "image/jpeg", "image/webp"
  bool is_image = false;  // a still image (source images of image-to-video prompts)
  double duration_s = 0;  // 0 for images
  int width = 0;
  int height = 0;
  double fps = 0;           // average frame rate; 0 for images
  std::string video_codec;  // "h264", "vp9", "av1", ... ("png", "mjpeg", "webp" for images)
  std::string audio_codec;  // empty when there is no audio stream
  bool has_audio = false;
  int64_t bytes = 0;
};

// Returns the facts of `file`, a video clip (MP4, MOV, WebM, MKV) or a still image (PNG,
// JPEG, WebP). Reads every packet but decodes only the first few frames, so it is cheap.
// Errors (every message starts with the file's path):
//   "not_found"  the file does not exist;
//   "not_media"  empty, not a format libavformat recognizes, a format paddock does not
//                accept (audio-only, playlists, raw streams, ...), or no video stream;
//   "corrupt"    a recognized format that is truncated (its index or header points past the
//                end of the file), whose headers cannot be read, or whose first frames fail
//                to decode.
// FFmpeg's own log lines are kept off the terminal; the first error it logs is quoted in
// the message.
Result<MediaFacts> probe(const std::filesystem::path& file);

// How a clip looks, for presentation control (docs/media.md, "Presentation measurements"):
// measured on every frame, decoded and scaled down to 64 pixels wide, as full-range R'G'B'.
struct PresentationMeasures {
  // Mean absolute difference of Rec. 709 luma between consecutive frames, 0-1 (0 for a
  // still picture or a single frame; a full black/white flip every frame would be 1).
  double motion = 0;
  double luma = 0;        // mean Rec. 709 luma Y' = 0.2126 R' + 0.7152 G' + 0.0722 B', 0-1
  double saturation = 0;  // mean HSV saturation (max - min) / max of R'G'B', 0-1 (0: grey)
  int64_t frames = 0;     // frames measured
};

// Measures `file`, a video clip (meant for the stored, normalized copy: its frames all have
// the track's rate, so motion per frame compares clips of a track fairly). Decodes every
// frame on one thread. Errors (messages start with the file's path): those of probe()'s
// opening ("not_found", "not_media"); "not_video" for a still image; "corrupt" when the video
// cannot be decoded or yields no frame.
Result<PresentationMeasures> measure_presentation(const std::filesystem::path& file);

// Tolerances of check_against() (docs/media.md explains them).
inline constexpr double kDurationToleranceSeconds = 0.5;    // at least this much either way
inline constexpr double kDurationToleranceFraction = 0.10;  // or this share of the nominal
inline constexpr double kAspectTolerance = 0.01;            // relative, when sizes differ

// Settings of a track that clips are checked against, with tolerances.
struct TrackSpec {
  double duration_s = 0;  // 0 = unchecked
  int width = 0;          // 0 = unchecked
  int height = 0;
  bool audio = false;  // true: the clip must have an audio stream
};

// Returns success, or an Error (code "off_spec" / "no_audio") naming the first way the facts
// stray from the spec beyond tolerance: a still image; no audio stream on an audio track;
// a duration off by more than max(0.5 s, 10% of the nominal); a size that is neither the
// nominal one nor of the same aspect ratio within 1%. The message does not name the file
// (facts do not know it): callers prefix it, e.g. "clips/a.mp4: lasts 7.20 s, outside ...".
Status check_against(const MediaFacts&, const TrackSpec&);

// How store_normalized() writes a clip.
enum class Encoding {
  // The house encoding (docs/media.md): decoded and encoded again with one fixed set of
  // settings, so that with the same targets every clip gets the same codec, profile, level,
  // pixel format, colour tags, size, frame rate, time base, GOP structure, frame count,
  // audio format and file size, whatever model or vendor made it.
  House,
  // The clip's own compressed streams, rewrapped without metadata. Their codecs, profiles,
  // frame rates, sizes and time bases are the vendor's, so they can name the model that
  // made a clip (paddock import --remux warns so).
  Remux,
};

struct NormalizeOptions {
  Encoding encoding = Encoding::House;
  // false: drop the audio stream (a silent track must not give one side away by its sound).
  bool keep_audio = true;
  // House encoding targets; 0 = the source's own. Sizes are rounded down to even.
  int width = 0;
  int height = 0;
  double fps = 0;
  // > 0 (with width, height and fps): exactly round(duration_s * fps) frames (the last one
  // repeated if the source is shorter, the rest cut if it is longer), the sound cut or
  // padded with silence to the same length, and the file padded to house_file_bytes().
  double duration_s = 0;
};

// The size in bytes of every house-encoded file with these targets (`options.encoding` is
// ignored): a budget above what the encoder's rate control lets a clip take, so that sizes
// say nothing about a clip. 0 when a target is missing (no duration, size or frame rate):
// such files are not padded. A clip whose encoding overshoots it anyway is padded to the
// next multiple of a sixteenth of it above.
int64_t house_file_bytes(const NormalizeOptions& options);

// A file placed in the media folder.
struct StoredMedia {
  std::string hash;                     // SHA-256 hex of the stored bytes; also its name
  std::filesystem::path relative_path;  // inside the media folder, e.g. "ab/abcdef....mp4"
  MediaFacts facts;                     // probed from the stored file
};

// Copies `source` into `media_dir` as a normalized file named by its content hash:
// only the first video stream and (unless !keep_audio) the first audio stream are kept;
// container and stream metadata that could identify a model (encoder, handler names, title,
// comment, creation times, vendor ids, ...) is not written, nor are in-band metadata units
// (H.264/HEVC SEI, AV1 metadata OBUs); MP4 gets its index at the front (faststart).
// Encoding::House decodes the clip and encodes it to H.264 (libx264) + AAC in MP4 with the
// house settings at the targets (see NormalizeOptions); Encoding::Remux keeps its streams
// (WebM stays WebM, everything else becomes MP4). Writes to a temporary file, fsyncs and
// renames it, so a crash never leaves a half-written clip under a real name. Output is
// deterministic: storing the same content twice yields the same hash and leaves one file.
// The facts returned are probed from the stored file.
// Errors: those of probe(); "not_video" for a still image; "unsupported" when a codec cannot
// be remuxed into the output container (the house encoding can); "io_error".
Result<StoredMedia> store_normalized(const std::filesystem::path& source,
                                     const std::filesystem::path& media_dir,
                                     const NormalizeOptions& options);

// Copies a still image (or source video) into the media folder by content hash. Images keep
// their pixels byte for byte; only metadata records are removed (PNG text/time/EXIF chunks,
// JPEG EXIF/XMP/IPTC/comment segments, WebP EXIF/XMP chunks). Videos (the sources of
// video-edit prompts, the same for both sides of a battle) go through store_normalized()
// remuxed. Same errors as store_normalized().
Result<StoredMedia> store_source(const std::filesystem::path& source,
                                 const std::filesystem::path& media_dir);

// Deletes the temporary files (.incoming-*) that writers killed mid-way (a crash, kill -9)
// left in media_dir, and returns how many. Safe while other processes store: every writer
// holds a shared flock(2) on the media folder from before it creates its temporary file
// until it is renamed or removed, and this deletes only under the exclusive lock, which it
// does not wait for (while anyone writes it deletes nothing and returns 0). paddock import
// and paddock generate call it when they start. A media_dir that does not exist holds none.
// Errors: "io_error" (the lock file cannot be opened, a file cannot be deleted).
Result<int> remove_stale_temporaries(const std::filesystem::path& media_dir);

// Path of a stored hash inside media_dir (media_dir/ab/<hash>.<mp4|webm|png|jpg|webp>), or
// nullopt if `hash` is not 64 lowercase hex digits or no such regular file exists (a
// symlink does not count). Never resolves outside media_dir.
std::optional<std::filesystem::path> stored_path(const std::filesystem::path& media_dir,
                                                 std::string_view hash);

// ---- byte ranges (RFC 9110 §14) ----

struct ByteRange {
  int64_t first = 0;  // inclusive
  int64_t last = 0;   // inclusive
  int64_t length() const { return last - first + 1; }
};

enum class RangeKind { Whole, Partial, Unsatisfiable };

struct RangeDecision {
  RangeKind kind = RangeKind::Whole;
  ByteRange range;  // for Partial
};

// Interprets a Range header value for a resource of `size` bytes. A missing, malformed,
// non-"bytes" or multi-range header gives Whole (servers may ignore Range); "bytes=-N" is a
// suffix range (the last N bytes, all of them if N >= size); "bytes=A-" runs to the end; a
// last byte past the end is clamped. Unsatisfiable (416): a first byte at or past the end,
// a suffix of zero bytes, or any range of an empty resource.
RangeDecision decide_range(std::optional<std::string_view> header, int64_t size);

}  // namespace paddock::media
