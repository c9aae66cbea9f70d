#pragma once
// For code that calls FFmpeg itself (the media layer, and the demo's clip renderer):
// owning handles for FFmpeg objects, so every early return frees what was opened, and
// FFmpeg error codes turned into text.

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
}

namespace paddock::media::av {

struct InputCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using Input = std::unique_ptr<AVFormatContext, InputCloser>;

// An output context; closes its file (if opened) before freeing.
struct OutputCloser {
  void operator()(AVFormatContext* c) const {
    if (c->pb && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
using Output = std::unique_ptr<AVFormatContext, OutputCloser>;

struct CodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using Codec = std::unique_ptr<AVCodecContext, CodecCloser>;

struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using Packet = std::unique_ptr<AVPacket, PacketFreer>;

struct FrameFreer {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using Frame = std::unique_ptr<AVFrame, FrameFreer>;

struct BsfFreer {
  void operator()(AVBSFContext* b) const { av_bsf_free(&b); }
};
using Bsf = std::unique_ptr<AVBSFContext, BsfFreer>;

struct GraphFreer {
  void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
using Graph = std::unique_ptr<AVFilterGraph, GraphFreer>;

struct DictFreer {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

inline Packet make_packet() {
  return Packet(av_packet_alloc());
}
inline Frame make_frame() {
  return Frame(av_frame_alloc());
}

inline std::string error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

}  // namespace paddock::media::av
