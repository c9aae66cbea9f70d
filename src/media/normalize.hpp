#pragma once
// Private to the media layer: writing a normalized copy of an opened input to a file.
// Both writers emit no metadata beyond what the container requires, use FFmpeg's bitexact
// mode (no version strings, no creation times, no random ids) so the same input always
// gives the same bytes, and move an MP4's index to the front.

#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "media/input_file.hpp"
#include "media/media.hpp"

namespace paddock::media {

// The container a remux of `facts` is written in: "webm" for WebM sources, else "mp4".
std::string remux_container(const MediaFacts& facts);

// Copies the video stream (and the audio stream unless !keep_audio) of `in` into `out`
// without decoding, in container `container` ("mp4" or "webm"). `in` must be freshly opened.
// Error "unsupported" when a codec cannot be carried in that container.
Status remux(InputFile& in, const std::filesystem::path& source, const std::filesystem::path& out,
             const std::string& container, bool keep_audio);

// Decodes `in` and encodes it into `out` with the house settings (MP4, H.264 by libx264,
// AAC) at the targets of `options` (0 = the source's). `in` must be freshly opened.
// Does not pad the file: pad_mp4() does, once it is closed.
Status encode_house(InputFile& in, const std::filesystem::path& source,
                    const std::filesystem::path& out, const NormalizeOptions& options);

// Appends a `free` box to the closed MP4 file `file` so that it is exactly `bytes` long
// (players skip such boxes). Returns the new size: `bytes`, or, if the file is already
// longer than bytes - 8 (a box needs 8), the next size above it of the form
// bytes + k * step_bytes. Errors: "io_error".
Result<int64_t> pad_mp4(const std::filesystem::path& file, int64_t bytes, int64_t step_bytes);

// The step above a house budget for a clip that overshoots it (a sixteenth of it).
int64_t house_over_budget_step(int64_t budget);

// ---- shared by both writers ----

// Opens an output context for `container`, bitexact, writing to `out`.
Result<av::Output> open_output(const std::filesystem::path& out, const std::string& container);

// Writes the header with the options every normalized file gets (MP4: faststart).
int write_header(AVFormatContext* out, const std::string& container);

// A bitstream filter that drops metadata units (H.264/HEVC SEI, AV1 metadata OBUs) from a
// stream, initialized for `par` and `time_base`; a pass-through for other codecs.
Result<av::Bsf> metadata_stripper(const AVCodecParameters* par, AVRational time_base);

// Sends `pkt` (nullptr at the end) through `bsf` and writes what comes out to stream
// `stream_index` of `out`, rescaling timestamps from `from` to that stream's time base.
int write_filtered(AVFormatContext* out, AVBSFContext* bsf, AVPacket* pkt, int stream_index,
                   AVRational from);

}  // namespace paddock::media
