#pragma once
// Progress of a long command on stderr: a bar redrawn in place when stderr is a terminal,
// plain lines otherwise (logs, CI, pipes), so output stays readable both ways.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace paddock::cli {

class ProgressBar {
 public:
  // `interactive`: draw a bar (use stderr_is_terminal()); else print one line per step.
  ProgressBar(std::FILE* out, bool interactive);
  ~ProgressBar();  // clears the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Step `done` of `total` finished; `label` says what it was, `result` how it went
  // ("inserted", "refused: <reason>"). Interactive: redraws the bar and prints only results
  // that start with "refused"; otherwise prints "[done/total] label: result".
  void step(int64_t done, int64_t total, std::string_view label, std::string_view result);

  // Removes the bar so that what follows starts on a clean line.
  void clear();

 private:
  std::FILE* out_;
  bool interactive_;
  bool drawn_ = false;
};

bool stderr_is_terminal();

}  // namespace paddock::cli
