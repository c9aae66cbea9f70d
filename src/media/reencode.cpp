// Re-encoding: decode, bring to the track's size and frame rate with libavfilter (scaling by
// libswscale), encode H.264 (libx264) and AAC into MP4.
#include <fmt/core.h>

#include "media/ffmpeg_log.hpp"
#include "media/normalize.hpp"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace paddock::media {
namespace {

// Encoder settings: visually transparent for comparison, and fixed so that the same source
// always gives the same bytes (x264's output depends on its thread count, so it is pinned).
constexpr const char* kX264Preset = "medium";
constexpr const char* kX264Crf = "18";
constexpr int kX264Threads = 4;
constexpr int kAudioRate = 48000;
constexpr int64_t kAudioBitrate = 160000;
constexpr double kDefaultFps = 25;

int even(int v) {
  return std::max(2, v - v % 2);
}

// One decoded stream going through a filter graph into an encoder and out to the muxer.
struct Lane {
  int input = -1;
  int output = -1;
  av::Codec dec;
  av::Codec enc;
  av::Graph graph;
  AVFilterContext* src = nullptr;
  AVFilterContext* sink = nullptr;
  av::Bsf bsf;
};

av::Codec open_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) return nullptr;
  av::Codec dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), st->codecpar) < 0) return nullptr;
  dec->pkt_timebase = st->time_base;
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return nullptr;
  return dec;
}

int build_graph(Lane& lane, const std::string& src_name, const std::string& src_args,
                const std::string& sink_name, const std::string& chain) {
  lane.graph.reset(avfilter_graph_alloc());
  if (!lane.graph) return AVERROR(ENOMEM);
  lane.graph->nb_threads = 1;
  int rc = avfilter_graph_create_filter(&lane.src, avfilter_get_by_name(src_name.c_str()), "in",
                                        src_args.c_str(), nullptr, lane.graph.get());
  if (rc < 0) return rc;
  rc = avfilter_graph_create_filter(&lane.sink, avfilter_get_by_name(sink_name.c_str()), "out",
                                    nullptr, nullptr, lane.graph.get());
  if (rc < 0) return rc;
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  if (!outputs || !inputs) {
    avfilter_inout_free(&outputs);
    avfilter_inout_free(&inputs);
    return AVERROR(ENOMEM);
  }
  outputs->name = av_strdup("in");
  outputs->filter_ctx = lane.src;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = lane.sink;
  rc = avfilter_graph_parse_ptr(lane.graph.get(), chain.c_str(), &inputs, &outputs, nullptr);
  avfilter_inout_free(&outputs);
  avfilter_inout_free(&inputs);
  if (rc < 0) return rc;
  return avfilter_graph_config(lane.graph.get(), nullptr);
}

class Transcoder {
 public:
  Transcoder(InputFile& in, AVFormatContext* out) : in_(in), out_(out) {}

  Status setup_video(const NormalizeOptions& o, const std::string& name) {
    const AVStream* ist = in_.format->streams[in_.video_stream];
    video_.input = in_.video_stream;
    video_.dec = open_decoder(ist);
    if (!video_.dec) return fail("corrupt", name + ": cannot decode its video");
    const AVCodecContext* d = video_.dec.get();
    const int w = even(o.width > 0 ? o.width : d->width);
    const int h = even(o.height > 0 ? o.height : d->height);
    AVRational fps = o.fps > 0 ? av_d2q(o.fps, 100000) : ist->avg_frame_rate;
    if (fps.num <= 0 || fps.den <= 0) fps = av_d2q(kDefaultFps, 100000);
    AVRational sar = d->sample_aspect_ratio.num > 0 ? d->sample_aspect_ratio : AVRational{1, 1};
    const char* pix = av_get_pix_fmt_name(d->pix_fmt);
    if (!pix) return fail("corrupt", name + ": its video has no known pixel format");
    std::string args =
        fmt::format("video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", d->width,
                    d->height, pix, ist->time_base.num, ist->time_base.den, sar.num, sar.den);
    // Fit inside the target keeping the picture's shape; pad the rest (check_against has
    // already refused clips whose aspect differs noticeably).
    std::string chain = fmt::format(
        "fps=fps={}/{},scale={}:{}:force_original_aspect_ratio=decrease:force_divisible_by=2:"
        "flags=bicubic+accurate_rnd+bitexact,pad={}:{}:(ow-iw)/2:(oh-ih)/2,setsar=1,"
        "format=yuv420p",
        fps.num, fps.den, w, h, w, h);
    int rc = build_graph(video_, "buffer", args, "buffersink", chain);
    if (rc < 0) return fail("internal", name + ": video filter: " + av::error_text(rc));

    const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
    if (!x264) return fail("internal", "libx264 is not available in this libavcodec");
    video_.enc.reset(avcodec_alloc_context3(x264));
    AVCodecContext* e = video_.enc.get();
    e->width = av_buffersink_get_w(video_.sink);
    e->height = av_buffersink_get_h(video_.sink);
    e->pix_fmt = static_cast<AVPixelFormat>(av_buffersink_get_format(video_.sink));
    e->time_base = av_buffersink_get_time_base(video_.sink);
    e->framerate = fps;
    e->sample_aspect_ratio = AVRational{1, 1};
    e->thread_count = kX264Threads;
    e->flags |= AV_CODEC_FLAG_BITEXACT;
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(e->priv_data, "preset", kX264Preset, 0);
    av_opt_set(e->priv_data, "crf", kX264Crf, 0);
    if ((rc = avcodec_open2(e, x264, nullptr)) < 0) {
      return fail("internal", name + ": cannot start libx264: " + av::error_text(rc));
    }
    return add_stream(video_, name);
  }

  Status setup_audio(const std::string& name) {
    const AVStream* ist = in_.format->streams[in_.audio_stream];
    audio_.input = in_.audio_stream;
    audio_.dec = open_decoder(ist);
    if (!audio_.dec) return fail("corrupt", name + ": cannot decode its audio");
    AVCodecContext* d = audio_.dec.get();
    if (d->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
      int channels = d->ch_layout.nb_channels;
      av_channel_layout_uninit(&d->ch_layout);
      av_channel_layout_default(&d->ch_layout, channels);
    }
    char layout[128] = {};
    av_channel_layout_describe(&d->ch_layout, layout, sizeof layout);
    const char* sfmt = av_get_sample_fmt_name(d->sample_fmt);
    if (!sfmt) return fail("corrupt", name + ": its audio has no known sample format");
    std::string args =
        fmt::format("time_base={}/{}:sample_rate={}:sample_fmt={}:channel_layout={}",
                    ist->time_base.num, ist->time_base.den, d->sample_rate, sfmt, layout);
    std::string chain =
        fmt::format("aresample={},aformat=sample_fmts=fltp:sample_rates={}:channel_layouts=stereo",
                    kAudioRate, kAudioRate);
    int rc = build_graph(audio_, "abuffer", args, "abuffersink", chain);
    if (rc < 0) return fail("internal", name + ": audio filter: " + av::error_text(rc));

    const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!aac) return fail("internal", "no AAC encoder in this libavcodec");
    audio_.enc.reset(avcodec_alloc_context3(aac));
    AVCodecContext* e = audio_.enc.get();
    e->sample_rate = kAudioRate;
    e->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&e->ch_layout, 2);
    e->bit_rate = kAudioBitrate;
    e->time_base = AVRational{1, kAudioRate};
    e->flags |= AV_CODEC_FLAG_BITEXACT;
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(e, aac, nullptr)) < 0) {
      return fail("internal", name + ": cannot start the AAC encoder: " + av::error_text(rc));
    }
    av_buffersink_set_frame_size(audio_.sink, static_cast<unsigned>(e->frame_size));
    return add_stream(audio_, name);
  }

  // Decodes every packet and pushes the frames through; then flushes every stage.
  int run() {
    av::Packet pkt = av::make_packet();
    int rc = 0;
    while ((rc = av_read_frame(in_.format.get(), pkt.get())) >= 0) {
      Lane* lane = lane_for(pkt->stream_index);
      int err = lane ? decode(*lane, pkt.get()) : 0;
      av_packet_unref(pkt.get());
      if (err < 0) return err;
    }
    if (rc != AVERROR_EOF) return rc;
    for (Lane* lane : {&video_, &audio_}) {
      if (!lane->enc) continue;
      if ((rc = decode(*lane, nullptr)) < 0) return rc;
      if ((rc = av_buffersrc_add_frame(lane->src, nullptr)) < 0) return rc;
      if ((rc = drain_graph(*lane)) < 0) return rc;
      if ((rc = encode(*lane, nullptr)) < 0) return rc;
      if ((rc = write_filtered(out_, lane->bsf.get(), nullptr, lane->output,
                               lane->enc->time_base)) < 0) {
        return rc;
      }
    }
    return 0;
  }

 private:
  Status add_stream(Lane& lane, const std::string& name) {
    AVStream* ost = avformat_new_stream(out_, nullptr);
    if (!ost || avcodec_parameters_from_context(ost->codecpar, lane.enc.get()) < 0) {
      return fail("internal", name + ": cannot set up the output stream");
    }
    ost->time_base = lane.enc->time_base;
    ost->disposition = AV_DISPOSITION_DEFAULT;
    lane.output = ost->index;
    auto bsf = metadata_stripper(ost->codecpar, lane.enc->time_base);
    if (!bsf) return std::unexpected(bsf.error());
    lane.bsf = std::move(*bsf);
    return ok();
  }

  Lane* lane_for(int stream) {
    if (video_.enc && stream == video_.input) return &video_;
    if (audio_.enc && stream == audio_.input) return &audio_;
    return nullptr;
  }

  int decode(Lane& lane, const AVPacket* pkt) {
    int rc = avcodec_send_packet(lane.dec.get(), pkt);
    if (rc < 0 && rc != AVERROR_EOF) return rc;
    av::Frame frame = av::make_frame();
    while ((rc = avcodec_receive_frame(lane.dec.get(), frame.get())) >= 0) {
      frame->pts = frame->best_effort_timestamp;
      rc = av_buffersrc_add_frame(lane.src, frame.get());
      av_frame_unref(frame.get());
      if (rc < 0 || (rc = drain_graph(lane)) < 0) return rc;
    }
    return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
  }

  int drain_graph(Lane& lane) {
    av::Frame frame = av::make_frame();
    int rc = 0;
    const AVRational from = av_buffersink_get_time_base(lane.sink);
    while ((rc = av_buffersink_get_frame(lane.sink, frame.get())) >= 0) {
      frame->pict_type = AV_PICTURE_TYPE_NONE;
      if (frame->pts != AV_NOPTS_VALUE) {
        frame->pts = av_rescale_q(frame->pts, from, lane.enc->time_base);
      }
      rc = encode(lane, frame.get());
      av_frame_unref(frame.get());
      if (rc < 0) return rc;
    }
    return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
  }

  int encode(Lane& lane, const AVFrame* frame) {
    int rc = avcodec_send_frame(lane.enc.get(), frame);
    if (rc < 0 && rc != AVERROR_EOF) return rc;
    av::Packet pkt = av::make_packet();
    while ((rc = avcodec_receive_packet(lane.enc.get(), pkt.get())) >= 0) {
      // One frame per tick of a video encoder's time base; without it MP4's last sample
      // would get no duration.
      if (pkt->duration <= 0 && lane.enc->codec_type == AVMEDIA_TYPE_VIDEO) pkt->duration = 1;
      rc = write_filtered(out_, lane.bsf.get(), pkt.get(), lane.output, lane.enc->time_base);
      av_packet_unref(pkt.get());
      if (rc < 0) return rc;
    }
    return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
  }

  InputFile& in_;
  AVFormatContext* out_;
  Lane video_;
  Lane audio_;
};

}  // namespace

Status reencode(InputFile& in, const std::filesystem::path& source,
                const std::filesystem::path& out, const NormalizeOptions& options) {
  const std::string name = source.string();
  av::LogCapture log;
  auto output = open_output(out, "mp4");
  if (!output) return std::unexpected(output.error());
  Transcoder transcoder(in, output->get());
  if (auto st = transcoder.setup_video(options, name); !st) return st;
  if (options.keep_audio && in.audio_stream >= 0) {
    if (auto st = transcoder.setup_audio(name); !st) return st;
  }
  int rc = write_header(output->get(), "mp4");
  if (rc < 0) {
    return fail("internal",
                name + ": cannot write mp4: " + av::error_text(rc) + av::log_suffix(log));
  }
  if ((rc = transcoder.run()) < 0) {
    return fail("corrupt",
                name + ": re-encoding failed: " + av::error_text(rc) + av::log_suffix(log));
  }
  if ((rc = av_write_trailer(output->get())) < 0) {
    return fail("io_error", out.string() + ": cannot finish writing: " + av::error_text(rc) +
                                av::log_suffix(log));
  }
  return ok();
}

}  // namespace paddock::media
