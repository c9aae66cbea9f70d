// Padding a finished MP4 to a fixed size with a trailing `free` box (ISO/IEC 14496-12: a box
// whose contents players ignore), so that a clip's size says nothing about its content.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "media/normalize.hpp"

namespace paddock::media {
namespace {

constexpr int64_t kBoxHeader = 8;        // 32-bit size and type
constexpr int64_t kLargeBoxHeader = 16;  // size 1, type, 64-bit size
constexpr int64_t kMaxSmallBox = 0xFFFFFFFFLL;

Status write_fully(int fd, const unsigned char* data, std::size_t size, const std::string& name) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("io_error", name + ": write failed: " + std::strerror(errno));
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok();
}

}  // namespace

Result<int64_t> pad_mp4(const std::filesystem::path& file, int64_t bytes, int64_t step_bytes) {
  const std::string name = file.string();
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return fail("io_error", name + ": cannot open to pad: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail("io_error", name + ": " + std::strerror(errno));
  const int64_t size = st.st_size;
  int64_t target = bytes;
  if (size > target - kBoxHeader && size != target) {
    const int64_t step = std::max<int64_t>(step_bytes, kLargeBoxHeader);
    target += (size + kBoxHeader - target + step - 1) / step * step;
  }
  const int64_t box = target - size;
  if (box == 0) return target;

  std::array<unsigned char, kLargeBoxHeader> header{};
  std::size_t header_size = 0;
  auto put32 = [&](uint64_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      header[header_size++] = static_cast<unsigned char>(v >> shift);
    }
  };
  if (box <= kMaxSmallBox) {
    put32(static_cast<uint64_t>(box));
    std::memcpy(&header[header_size], "free", 4);
    header_size += 4;
  } else {
    put32(1);
    std::memcpy(&header[header_size], "free", 4);
    header_size += 4;
    put32(static_cast<uint64_t>(box) >> 32);
    put32(static_cast<uint64_t>(box) & 0xFFFFFFFFu);
  }
  if (auto s = write_fully(fd, header.data(), header_size, name); !s)
    return std::unexpected(s.error());
  static const std::array<unsigned char, 1 << 16> kZeros{};
  for (int64_t left = box - static_cast<int64_t>(header_size); left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<int64_t>(left, kZeros.size()));
    if (auto s = write_fully(fd, kZeros.data(), n, name); !s) return std::unexpected(s.error());
    left -= static_cast<int64_t>(n);
  }
  return target;
}

}  // namespace paddock::media
