#include "media/ffmpeg_log.hpp"

#include <cstdarg>
#include <cstdio>
#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

namespace paddock::media::av {
namespace {

// Per thread: is a capture active, and the first error seen.
thread_local int capture_depth = 0;
thread_local std::string first_error_line;

void log_callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_ERROR || capture_depth == 0 || !first_error_line.empty()) return;
  char line[512];
  int print_prefix = 0;  // the "[name @ 0x55...]" prefix: we add the name, not the address
  av_log_format_line2(avcl, level, fmt, args, line, sizeof line, &print_prefix);
  std::string text(line);
  if (avcl) {
    const AVClass* cls = *static_cast<AVClass**>(avcl);
    if (cls && cls->item_name) text = std::string(cls->item_name(avcl)) + ": " + text;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  first_error_line = std::move(text);
}

void install_callback() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(log_callback); });
}

}  // namespace

LogCapture::LogCapture() {
  install_callback();
  if (capture_depth++ == 0) first_error_line.clear();
}

LogCapture::~LogCapture() {
  --capture_depth;
}

std::string LogCapture::first_error() const {
  return first_error_line;
}

std::string log_suffix(const LogCapture& capture) {
  std::string e = capture.first_error();
  return e.empty() ? std::string() : " (FFmpeg: " + e + ")";
}

}  // namespace paddock::media::av
