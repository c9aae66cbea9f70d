// measure_presentation(): how much a clip moves, how bright and how colourful it is, on a
// small decode, for presentation control (docs/media.md "Presentation measurements").
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "media/ffmpeg_log.hpp"
#include "media/input_file.hpp"
#include "media/media.hpp"

extern "C" {
#include <libswscale/swscale.h>
}

namespace paddock::media {
namespace {

// Frames are measured at this width (the height keeps the picture's shape): enough to see
// what moves and what colour it is, and scaling is then a small share of the decode.
constexpr int kMeasureWidth = 64;
// Rec. 709 luma weights of gamma-encoded R'G'B'.
constexpr double kLumaR = 0.2126;
constexpr double kLumaG = 0.7152;
constexpr double kLumaB = 0.0722;

struct ScalerFreer {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using Scaler = std::unique_ptr<SwsContext, ScalerFreer>;

av::Codec open_measuring_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) return nullptr;
  av::Codec dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), st->codecpar) < 0) return nullptr;
  dec->pkt_timebase = st->time_base;
  dec->thread_count = 1;  // imports measure several clips at once
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return nullptr;
  return dec;
}

// Sums over the small frames, turned into means at the end.
class Accumulator {
 public:
  // Adds one frame (RGB24, `width` x `height`, rows `stride` bytes apart).
  void add(const uint8_t* rgb, int stride, int width, int height) {
    const auto pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    luma_.resize(pixels);
    double luma_sum = 0, saturation_sum = 0, difference_sum = 0;
    std::size_t i = 0;
    for (int y = 0; y < height; ++y) {
      const uint8_t* p = rgb + static_cast<std::ptrdiff_t>(y) * stride;
      for (int x = 0; x < width; ++x, p += 3, ++i) {
        const double l = (kLumaR * p[0] + kLumaG * p[1] + kLumaB * p[2]) / 255.0;
        const int hi = std::max({p[0], p[1], p[2]});
        const int lo = std::min({p[0], p[1], p[2]});
        luma_sum += l;
        saturation_sum += hi > 0 ? static_cast<double>(hi - lo) / hi : 0.0;
        if (frames_ > 0 && pixels == previous_pixels_) difference_sum += std::abs(l - luma_[i]);
        luma_[i] = l;
      }
    }
    const auto n = static_cast<double>(pixels);
    luma_total_ += luma_sum / n;
    saturation_total_ += saturation_sum / n;
    if (frames_ > 0) {
      motion_total_ += difference_sum / n;
      ++pairs_;
    }
    previous_pixels_ = pixels;
    ++frames_;
  }

  int64_t frames() const { return frames_; }

  PresentationMeasures result() const {
    PresentationMeasures m;
    m.frames = frames_;
    // Clamped: rounding in the sums must not take white a hair above 1.
    m.luma = std::clamp(luma_total_ / static_cast<double>(frames_), 0.0, 1.0);
    m.saturation = std::clamp(saturation_total_ / static_cast<double>(frames_), 0.0, 1.0);
    m.motion = pairs_ > 0 ? std::clamp(motion_total_ / static_cast<double>(pairs_), 0.0, 1.0) : 0.0;
    return m;
  }

 private:
  std::vector<double> luma_;  // the previous frame's
  std::size_t previous_pixels_ = 0;
  int64_t frames_ = 0, pairs_ = 0;
  double luma_total_ = 0, saturation_total_ = 0, motion_total_ = 0;
};

class Measurer {
 public:
  explicit Measurer(std::string name) : name_(std::move(name)) {}

  // Scales `frame` down to RGB and adds it. Error "corrupt" for a frame it cannot scale.
  Status add(const AVFrame* frame) {
    if (frame->width <= 0 || frame->height <= 0) {
      return fail("corrupt", name_ + ": a video frame has no size");
    }
    const int width = std::min(kMeasureWidth, frame->width);
    const int height = std::max(1, static_cast<int>(std::lround(static_cast<double>(frame->height) *
                                                                width / frame->width)));
    const auto format = static_cast<AVPixelFormat>(frame->format);
    scaler_.reset(sws_getCachedContext(scaler_.release(), frame->width, frame->height, format,
                                       width, height, AV_PIX_FMT_RGB24, SWS_AREA, nullptr, nullptr,
                                       nullptr));
    if (!scaler_) return fail("corrupt", name_ + ": its video frames cannot be scaled");
    // The clip's own matrix and range (the house encoding's are BT.709, limited range), to
    // full-range R'G'B'; an unspecified matrix is taken as BT.601, as players do for SD.
    const int matrix =
        frame->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : frame->colorspace;
    const bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
    sws_setColorspaceDetails(scaler_.get(), sws_getCoefficients(matrix), full_range ? 1 : 0,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    const int stride = width * 3;
    rgb_.resize(static_cast<std::size_t>(stride) * static_cast<std::size_t>(height));
    uint8_t* planes[4] = {rgb_.data(), nullptr, nullptr, nullptr};
    int strides[4] = {stride, 0, 0, 0};
    if (sws_scale(scaler_.get(), frame->data, frame->linesize, 0, frame->height, planes, strides) !=
        height) {
      return fail("corrupt", name_ + ": a video frame could not be scaled");
    }
    sums_.add(rgb_.data(), stride, width, height);
    return ok();
  }

  const Accumulator& sums() const { return sums_; }

 private:
  std::string name_;
  Scaler scaler_;
  std::vector<uint8_t> rgb_;
  Accumulator sums_;
};

}  // namespace

Result<PresentationMeasures> measure_presentation(const std::filesystem::path& file) {
  const std::string name = file.string();
  av::LogCapture log;
  auto in = open_input(file);
  if (!in) return std::unexpected(in.error());
  if (in->facts.is_image) return fail("not_video", name + ": is a still image, not a clip");
  const AVStream* st = in->format->streams[in->video_stream];
  av::Codec dec = open_measuring_decoder(st);
  if (!dec) return fail("corrupt", name + ": cannot decode its video" + av::log_suffix(log));

  Measurer measurer(name);
  av::Packet pkt = av::make_packet();
  av::Frame frame = av::make_frame();
  auto drain = [&]() -> Status {
    int rc;
    while ((rc = avcodec_receive_frame(dec.get(), frame.get())) >= 0) {
      Status added = measurer.add(frame.get());
      av_frame_unref(frame.get());
      if (!added) return added;
    }
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return ok();
    return fail("corrupt", name + ": decoding failed: " + av::error_text(rc) + av::log_suffix(log));
  };
  int rc;
  while ((rc = av_read_frame(in->format.get(), pkt.get())) >= 0) {
    if (pkt->stream_index == in->video_stream) {
      rc = avcodec_send_packet(dec.get(), pkt.get());
      av_packet_unref(pkt.get());
      if (rc < 0) {
        return fail("corrupt",
                    name + ": decoding failed: " + av::error_text(rc) + av::log_suffix(log));
      }
      if (auto s = drain(); !s) return std::unexpected(s.error());
    } else {
      av_packet_unref(pkt.get());
    }
  }
  if (rc != AVERROR_EOF) {
    return fail("corrupt", name + ": reading failed: " + av::error_text(rc) + av::log_suffix(log));
  }
  avcodec_send_packet(dec.get(), nullptr);
  if (auto s = drain(); !s) return std::unexpected(s.error());
  if (measurer.sums().frames() == 0) {
    return fail("corrupt", name + ": no video frame could be decoded" + av::log_suffix(log));
  }
  return measurer.sums().result();
}

}  // namespace paddock::media
