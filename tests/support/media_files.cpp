#include "support/media_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "support/process.hpp"

namespace paddock::testing {
namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void run_tool(const std::vector<std::string>& argv, const std::filesystem::path& made) {
  ProcessResult r = run_process(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("making " + made.string() + " failed (exit " +
                             std::to_string(r.exit_code) + "): " + cmd + "\n" + r.err);
  }
}

std::string drawtext_safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != '\'' && c != '\\') out += c;
  }
  return out;
}

std::string spec_key(const ClipSpec& s) {
  std::ostringstream k;
  k << s.duration_s << '|' << s.width << 'x' << s.height << '@' << s.fps << '|'
    << static_cast<int>(s.codec) << static_cast<int>(s.container) << s.audio << s.faststart << '|'
    << s.handler_name << '|' << s.sei_text << '|' << s.caption << '|' << s.picture;
  for (const auto& [key, v] : s.tags) k << '|' << key << '=' << v;
  return k.str();
}

}  // namespace

void make_clip(const std::filesystem::path& path, const ClipSpec& spec) {
  const bool webm = spec.container == Container::WebM;
  if (webm && spec.codec == VideoCodec::H264) {
    throw std::runtime_error("make_clip: WebM cannot carry H.264");
  }
  const std::string d = number(spec.duration_s);
  std::vector<std::string> a = {
      "ffmpeg",
      "-hide_banner",
      "-loglevel",
      "error",
      "-nostdin",
      "-y",
      "-f",
      "lavfi",
      "-i",
      spec.picture + (spec.picture.find('=') == std::string::npos ? "=" : ":") +
          "size=" + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
          ":rate=" + number(spec.fps) + ":duration=" + d};
  if (spec.audio) {
    a.insert(a.end(), {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d});
  }
  if (!spec.caption.empty()) {
    a.insert(a.end(), {"-vf", "drawtext=expansion=none:fontcolor=white:fontsize=" +
                                  std::to_string(std::max(10, spec.height / 8)) +
                                  ":x=8:y=8:box=1:boxcolor=black@0.6:text='" +
                                  drawtext_safe(spec.caption) + "'"});
  }
  a.insert(a.end(), {"-pix_fmt", "yuv420p"});
  switch (spec.codec) {
    case VideoCodec::H264:
      a.insert(a.end(), {"-c:v", "libx264", "-preset", "ultrafast"});
      if (!spec.sei_text.empty()) {
        // h264_metadata's user data: a 16-byte UUID in hex, '+', then the text.
        a.insert(a.end(),
                 {"-bsf:v",
                  "h264_metadata=sei_user_data=dc45e9bde6d948b7962cd820d923eeef+" + spec.sei_text});
      }
      break;
    case VideoCodec::Vp9:
      a.insert(a.end(),
               {"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"});
      break;
    case VideoCodec::Av1:
      a.insert(a.end(), {"-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-b:v", "300k"});
      break;
  }
  if (spec.audio) a.insert(a.end(), {"-c:a", webm ? "libopus" : "aac", "-b:a", "64k"});
  for (const auto& [key, value] : spec.tags) a.insert(a.end(), {"-metadata", key + "=" + value});
  if (!spec.handler_name.empty()) {
    a.insert(a.end(), {"-metadata:s", "handler_name=" + spec.handler_name});
  }
  if (!webm && spec.faststart) a.insert(a.end(), {"-movflags", "+faststart"});
  a.insert(a.end(), {"-t", d, "-f", webm ? "webm" : "mp4", path.string()});
  run_tool(a, path);
}

std::string vendor_extension(VendorStyle style) {
  return style == VendorStyle::Vp9At25 ? ".webm" : ".mp4";
}

void make_vendor_clip(const std::filesystem::path& path, const VendorClip& clip) {
  if (path.extension() != vendor_extension(clip.style)) {
    throw std::runtime_error("make_vendor_clip: " + path.string() + " should end in " +
                             vendor_extension(clip.style));
  }
  const bool big = clip.style == VendorStyle::H264HighAt30TwiceTheSize;
  const std::string rate = clip.style == VendorStyle::H264BaselineAt24 ? "24" : big ? "30" : "25";
  const std::string d = number(clip.duration_s);
  const int scale = big ? 2 : 1;
  std::vector<std::string> a = {"ffmpeg",
                                "-hide_banner",
                                "-loglevel",
                                "error",
                                "-nostdin",
                                "-y",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc2=size=" + std::to_string(clip.width * scale) + "x" +
                                    std::to_string(clip.height * scale) + ":rate=" + rate +
                                    ":duration=" + d};
  if (clip.audio) {
    a.insert(a.end(), {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d});
  }
  std::string filters;
  if (clip.busy) filters = "noise=alls=60:allf=t";
  if (!clip.caption.empty()) {
    if (!filters.empty()) filters += ",";
    filters += "drawtext=expansion=none:fontcolor=white:fontsize=" +
               std::to_string(std::max(10, clip.height * scale / 8)) +
               ":x=8:y=8:box=1:boxcolor=black@0.6:text='" + drawtext_safe(clip.caption) + "'";
  }
  if (!filters.empty()) a.insert(a.end(), {"-vf", filters});
  a.insert(a.end(), {"-pix_fmt", "yuv420p"});
  switch (clip.style) {
    case VendorStyle::H264BaselineAt24:
      a.insert(a.end(), {"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline"});
      if (clip.audio) a.insert(a.end(), {"-c:a", "aac", "-ac", "1", "-ar", "44100"});
      break;
    case VendorStyle::H264HighAt30TwiceTheSize:
      a.insert(a.end(), {"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-crf",
                         "16", "-video_track_timescale", "15360"});
      if (clip.audio) a.insert(a.end(), {"-c:a", "aac", "-ac", "2", "-b:a", "192k"});
      break;
    case VendorStyle::Vp9At25:
      a.insert(a.end(),
               {"-c:v", "libvpx-vp9", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8"});
      if (clip.audio) a.insert(a.end(), {"-c:a", "libopus"});
      break;
  }
  a.push_back(path.string());
  run_tool(a, path);
}

void make_image(const std::filesystem::path& path, int width, int height) {
  run_tool({"ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
            "testsrc2=size=" + std::to_string(width) + "x" + std::to_string(height), "-frames:v",
            "1", "-update", "1", path.string()},
           path);
}

const std::filesystem::path& shared_clip(const ClipSpec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::filesystem::path> made;
  std::lock_guard lock(mutex);
  const std::string key = spec_key(spec);
  auto it = made.find(key);
  if (it != made.end()) return it->second;
  // Kept across test processes (ctest runs each test in its own) in a cache folder; each
  // file is made under a unique name and renamed, so parallel tests never see half a clip.
  std::filesystem::path cache;
  if (const char* env = std::getenv("PADDOCK_TEST_CLIP_CACHE"); env && *env) {
    cache = env;
  } else {
    cache = std::filesystem::temp_directory_path() / "paddock-test-clip-cache";
  }
  std::filesystem::create_directories(cache);
  uint64_t h = 1469598103934665603ull;  // FNV-1a of the spec
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(h));
  const std::string ext = spec.container == Container::WebM ? ".webm" : ".mp4";
  std::filesystem::path p = cache / (std::string(name) + ext);
  if (!std::filesystem::exists(p)) {
    std::filesystem::path tmp =
        cache / (std::string(name) + "." + std::to_string(::getpid()) + ".partial" + ext);
    make_clip(tmp, spec);
    std::filesystem::rename(tmp, p);
  }
  return made.emplace(key, p).first->second;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

bool file_contains(const std::filesystem::path& path, std::string_view needle) {
  return read_file(path).find(needle) != std::string::npos;
}

int64_t mp4_box_offset(const std::filesystem::path& path, std::string_view type) {
  const std::string b = read_file(path);
  size_t pos = 0;
  while (pos + 8 <= b.size()) {
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(b[pos + i]);
    if (b.compare(pos + 4, 4, type) == 0) return static_cast<int64_t>(pos);
    if (size == 1 && pos + 16 <= b.size()) {  // 64-bit size
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | static_cast<uint8_t>(b[pos + i]);
    }
    if (size < 8) return -1;
    pos += size;
  }
  return -1;
}

std::string encoding_signature(const std::filesystem::path& path) {
  ProcessResult r = run_process(
      {"ffprobe", "-v", "error", "-show_entries",
       "stream=codec_name,profile,level,pix_fmt,width,height,sample_aspect_ratio,r_frame_rate,"
       "avg_frame_rate,time_base,start_pts,duration_ts,nb_frames,color_range,color_space,"
       "color_transfer,color_primaries,chroma_location,refs,has_b_frames,sample_rate,channels,"
       "channel_layout,sample_fmt:format=format_name,size,duration,bit_rate:"
       "packet=stream_index,pts,dts,duration,flags",
       "-of", "compact", path.string()});
  if (r.exit_code != 0) throw std::runtime_error("ffprobe " + path.string() + ": " + r.err);
  return r.out;
}

std::string ffprobe_value(const std::filesystem::path& path, const std::string& entry,
                          const std::string& stream_selector) {
  std::vector<std::string> a = {"ffprobe", "-v", "error"};
  if (!stream_selector.empty()) a.insert(a.end(), {"-select_streams", stream_selector});
  a.insert(a.end(),
           {"-show_entries", entry, "-of", "default=noprint_wrappers=1:nokey=1", path.string()});
  ProcessResult r = run_process(a);
  if (r.exit_code != 0) throw std::runtime_error("ffprobe " + path.string() + ": " + r.err);
  std::string v = r.out;
  if (auto nl = v.find('\n'); nl != std::string::npos) v.resize(nl);
  return v;
}

}  // namespace paddock::testing
