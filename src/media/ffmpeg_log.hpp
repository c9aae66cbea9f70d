#pragma once
// Private to the media layer: FFmpeg's log output is kept off the terminal (paddock prints
// its own messages), but the first error FFmpeg logs during an operation is kept so that a
// refusal can say what FFmpeg saw ("moov atom not found").

#include <string>

namespace paddock::media::av {

// Collects the first error FFmpeg logs on this thread while it lives.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The first error line logged since construction, or "" if none.
  std::string first_error() const;
};

// " (FFmpeg: <first error>)" when FFmpeg logged one, else "".
std::string log_suffix(const LogCapture&);

}  // namespace paddock::media::av
