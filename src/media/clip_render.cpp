#include "media/clip_render.hpp"

#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <system_error>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include "media/av_handles.hpp"

namespace paddock::media {
namespace {

namespace fs = std::filesystem;

// Small, fast and good enough for a placeholder; one thread so the bytes never vary (the
// demo renders several clips at once instead).
constexpr const char* kRenderX264Preset = "ultrafast";
constexpr const char* kRenderX264Crf = "30";
constexpr int64_t kToneBitrate = 48000;

using media::av::Codec;
using media::av::Frame;
using media::av::Graph;
using media::av::Output;
using media::av::Packet;

// libx264 reports its settings at info level on every clip; only errors are worth seeing.
void quiet_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (av_log_get_level() > AV_LOG_ERROR) av_log_set_level(AV_LOG_ERROR);
  });
}

// A source graph ending in a buffer sink.
struct Source {
  Graph graph;
  AVFilterContext* sink = nullptr;
};

// The start of a graph description, enough to recognize it in a message.
std::string shorten(const std::string& description) {
  constexpr size_t kShown = 100;
  return description.size() <= kShown ? description : description.substr(0, kShown) + "...";
}

Result<Source> open_source(const std::string& description, bool audio) {
  Source s;
  s.graph.reset(avfilter_graph_alloc());
  if (!s.graph) return fail("render_failed", "out of memory");
  s.graph->nb_threads = 1;
  AVFilterInOut* inputs = nullptr;
  AVFilterInOut* outputs = nullptr;
  int rc = avfilter_graph_parse2(s.graph.get(), description.c_str(), &inputs, &outputs);
  std::unique_ptr<AVFilterInOut*, void (*)(AVFilterInOut**)> free_in(&inputs, avfilter_inout_free);
  std::unique_ptr<AVFilterInOut*, void (*)(AVFilterInOut**)> free_out(&outputs,
                                                                      avfilter_inout_free);
  if (rc < 0) {
    return fail("render_failed",
                "filter graph \"" + shorten(description) + "\": " + media::av::error_text(rc));
  }
  if (inputs || !outputs || outputs->next) {
    return fail("render_failed",
                "filter graph \"" + shorten(description) + "\" needs one open output, no input");
  }
  rc = avfilter_graph_create_filter(&s.sink,
                                    avfilter_get_by_name(audio ? "abuffersink" : "buffersink"),
                                    "sink", nullptr, nullptr, s.graph.get());
  if (rc >= 0) rc = avfilter_link(outputs->filter_ctx, outputs->pad_idx, s.sink, 0);
  if (rc >= 0) rc = avfilter_graph_config(s.graph.get(), nullptr);
  if (rc < 0) {
    return fail("render_failed",
                "filter graph \"" + shorten(description) + "\": " + media::av::error_text(rc));
  }
  return s;
}

// One encoded stream of the output file.
struct RenderLane {
  Source source;
  Codec enc;
  AVStream* stream = nullptr;
};

// Sends `frame` (nullptr: flush) to the encoder and writes what comes out.
int encode_frame(RenderLane& lane, AVFormatContext* out, const AVFrame* frame) {
  int rc = avcodec_send_frame(lane.enc.get(), frame);
  if (rc < 0) return rc;
  Packet pkt(av_packet_alloc());
  if (!pkt) return AVERROR(ENOMEM);
  for (;;) {
    rc = avcodec_receive_packet(lane.enc.get(), pkt.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
    if (rc < 0) return rc;
    // A frame lasts 1/fps; saying so makes the stream last exactly its nominal duration
    // (the last frame included) and gives it its nominal frame rate.
    if (pkt->duration == 0 && lane.enc->codec_type == AVMEDIA_TYPE_VIDEO) {
      pkt->duration = av_rescale_q(1, av_inv_q(lane.enc->framerate), lane.enc->time_base);
    }
    av_packet_rescale_ts(pkt.get(), lane.enc->time_base, lane.stream->time_base);
    pkt->stream_index = lane.stream->index;
    if ((rc = av_interleaved_write_frame(out, pkt.get())) < 0) return rc;
  }
}

Status open_video(RenderLane& lane, AVFormatContext* out, const std::string& name) {
  const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
  if (!x264) return fail("render_failed", "libx264 is not available in this libavcodec");
  lane.enc.reset(avcodec_alloc_context3(x264));
  AVCodecContext* e = lane.enc.get();
  AVFilterContext* sink = lane.source.sink;
  e->width = av_buffersink_get_w(sink);
  e->height = av_buffersink_get_h(sink);
  e->pix_fmt = static_cast<AVPixelFormat>(av_buffersink_get_format(sink));
  e->time_base = av_buffersink_get_time_base(sink);
  e->framerate = av_buffersink_get_frame_rate(sink);
  e->sample_aspect_ratio = AVRational{1, 1};
  e->gop_size = e->framerate.den > 0 ? e->framerate.num / e->framerate.den : 15;  // 1 s
  e->thread_count = 1;
  e->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(e->priv_data, "preset", kRenderX264Preset, 0);
  av_opt_set(e->priv_data, "crf", kRenderX264Crf, 0);
  if (int rc = avcodec_open2(e, x264, nullptr); rc < 0) {
    return fail("render_failed", name + ": cannot start libx264: " + media::av::error_text(rc));
  }
  lane.stream = avformat_new_stream(out, nullptr);
  if (!lane.stream) return fail("render_failed", name + ": out of memory");
  lane.stream->time_base = e->time_base;
  lane.stream->avg_frame_rate = e->framerate;
  avcodec_parameters_from_context(lane.stream->codecpar, e);
  return ok();
}

Status open_audio(RenderLane& lane, AVFormatContext* out, const std::string& name) {
  const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!aac) return fail("render_failed", "no AAC encoder in this libavcodec");
  lane.enc.reset(avcodec_alloc_context3(aac));
  AVCodecContext* e = lane.enc.get();
  AVFilterContext* sink = lane.source.sink;
  e->sample_rate = av_buffersink_get_sample_rate(sink);
  e->sample_fmt = static_cast<AVSampleFormat>(av_buffersink_get_format(sink));
  if (int rc = av_buffersink_get_ch_layout(sink, &e->ch_layout); rc < 0) {
    return fail("render_failed",
                name + ": sound has no channel layout: " + media::av::error_text(rc));
  }
  e->bit_rate = kToneBitrate;
  e->time_base = AVRational{1, e->sample_rate};
  e->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int rc = avcodec_open2(e, aac, nullptr); rc < 0) {
    return fail("render_failed",
                name + ": cannot start the AAC encoder: " + media::av::error_text(rc));
  }
  av_buffersink_set_frame_size(sink, static_cast<unsigned>(e->frame_size));
  lane.stream = avformat_new_stream(out, nullptr);
  if (!lane.stream) return fail("render_failed", name + ": out of memory");
  lane.stream->time_base = e->time_base;
  avcodec_parameters_from_context(lane.stream->codecpar, e);
  return ok();
}

// Pulls frames until `seconds` worth (or the end of the source), encodes them, flushes.
int pump(RenderLane& lane, AVFormatContext* out, double seconds, bool audio) {
  Frame frame(av_frame_alloc());
  if (!frame) return AVERROR(ENOMEM);
  const int64_t wanted =
      audio ? std::llround(seconds * lane.enc->sample_rate)
            : std::llround(seconds * av_q2d(av_buffersink_get_frame_rate(lane.source.sink)));
  int64_t taken = 0;
  while (taken < wanted) {
    int rc = av_buffersink_get_frame(lane.source.sink, frame.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) return rc;
    taken += audio ? frame->nb_samples : 1;
    if (!audio) frame->pict_type = AV_PICTURE_TYPE_NONE;
    rc = encode_frame(lane, out, frame.get());
    av_frame_unref(frame.get());
    if (rc < 0) return rc;
  }
  return encode_frame(lane, out, nullptr);
}

// Moves `part` to `out` once it is complete, so a file under its real name is never half
// written (an interrupted demo build resumes by skipping finished files).
Status publish(const fs::path& part, const fs::path& out) {
  std::error_code ec;
  fs::rename(part, out, ec);
  if (ec) return fail("render_failed", out.string() + ": " + ec.message());
  return ok();
}

fs::path part_path(const fs::path& out) {
  return fs::path(out.string() + ".part");
}

}  // namespace

Status render_clip(const ClipRecipe& recipe, const fs::path& out_path) {
  quiet_ffmpeg();
  const std::string name = out_path.string();
  const fs::path part = part_path(out_path);
  RenderLane video, audio;
  auto v = open_source(recipe.video, false);
  if (!v) return fail("render_failed", name + ": " + v.error().message);
  video.source = std::move(*v);
  if (!recipe.audio.empty()) {
    auto a = open_source(recipe.audio, true);
    if (!a) return fail("render_failed", name + ": " + a.error().message);
    audio.source = std::move(*a);
  }

  AVFormatContext* raw = nullptr;
  if (int rc = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr); rc < 0) {
    return fail("render_failed", name + ": " + media::av::error_text(rc));
  }
  Output out(raw);
  out->flags |= AVFMT_FLAG_BITEXACT;
  if (auto s = open_video(video, out.get(), name); !s) return s;
  if (audio.source.sink) {
    if (auto s = open_audio(audio, out.get(), name); !s) return s;
  }
  if (int rc = avio_open(&out->pb, part.c_str(), AVIO_FLAG_WRITE); rc < 0) {
    return fail("render_failed", part.string() + ": " + media::av::error_text(rc));
  }
  int rc = avformat_write_header(out.get(), nullptr);
  if (rc >= 0) rc = pump(video, out.get(), recipe.seconds, false);
  if (rc >= 0 && audio.source.sink) rc = pump(audio, out.get(), recipe.seconds, true);
  if (rc >= 0) rc = av_write_trailer(out.get());
  if (rc >= 0) rc = avio_closep(&out->pb);
  if (rc < 0) {
    out.reset();
    std::error_code ec;
    fs::remove(part, ec);
    return fail("render_failed", name + ": " + media::av::error_text(rc));
  }
  return publish(part, out_path);
}

Status render_image(const std::string& video, const fs::path& out_path) {
  quiet_ffmpeg();
  const std::string name = out_path.string();
  auto source = open_source(video, false);
  if (!source) return fail("render_failed", name + ": " + source.error().message);
  const AVCodec* png = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!png) return fail("render_failed", "no PNG encoder in this libavcodec");
  Codec enc(avcodec_alloc_context3(png));
  enc->width = av_buffersink_get_w(source->sink);
  enc->height = av_buffersink_get_h(source->sink);
  enc->pix_fmt = static_cast<AVPixelFormat>(av_buffersink_get_format(source->sink));
  enc->time_base = AVRational{1, 1};
  enc->flags |= AV_CODEC_FLAG_BITEXACT;
  enc->thread_count = 1;
  if (int rc = avcodec_open2(enc.get(), png, nullptr); rc < 0) {
    return fail("render_failed",
                name + ": cannot start the PNG encoder: " + media::av::error_text(rc));
  }
  Frame frame(av_frame_alloc());
  Packet pkt(av_packet_alloc());
  int rc = av_buffersink_get_frame(source->sink, frame.get());
  if (rc >= 0) rc = avcodec_send_frame(enc.get(), frame.get());
  if (rc >= 0) rc = avcodec_send_frame(enc.get(), nullptr);
  if (rc >= 0) rc = avcodec_receive_packet(enc.get(), pkt.get());
  if (rc < 0) return fail("render_failed", name + ": " + media::av::error_text(rc));

  const fs::path part = part_path(out_path);
  std::FILE* f = std::fopen(part.c_str(), "wb");
  if (!f) return fail("render_failed", part.string() + ": cannot be written");
  const bool written = std::fwrite(pkt->data, 1, static_cast<size_t>(pkt->size), f) ==
                       static_cast<size_t>(pkt->size);
  if (std::fclose(f) != 0 || !written) {
    std::error_code ec;
    fs::remove(part, ec);
    return fail("render_failed", part.string() + ": write failed");
  }
  return publish(part, out_path);
}

std::string filter_value(std::string_view text) {
  std::string option;  // escaped for the filter's option parser
  for (char c : text) {
    if (c == '\\' || c == '\'' || c == ':') option += '\\';
    option += c;
  }
  std::string graph;  // and again for the graph parser, which reads it first
  for (char c : option) {
    if (c == '\\' || c == '\'' || c == '[' || c == ']' || c == ',' || c == ';') graph += '\\';
    graph += c;
  }
  return graph;
}

Result<fs::path> find_caption_font() {
  static constexpr std::string_view kFontFiles[] = {
      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
      "/usr/local/share/fonts/DejaVuSans.ttf",
  };
  for (auto candidate : kFontFiles) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return fs::path(candidate);
  }
  return fail("missing_font", "no DejaVu Sans font for captions (looked for " +
                                  std::string(kFontFiles[0]) +
                                  "); install Debian's fonts-dejavu-core");
}

}  // namespace paddock::media
