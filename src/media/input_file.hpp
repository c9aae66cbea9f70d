#pragma once
// Private to the media layer: opening an untrusted file with libavformat, restricted to the
// containers paddock accepts, and choosing its video and audio streams.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "media/av_handles.hpp"
#include "media/media.hpp"

namespace paddock::media {

struct InputFile {
  av::Input format;
  int video_stream = -1;  // never an attached picture (cover art)
  int audio_stream = -1;  // -1 when there is none
  // Facts readable from the headers alone (no packets read yet). bytes is the file size.
  MediaFacts facts;
  // Where the container's own header says the file ends (Matroska segment size), if it says.
  std::optional<int64_t> declared_end;
};

// Opens `file` (local files only, accepted containers only) and reads its stream info.
// Errors: "not_found", "not_media" (unrecognized or unsupported format, no video stream),
// "corrupt" (a recognized format whose headers cannot be read). Messages name the file.
Result<InputFile> open_input(const std::filesystem::path& file);

// Reads every packet and decodes the first few frames of the video (and audio) stream,
// to catch truncated or corrupt files cheaply. Leaves the input at its end.
// Error: "corrupt", naming the file and what was wrong.
Status check_integrity(InputFile& input, const std::filesystem::path& file);

}  // namespace paddock::media
