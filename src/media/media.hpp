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

// Probed facts of a media file. Error codes of probe(): "not_found", "not_media"
// (not a container libavformat recognizes, or no video stream), "corrupt" (headers read
// but packets fail to decode).
struct MediaFacts {
  std::string container;  // "mp4", "webm", "png", ...
  std::string mime;       // "video/mp4", "video/webm", "image/png", "image/jpeg"
  bool is_image = false;  // a still image (source images of image-to-video prompts)
  double duration_s = 0;
  int width = 0;
  int height = 0;
  double fps = 0;
  std::string video_codec;  // "h264", "vp9", "av1", ...
  std::string audio_codec;  // empty when there is no audio stream
  bool has_audio = false;
  int64_t bytes = 0;
};

Result<MediaFacts> probe(const std::filesystem::path& file);

// Settings of a track that clips are checked against, with tolerances.
struct TrackSpec {
  double duration_s = 0;  // 0 = unchecked
  int width = 0;          // 0 = unchecked
  int height = 0;
  bool audio = false;  // true: the clip must have an audio stream
};

// Returns an Error (code "off_spec" / "no_audio") naming the first way the facts stray
// from the spec beyond tolerance (duration ±10% or ±0.5 s, size exactly or same aspect
// within 1%), or success.
Status check_against(const MediaFacts&, const TrackSpec&);

struct NormalizeOptions {
  bool reencode = false;  // re-encode to one codec/fps/size instead of remuxing
  // Targets when reencode is set (0 = keep the source's).
  int width = 0;
  int height = 0;
  double fps = 0;
};

// A file placed in the media folder.
struct StoredMedia {
  std::string hash;  // SHA-256 hex of the stored bytes; also its name
  std::filesystem::path relative_path;  // inside the media folder, e.g. "ab/abcdef....mp4"
  MediaFacts facts;                     // probed from the stored file
};

// Copies `source` into `media_dir` as a normalized file named by its content hash:
// container metadata that could identify a model (encoder, handler names, title, comment,
// creation times, ...) is removed, MP4 gets its index at the front (faststart), and with
// options.reencode the streams are re-encoded. Writes to a temporary file and renames it,
// so a crash never leaves a half-written clip under a real name. Storing the same content
// twice yields the same hash and leaves one file.
Result<StoredMedia> store_normalized(const std::filesystem::path& source,
                                     const std::filesystem::path& media_dir,
                                     const NormalizeOptions& options);

// Copies a still image (or source video) into the media folder by content hash, unchanged
// except for metadata stripping where the format allows.
Result<StoredMedia> store_source(const std::filesystem::path& source,
                                 const std::filesystem::path& media_dir);

// Path of a stored hash inside media_dir, or nullopt if `hash` is not 64 lowercase hex
// digits or the file is missing. Never resolves outside media_dir.
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

// Interprets a Range header value for a resource of `size` bytes. A missing, malformed or
// multi-range header gives Whole (servers may ignore Range); "bytes=-N" is a suffix range;
// a first byte at or past the end gives Unsatisfiable (416).
RangeDecision decide_range(std::optional<std::string_view> header, int64_t size);

}  // namespace paddock::media
