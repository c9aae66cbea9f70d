// The house encoding: every clip decoded and encoded again with one fixed set of settings, so
// that nothing in a clip's encoding says which model or vendor made it. docs/media.md gives
// the settings and the reasons; docs/security.md what they hide and what they cannot.
#include <fmt/core.h>

#include <cmath>

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

// ---- the house settings ----
// libx264's speed preset: at the generous bit rate below, veryfast loses little against
// medium (SSIM 0.992 against 0.993 on detailed 720p) at 2.5 times the speed (docs/media.md).
constexpr const char* kX264Preset = "veryfast";
constexpr const char* kX264Profile = "high";
// x264's output depends on its thread count, so it is pinned: the same source always gives
// the same bytes on any machine. One thread each; paddock import encodes several clips at
// once instead.
constexpr int kX264Threads = 1;
// Constant bit rate, in bits per pixel per frame (0.25: 5.5 Mb/s at 1280x720, 24 fps; 12.4
// Mb/s at 1920x1080), with an HRD buffer of one second and filler data: every clip of a
// track has the same bit rate, however simple or busy its pictures, instead of a size that
// follows its content (which CRF gives, and which can tell models apart).
constexpr double kBitsPerPixel = 0.25;
// A closed GOP of fixed length with fixed B-frames and no scene-cut keyframes: the frame
// types (what a player's index shows) follow the same pattern in every clip.
constexpr double kGopSeconds = 2;
constexpr int kBFrames = 2;
// No MB-tree: with B-frames, libx264 0.164's MB-tree reads lookahead memory it has not
// written on some pictures, so the bytes followed whatever the heap held before (a resumed
// demo build stored other clips than a fresh one). Without it the same source gives the
// same bytes in any process; it costs 0.15-0.2 dB PSNR (SSIM -0.0004 to -0.003) at the
// house bit rate and no speed (docs/media.md).
constexpr const char* kMbTree = "0";
constexpr int kAudioRate = 48000;
constexpr int64_t kAudioBitrate = 160000;
constexpr double kDefaultFps = 25;  // a source without a frame rate, and no target

// Budget margins (house_file_bytes), measured in docs/media.md: x264 keeps its HRD buffer
// within a few percent; FFmpeg's AAC encoder wanders more around its target.
constexpr double kVideoMargin = 1.03;
constexpr double kAudioMargin = 1.30;
constexpr int64_t kContainerBytes = 16384;
constexpr int64_t kIndexBytesPerSample = 24;  // stsz, ctts, stts and chunk entries, generously
constexpr int64_t kBudgetRounding = 4096;
constexpr int64_t kOverBudgetSteps = 16;  // over budget: the next budget/16 above

int even(int v) {
  return std::max(2, v - v % 2);
}

AVRational rate_of(double fps) {
  return av_d2q(fps, 100000);
}

int64_t frames_for(double duration_s, AVRational fps) {
  return std::llround(duration_s * av_q2d(fps));
}

int64_t video_bitrate(int width, int height, AVRational fps) {
  return std::llround(kBitsPerPixel * width * height * av_q2d(fps) / 1000) * 1000;
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
  int64_t next_pts = 0;  // in the encoder's time base: frames (video) or samples (audio)
  bool ended = false;    // the graph gave all it will (a trim reached its end)
};

av::Codec open_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) return nullptr;
  av::Codec dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), st->codecpar) < 0) return nullptr;
  dec->pkt_timebase = st->time_base;
  dec->thread_count = 1;
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
    AVRational fps = o.fps > 0 ? rate_of(o.fps) : ist->avg_frame_rate;
    if (fps.num <= 0 || fps.den <= 0) fps = rate_of(kDefaultFps);
    AVRational sar = d->sample_aspect_ratio.num > 0 ? d->sample_aspect_ratio : AVRational{1, 1};
    const char* pix = av_get_pix_fmt_name(d->pix_fmt);
    if (!pix) return fail("corrupt", name + ": its video has no known pixel format");
    std::string args =
        fmt::format("video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", d->width,
                    d->height, pix, ist->time_base.num, ist->time_base.den, sar.num, sar.den);
    // A constant frame rate from time 0; fit inside the target keeping the picture's shape
    // and pad the rest (check_against has refused clips whose aspect differs noticeably);
    // BT.709 limited range, whatever the source's matrix and range.
    std::string chain = fmt::format(
        "fps=fps={}/{}:start_time=0,"
        "scale={}:{}:force_original_aspect_ratio=decrease:force_divisible_by=2:"
        "flags=bicubic+accurate_rnd+bitexact:out_color_matrix=bt709:out_range=tv,"
        "pad={}:{}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p",
        fps.num, fps.den, w, h, w, h);
    if (o.duration_s > 0) {
      // Exactly the track's number of frames: the last one repeated, or the rest cut.
      chain += fmt::format(",tpad=stop_mode=clone:stop_duration={},trim=end_frame={}", o.duration_s,
                           frames_for(o.duration_s, fps));
    }
    int rc = build_graph(video_, "buffer", args, "buffersink", chain);
    if (rc < 0) return fail("internal", name + ": video filter: " + av::error_text(rc));

    const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
    if (!x264) return fail("internal", "libx264 is not available in this libavcodec");
    video_.enc.reset(avcodec_alloc_context3(x264));
    AVCodecContext* e = video_.enc.get();
    e->width = av_buffersink_get_w(video_.sink);
    e->height = av_buffersink_get_h(video_.sink);
    e->pix_fmt = static_cast<AVPixelFormat>(av_buffersink_get_format(video_.sink));
    e->time_base = av_inv_q(fps);
    e->framerate = fps;
    e->sample_aspect_ratio = AVRational{1, 1};
    e->color_range = AVCOL_RANGE_MPEG;
    e->colorspace = AVCOL_SPC_BT709;
    e->color_primaries = AVCOL_PRI_BT709;
    e->color_trc = AVCOL_TRC_BT709;
    e->chroma_sample_location = AVCHROMA_LOC_LEFT;
    e->thread_count = kX264Threads;
    const int64_t bitrate = video_bitrate(e->width, e->height, fps);
    e->bit_rate = e->rc_min_rate = e->rc_max_rate = bitrate;
    e->rc_buffer_size = static_cast<int>(bitrate);
    e->flags |= AV_CODEC_FLAG_BITEXACT;
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    const int64_t gop = std::max<int64_t>(1, std::llround(kGopSeconds * av_q2d(fps)));
    const std::string params = fmt::format(
        "keyint={}:min-keyint={}:scenecut=0:open-gop=0:bframes={}:b-adapt=0:force-cfr=1:mbtree={}",
        gop, gop, kBFrames, kMbTree);
    av_opt_set(e->priv_data, "preset", kX264Preset, 0);
    av_opt_set(e->priv_data, "profile", kX264Profile, 0);
    av_opt_set(e->priv_data, "nal-hrd", "cbr", 0);
    av_opt_set(e->priv_data, "x264-params", params.c_str(), 0);
    if ((rc = avcodec_open2(e, x264, nullptr)) < 0) {
      return fail("internal", name + ": cannot start libx264: " + av::error_text(rc));
    }
    return add_stream(video_, name);
  }

  Status setup_audio(const NormalizeOptions& o, const std::string& name) {
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
    if (o.duration_s > 0 && video_.enc) {
      // As long as the video: silence added, or the rest cut.
      const AVRational fps = video_.enc->framerate;
      const int64_t samples =
          av_rescale_q(frames_for(o.duration_s, fps), av_inv_q(fps), AVRational{1, kAudioRate});
      chain += fmt::format(",apad=whole_len={},atrim=end_sample={}", samples, samples);
    }
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
    e->profile = FF_PROFILE_AAC_LOW;
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
      int err = lane && !lane->ended ? decode(*lane, pkt.get()) : 0;
      av_packet_unref(pkt.get());
      if (err < 0) return err;
    }
    if (rc != AVERROR_EOF) return rc;
    for (Lane* lane : {&video_, &audio_}) {
      if (!lane->enc) continue;
      if ((rc = decode(*lane, nullptr)) < 0) return rc;
      if (!lane->ended) {
        if ((rc = av_buffersrc_add_frame(lane->src, nullptr)) < 0) return rc;
        if ((rc = drain_graph(*lane)) < 0) return rc;
      }
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
      if (lane.ended) {  // past the track's length
        av_frame_unref(frame.get());
        continue;
      }
      frame->pts = frame->best_effort_timestamp;
      rc = av_buffersrc_add_frame(lane.src, frame.get());
      av_frame_unref(frame.get());
      if (rc == AVERROR_EOF) {
        lane.ended = true;
        continue;
      }
      if (rc < 0 || (rc = drain_graph(lane)) < 0) return rc;
    }
    return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
  }

  int drain_graph(Lane& lane) {
    av::Frame frame = av::make_frame();
    int rc = 0;
    while ((rc = av_buffersink_get_frame(lane.sink, frame.get())) >= 0) {
      frame->pict_type = AV_PICTURE_TYPE_NONE;
      // Timestamps counted from zero, one tick per frame or sample: the graph has made the
      // stream continuous, and counting keeps it so whatever the source's timestamps were.
      frame->pts = lane.next_pts;
      lane.next_pts += lane.enc->codec_type == AVMEDIA_TYPE_VIDEO ? 1 : frame->nb_samples;
      rc = encode(lane, frame.get());
      av_frame_unref(frame.get());
      if (rc < 0) return rc;
    }
    if (rc == AVERROR_EOF) lane.ended = true;
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

int64_t house_file_bytes(const NormalizeOptions& o) {
  if (o.duration_s <= 0 || o.fps <= 0 || o.width <= 0 || o.height <= 0) return 0;
  const AVRational fps = rate_of(o.fps);
  const int64_t frames = frames_for(o.duration_s, fps);
  const double seconds = static_cast<double>(frames) / av_q2d(fps);
  const auto bitrate = static_cast<double>(video_bitrate(even(o.width), even(o.height), fps));
  // The HRD buffer (one second) can hold a second's worth more than the rate over the clip.
  double bytes = (bitrate * seconds + bitrate) / 8 * kVideoMargin;
  int64_t samples = frames;
  if (o.keep_audio) {
    bytes += static_cast<double>(kAudioBitrate) * (seconds + 1) / 8 * kAudioMargin;
    samples += std::llround(seconds * kAudioRate / 1024) + 2;
  }
  bytes += static_cast<double>(kContainerBytes + kIndexBytesPerSample * samples);
  const auto whole = static_cast<int64_t>(std::ceil(bytes));
  return (whole + kBudgetRounding - 1) / kBudgetRounding * kBudgetRounding;
}

int64_t house_over_budget_step(int64_t budget) {
  return std::max<int64_t>(kBudgetRounding, budget / kOverBudgetSteps);
}

Status encode_house(InputFile& in, const std::filesystem::path& source,
                    const std::filesystem::path& out, const NormalizeOptions& options) {
  const std::string name = source.string();
  av::LogCapture log;
  auto output = open_output(out, "mp4");
  if (!output) return std::unexpected(output.error());
  Transcoder transcoder(in, output->get());
  if (auto st = transcoder.setup_video(options, name); !st) return st;
  if (options.keep_audio && in.audio_stream >= 0) {
    if (auto st = transcoder.setup_audio(options, name); !st) return st;
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
