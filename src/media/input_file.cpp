#include "media/input_file.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>
#include <vector>

#include "media/ffmpeg_log.hpp"

namespace paddock::media {
namespace {

// Demuxers paddock lets read untrusted files: the video containers it stores and the still
// image formats of prompt sources. Everything else (playlists, raw streams, exotic formats
// that reference other files) is refused before any parsing beyond format detection.
constexpr std::array<std::string_view, 6> kAcceptedFormats = {
    "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "png_pipe", "jpeg_pipe", "webp_pipe", "image2"};

constexpr size_t kProbeBytes = 64 * 1024;

bool accepted(const AVInputFormat* f) {
  return f && std::find(kAcceptedFormats.begin(), kAcceptedFormats.end(),
                        std::string_view(f->name)) != kAcceptedFormats.end();
}

std::vector<uint8_t> read_head(const std::filesystem::path& file) {
  std::vector<uint8_t> buf(kProbeBytes + AVPROBE_PADDING_SIZE, 0);
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(buf.data()), kProbeBytes);
  buf.resize(static_cast<size_t>(in.gcount()));
  return buf;
}

// ---- Matroska/WebM: the EBML header's DocType and the Segment's declared size ----

struct EbmlReader {
  const std::vector<uint8_t>& b;
  size_t pos = 0;

  // A variable-length integer; `keep_marker` for element IDs. nullopt if out of bytes.
  std::optional<uint64_t> vint(bool keep_marker, bool* unknown = nullptr) {
    if (pos >= b.size()) return std::nullopt;
    uint8_t first = b[pos];
    int len = 1;
    while (len <= 8 && !(first & (0x80 >> (len - 1)))) ++len;
    if (len > 8 || pos + static_cast<size_t>(len) > b.size()) return std::nullopt;
    uint64_t v = keep_marker ? first : (first & (0xFF >> len));
    bool all_ones = (first & (0xFF >> len)) == (0xFF >> len);
    for (int i = 1; i < len; ++i) {
      v = (v << 8) | b[pos + static_cast<size_t>(i)];
      all_ones = all_ones && b[pos + static_cast<size_t>(i)] == 0xFF;
    }
    if (unknown) *unknown = all_ones;
    pos += static_cast<size_t>(len);
    return v;
  }
};

struct EbmlHead {
  std::string doctype;
  std::optional<int64_t> segment_end;
};

EbmlHead read_ebml_head(const std::vector<uint8_t>& head) {
  EbmlHead out;
  EbmlReader r{head};
  auto id = r.vint(true);
  auto size = r.vint(false);
  if (!id || *id != 0x1A45DFA3 || !size || *size > head.size()) return out;
  size_t header_end = r.pos + static_cast<size_t>(*size);
  if (header_end > head.size()) return out;
  while (r.pos < header_end) {
    auto cid = r.vint(true);
    auto csize = r.vint(false);
    if (!cid || !csize || *csize > header_end - r.pos) return out;
    if (*cid == 0x4282) {
      out.doctype.assign(reinterpret_cast<const char*>(head.data() + r.pos),
                         static_cast<size_t>(*csize));
    }
    r.pos += static_cast<size_t>(*csize);
  }
  bool unknown = false;
  auto sid = r.vint(true);
  auto ssize = r.vint(false, &unknown);
  if (sid && *sid == 0x18538067 && ssize && !unknown &&
      *ssize < static_cast<uint64_t>(INT64_MAX) - r.pos) {
    out.segment_end = static_cast<int64_t>(r.pos + *ssize);
  }
  return out;
}

// A name for people: "MP4/MOV" rather than "mov,mp4,m4a,3gp,3g2,mj2".
std::string format_label(const AVInputFormat* f) {
  std::string_view name(f->name);
  if (name.starts_with("mov")) return "MP4/MOV";
  if (name.starts_with("matroska")) return "WebM/Matroska";
  if (name == "png_pipe") return "PNG";
  if (name == "jpeg_pipe") return "JPEG";
  if (name == "webp_pipe") return "WebP";
  return std::string(name);
}

bool is_image_format(const AVInputFormat* f) {
  std::string_view name(f->name);
  return name == "image2" || name.ends_with("_pipe");
}

Status fill_facts(InputFile& in, const std::filesystem::path& file,
                  const std::vector<uint8_t>& head) {
  AVFormatContext* ctx = in.format.get();
  const AVStream* v = ctx->streams[in.video_stream];
  MediaFacts& f = in.facts;
  f.width = v->codecpar->width;
  f.height = v->codecpar->height;
  f.video_codec = avcodec_get_name(v->codecpar->codec_id);
  if (in.audio_stream >= 0) {
    f.has_audio = true;
    f.audio_codec = avcodec_get_name(ctx->streams[in.audio_stream]->codecpar->codec_id);
  }
  if (is_image_format(ctx->iformat)) {
    f.is_image = true;
    switch (v->codecpar->codec_id) {
      case AV_CODEC_ID_PNG:
        f.container = "png", f.mime = "image/png";
        break;
      case AV_CODEC_ID_MJPEG:
        f.container = "jpeg", f.mime = "image/jpeg";
        break;
      case AV_CODEC_ID_WEBP:
        f.container = "webp", f.mime = "image/webp";
        break;
      default:
        return fail("not_media", file.string() + ": " + f.video_codec +
                                     " images are not supported (use PNG, JPEG or WebP)");
    }
    return ok();
  }
  std::string_view name(ctx->iformat->name);
  if (name.starts_with("mov")) {
    const AVDictionaryEntry* brand = av_dict_get(ctx->metadata, "major_brand", nullptr, 0);
    bool quicktime = brand && std::string_view(brand->value).starts_with("qt");
    f.container = quicktime ? "mov" : "mp4";
    f.mime = quicktime ? "video/quicktime" : "video/mp4";
  } else {
    EbmlHead ebml = read_ebml_head(head);
    bool webm = ebml.doctype == "webm";
    f.container = webm ? "webm" : "mkv";
    f.mime = webm ? "video/webm" : "video/x-matroska";
    in.declared_end = ebml.segment_end;
  }
  if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0) {
    f.duration_s = static_cast<double>(ctx->duration) / AV_TIME_BASE;
  } else if (v->duration != AV_NOPTS_VALUE && v->duration > 0) {
    f.duration_s = static_cast<double>(v->duration) * av_q2d(v->time_base);
  }
  AVRational rate =
      v->avg_frame_rate.num > 0 && v->avg_frame_rate.den > 0 ? v->avg_frame_rate : v->r_frame_rate;
  if (rate.num > 0 && rate.den > 0) f.fps = av_q2d(rate);
  return ok();
}

// A decoder that reports damaged data as an error, for checking clips.
av::Codec open_strict_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) return nullptr;
  av::Codec dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), st->codecpar) < 0) return nullptr;
  dec->thread_count = 1;
  dec->err_recognition |= AV_EF_EXPLODE;
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return nullptr;
  return dec;
}

// Sends one packet (nullptr flushes) and counts the frames that come out.
// Returns a negative FFmpeg error if the decoder reports damage.
int decode(AVCodecContext* dec, const AVPacket* pkt, AVFrame* frame, int& frames) {
  int rc = avcodec_send_packet(dec, pkt);
  if (rc < 0 && rc != AVERROR_EOF) return rc;
  while ((rc = avcodec_receive_frame(dec, frame)) >= 0) {
    ++frames;
    av_frame_unref(frame);
  }
  return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
}

// MP4/MOV: every sample the index names must lie inside the file.
Status check_mov_index(AVFormatContext* ctx, const std::filesystem::path& file, int64_t bytes) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    AVStream* st = ctx->streams[i];
    int n = avformat_index_get_entries_count(st);
    for (int k = 0; k < n; ++k) {
      const AVIndexEntry* e = avformat_index_get_entry(st, k);
      if (e && e->pos + e->size > bytes) {
        return fail("corrupt", file.string() + ": truncated: its index places media data at byte " +
                                   std::to_string(e->pos + e->size) + " but the file has only " +
                                   std::to_string(bytes) + " bytes");
      }
    }
  }
  return ok();
}

}  // namespace

Result<InputFile> open_input(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) return fail("not_found", name + ": no such file");
  if (!std::filesystem::is_regular_file(status)) {
    return fail("not_media", name + ": not a regular file");
  }
  auto bytes = std::filesystem::file_size(file, ec);
  if (ec) return fail("io_error", name + ": cannot read its size: " + ec.message());
  if (bytes == 0) return fail("not_media", name + ": empty file");

  std::vector<uint8_t> head = read_head(file);
  std::vector<uint8_t> padded = head;
  padded.resize(head.size() + AVPROBE_PADDING_SIZE, 0);
  // Detect by content only: a file's extension says nothing about what it holds.
  AVProbeData pd{};
  pd.filename = "";
  pd.buf = padded.data();
  pd.buf_size = static_cast<int>(head.size());
  int score = 0;
  const AVInputFormat* fmt = av_probe_input_format2(&pd, 1, &score);
  if (!fmt) {
    return fail("not_media", name + ": not a video or image file (no known format recognized)");
  }
  if (!accepted(fmt)) {
    return fail("not_media", name + ": " + (fmt->long_name ? fmt->long_name : fmt->name) +
                                 " is not a supported format (use MP4, WebM, MOV, MKV, PNG, "
                                 "JPEG or WebP)");
  }

  av::LogCapture log;
  InputFile in;
  in.facts.bytes = static_cast<int64_t>(bytes);
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return fail("io_error", name + ": out of memory");
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", "file", 0);
  av_dict_set(&opts, "pattern_type", "none", 0);  // image2: never read a numbered sequence
  int rc = avformat_open_input(&raw, ("file:" + name).c_str(), fmt, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    return fail("corrupt", name + ": unreadable " + format_label(fmt) +
                               " header: " + av::error_text(rc) + av::log_suffix(log));
  }
  in.format.reset(raw);
  rc = avformat_find_stream_info(raw, nullptr);
  if (rc < 0) {
    return fail("corrupt",
                name + ": cannot read its streams: " + av::error_text(rc) + av::log_suffix(log));
  }
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const AVStream* st = raw->streams[i];
    auto type = st->codecpar->codec_type;
    if (type == AVMEDIA_TYPE_VIDEO && in.video_stream < 0 &&
        !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      in.video_stream = static_cast<int>(i);
    } else if (type == AVMEDIA_TYPE_AUDIO && in.audio_stream < 0) {
      in.audio_stream = static_cast<int>(i);
    }
  }
  if (raw->nb_streams == 0) {
    return fail("corrupt", name + ": its " + format_label(fmt) +
                               " header holds no streams (truncated?)" + av::log_suffix(log));
  }
  if (in.video_stream < 0) return fail("not_media", name + ": has no video stream");
  if (raw->streams[in.video_stream]->codecpar->width <= 0 ||
      raw->streams[in.video_stream]->codecpar->height <= 0) {
    return fail("corrupt", name + ": its video stream has no picture size" + av::log_suffix(log));
  }
  if (auto st = fill_facts(in, file, head); !st) return std::unexpected(st.error());
  return in;
}

Status check_integrity(InputFile& in, const std::filesystem::path& file) {
  const std::string name = file.string();
  AVFormatContext* ctx = in.format.get();
  if (in.declared_end && *in.declared_end > in.facts.bytes) {
    return fail("corrupt", name + ": truncated: its header announces " +
                               std::to_string(*in.declared_end) + " bytes but the file has " +
                               std::to_string(in.facts.bytes));
  }
  if (std::string_view(ctx->iformat->name).starts_with("mov")) {
    if (auto st = check_mov_index(ctx, file, in.facts.bytes); !st) return st;
  }

  // How much to decode: enough frames to know the streams are real, not the whole file.
  constexpr int kVideoFramesWanted = 3;
  constexpr int kAudioFramesWanted = 3;
  constexpr int kVideoPacketsToTry = 48;  // covers decoder delay (B-frames, lookahead)

  av::LogCapture log;
  av::Codec vdec = open_strict_decoder(ctx->streams[in.video_stream]);
  if (!vdec) {
    return fail("corrupt", name + ": no decoder for its " + in.facts.video_codec + " video" +
                               av::log_suffix(log));
  }
  av::Codec adec;
  if (in.audio_stream >= 0) {
    adec = open_strict_decoder(ctx->streams[in.audio_stream]);
    if (!adec) {
      return fail("corrupt", name + ": no decoder for its " + in.facts.audio_codec + " audio" +
                                 av::log_suffix(log));
    }
  }
  av::Packet pkt = av::make_packet();
  av::Frame frame = av::make_frame();
  int vframes = 0, aframes = 0, vpackets = 0, apackets = 0;
  int rc = 0;
  while ((rc = av_read_frame(ctx, pkt.get())) >= 0) {
    int err = 0;
    const bool video = pkt->stream_index == in.video_stream;
    if (video) {
      if (++vpackets <= kVideoPacketsToTry && vframes < kVideoFramesWanted) {
        err = decode(vdec.get(), pkt.get(), frame.get(), vframes);
      }
    } else if (pkt->stream_index == in.audio_stream) {
      ++apackets;
      if (aframes < kAudioFramesWanted) err = decode(adec.get(), pkt.get(), frame.get(), aframes);
    }
    av_packet_unref(pkt.get());
    if (err < 0) {
      return fail("corrupt", name + ": damaged " + (video ? "video" : "audio") +
                                 " data near the start: " + av::error_text(err) +
                                 av::log_suffix(log));
    }
  }
  if (rc != AVERROR_EOF) {
    return fail("corrupt", name + ": unreadable after " + std::to_string(vpackets) +
                               " video packets: " + av::error_text(rc) + av::log_suffix(log));
  }
  if (vpackets == 0) return fail("corrupt", name + ": its video stream holds no data");
  if (vframes == 0) {
    if (int err = decode(vdec.get(), nullptr, frame.get(), vframes); err < 0 || vframes == 0) {
      return fail("corrupt",
                  name + ": no frame of its video could be decoded" + av::log_suffix(log));
    }
  }
  if (adec && apackets > 0 && aframes == 0) {
    if (int err = decode(adec.get(), nullptr, frame.get(), aframes); err < 0 || aframes == 0) {
      return fail("corrupt", name + ": none of its audio could be decoded" + av::log_suffix(log));
    }
  }
  return ok();
}

}  // namespace paddock::media
