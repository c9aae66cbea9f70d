// Remuxing: the clip's own compressed streams, rewrapped without metadata.
#include <algorithm>
#include <string_view>
#include <vector>

#include "media/ffmpeg_log.hpp"
#include "media/normalize.hpp"

extern "C" {
#include <libavutil/display.h>
}

namespace paddock::media {
namespace {

// Stream side data worth keeping: how to rotate the picture for display.
void copy_display_matrix(const AVStream* from, AVStream* to) {
  size_t size = 0;
  const uint8_t* m = av_stream_get_side_data(from, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (!m || size < 9 * sizeof(int32_t)) return;
  uint8_t* dst = av_stream_new_side_data(to, AV_PKT_DATA_DISPLAYMATRIX, size);
  if (dst) std::copy(m, m + size, dst);
}

}  // namespace

std::string remux_container(const MediaFacts& facts) {
  return facts.container == "webm" ? "webm" : "mp4";
}

Result<av::Output> open_output(const std::filesystem::path& out, const std::string& container) {
  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, container.c_str(), nullptr);
  if (rc < 0 || !raw) return fail("internal", "no " + container + " muxer: " + av::error_text(rc));
  av::Output ctx(raw);
  // No "Lavf59..." strings, no creation time, deterministic ids: same input, same bytes.
  ctx->flags |= AVFMT_FLAG_BITEXACT;
  const std::string url = "file:" + out.string();
  ctx->url = av_strdup(url.c_str());  // faststart re-opens the file by this name
  if (!ctx->url) return fail("internal", "out of memory");
  rc = avio_open(&ctx->pb, url.c_str(), AVIO_FLAG_WRITE);
  if (rc < 0) return fail("io_error", out.string() + ": cannot create: " + av::error_text(rc));
  return ctx;
}

int write_header(AVFormatContext* out, const std::string& container) {
  AVDictionary* opts = nullptr;
  if (container == "mp4") av_dict_set(&opts, "movflags", "+faststart", 0);
  int rc = avformat_write_header(out, &opts);
  av_dict_free(&opts);
  return rc;
}

Result<av::Bsf> metadata_stripper(const AVCodecParameters* par, AVRational time_base) {
  const char* spec = "null";
  switch (par->codec_id) {
    case AV_CODEC_ID_H264:
      spec = "filter_units=remove_types=6";
      break;  // SEI
    case AV_CODEC_ID_HEVC:
      spec = "filter_units=remove_types=39|40";
      break;  // prefix/suffix SEI
    case AV_CODEC_ID_AV1:
      spec = "filter_units=remove_types=5";
      break;  // metadata OBU
    default:
      break;
  }
  AVBSFContext* raw = nullptr;
  int rc = av_bsf_list_parse_str(spec, &raw);
  if (rc < 0)
    return fail("internal", std::string("bitstream filter ") + spec + ": " + av::error_text(rc));
  av::Bsf bsf(raw);
  if ((rc = avcodec_parameters_copy(bsf->par_in, par)) < 0 ||
      (bsf->time_base_in = time_base, rc = av_bsf_init(bsf.get())) < 0) {
    return fail("internal", std::string("bitstream filter ") + spec + ": " + av::error_text(rc));
  }
  return bsf;
}

int write_filtered(AVFormatContext* out, AVBSFContext* bsf, AVPacket* pkt, int stream_index,
                   AVRational from) {
  int rc = av_bsf_send_packet(bsf, pkt);
  if (rc < 0) return rc;
  av::Packet filtered = av::make_packet();
  while ((rc = av_bsf_receive_packet(bsf, filtered.get())) >= 0) {
    filtered->stream_index = stream_index;
    av_packet_rescale_ts(filtered.get(), from, out->streams[stream_index]->time_base);
    filtered->pos = -1;
    if ((rc = av_interleaved_write_frame(out, filtered.get())) < 0) return rc;
  }
  return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
}

Status remux(InputFile& in, const std::filesystem::path& source, const std::filesystem::path& out,
             const std::string& container, bool keep_audio) {
  const std::string name = source.string();
  av::LogCapture log;
  auto output = open_output(out, container);
  if (!output) return std::unexpected(output.error());
  AVFormatContext* octx = output->get();

  struct Mapping {
    int input = -1;
    int output = -1;
    av::Bsf bsf;
  };
  std::vector<Mapping> maps;
  maps.push_back({in.video_stream, -1, nullptr});
  if (keep_audio && in.audio_stream >= 0) maps.push_back({in.audio_stream, -1, nullptr});

  for (Mapping& m : maps) {
    const AVStream* ist = in.format->streams[m.input];
    if (avformat_query_codec(octx->oformat, ist->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
      return fail("unsupported", name + ": its " + avcodec_get_name(ist->codecpar->codec_id) +
                                     " stream cannot be stored in " + container +
                                     " without re-encoding (import it without --remux)");
    }
    auto bsf = metadata_stripper(ist->codecpar, ist->time_base);
    if (!bsf) return std::unexpected(bsf.error());
    m.bsf = std::move(*bsf);
    AVStream* ost = avformat_new_stream(octx, nullptr);
    if (!ost || avcodec_parameters_copy(ost->codecpar, m.bsf->par_out) < 0) {
      return fail("internal", name + ": cannot set up the output stream");
    }
    ost->codecpar->codec_tag = 0;  // let the muxer choose the tag for its container
    // The source container's bit rate figure: the muxer would write it (MP4 btrt), so clips
    // with equal streams but different wrappers would differ. It recomputes from the data.
    ost->codecpar->bit_rate = 0;
    ost->time_base = ist->time_base;
    ost->disposition = AV_DISPOSITION_DEFAULT;
    copy_display_matrix(ist, ost);
    m.output = ost->index;
  }

  int rc = write_header(octx, container);
  if (rc < 0) {
    return fail("unsupported", name + ": cannot write " + container + ": " + av::error_text(rc) +
                                   av::log_suffix(log));
  }
  av::Packet pkt = av::make_packet();
  while ((rc = av_read_frame(in.format.get(), pkt.get())) >= 0) {
    for (Mapping& m : maps) {
      if (pkt->stream_index != m.input) continue;
      AVRational tb = in.format->streams[m.input]->time_base;
      rc = write_filtered(octx, m.bsf.get(), pkt.get(), m.output, tb);
      break;
    }
    av_packet_unref(pkt.get());
    if (rc < 0) {
      return fail("corrupt",
                  name + ": cannot copy its streams: " + av::error_text(rc) + av::log_suffix(log));
    }
  }
  if (rc != AVERROR_EOF) {
    return fail("corrupt", name + ": unreadable: " + av::error_text(rc) + av::log_suffix(log));
  }
  for (Mapping& m : maps) {
    AVRational tb = in.format->streams[m.input]->time_base;
    if ((rc = write_filtered(octx, m.bsf.get(), nullptr, m.output, tb)) < 0) {
      return fail("corrupt", name + ": " + av::error_text(rc) + av::log_suffix(log));
    }
  }
  if ((rc = av_write_trailer(octx)) < 0) {
    return fail("io_error", out.string() + ": cannot finish writing: " + av::error_text(rc) +
                                av::log_suffix(log));
  }
  return ok();
}

}  // namespace paddock::media
