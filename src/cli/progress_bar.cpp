#include "cli/progress_bar.hpp"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace paddock::cli {
namespace {

int terminal_width(std::FILE* out) {
  winsize ws{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

// Keeps the end of a long label (the file name is the informative part).
std::string fit(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s);
  if (width <= 1) return "";
  return "…" + std::string(s.substr(s.size() - (width - 1)));
}

}  // namespace

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

ProgressBar::~ProgressBar() {
  clear();
}

void ProgressBar::clear() {
  if (drawn_) {
    fmt::print(out_, "\r\x1b[K");
    std::fflush(out_);
    drawn_ = false;
  }
}

void ProgressBar::step(int64_t done, int64_t total, std::string_view label,
                       std::string_view result) {
  if (!interactive_) {
    fmt::print(out_, "[{}/{}] {}: {}\n", done, total, label, result);
    std::fflush(out_);
    return;
  }
  if (result.starts_with("refused")) {
    clear();
    fmt::print(out_, "{}: {}\n", label, result);
  }
  constexpr int kBarWidth = 24;
  const int filled = total > 0 ? static_cast<int>(kBarWidth * std::min(done, total) / total) : 0;
  std::string bar = std::string(static_cast<size_t>(filled), '#') +
                    std::string(static_cast<size_t>(kBarWidth - filled), '-');
  std::string counts = fmt::format(" {}/{} ", done, total);
  const int room = terminal_width(out_) - kBarWidth - 3 - static_cast<int>(counts.size());
  fmt::print(out_, "\r\x1b[K[{}]{}{}", bar, counts,
             fit(label, static_cast<size_t>(std::max(room, 0))));
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace paddock::cli
