#include "votelog/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fmt/core.h"

namespace paddock::votelog {

namespace {

constexpr unsigned char kGzipMagic0 = 0x1f, kGzipMagic1 = 0x8b;
constexpr std::size_t kGzipInputBlock = std::size_t{1} << 18;
constexpr int kZlibGzipWindow = 15 + 16;  // max window, gzip header expected

class FileSource : public ByteSource {
 public:
  FileSource(int fd, bool owned, std::string name, std::size_t size)
      : fd_(fd), owned_(owned), name_(std::move(name)), size_(size) {}
  ~FileSource() override {
    if (owned_) ::close(fd_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      return fail("io_error", fmt::format("{}: cannot read: {}", name_, std::strerror(errno)));
    }
  }
  std::size_t size_hint() const override { return size_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  std::size_t size_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, bytes_.size());
    std::memcpy(buffer, bytes_.data(), n);
    bytes_.remove_prefix(n);
    return n;
  }
  std::size_t size_hint() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

// Hands back bytes already read (while sniffing the magic) before reading on.
class PrefixedSource : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (offset_ < prefix_.size()) {
      const std::size_t n = std::min(size, prefix_.size() - offset_);
      std::memcpy(buffer, prefix_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return rest_->read(buffer, size);
  }
  std::size_t size_hint() const override { return rest_->size_hint(); }

 private:
  std::string prefix_;
  std::size_t offset_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

// Streaming gzip decompression (concatenated members too, as gzip itself allows).
class GzipSource : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> compressed, std::string name)
      : in_(std::move(compressed)), name_(std::move(name)), buffer_(kGzipInputBlock) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflateInit2(&z_, kZlibGzipWindow) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&z_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Result<std::size_t> read(char* out, std::size_t size) override {
    if (!ok_) return fail("io_error", fmt::format("{}: cannot start gzip decompression", name_));
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    while (z_.avail_out > 0 && !done_) {
      if (z_.avail_in == 0) {
        auto n = in_->read(buffer_.data(), buffer_.size());
        if (!n) return std::unexpected(n.error());
        if (*n == 0) {
          if (member_started_) {
            return fail("io_error",
                        fmt::format("{}: gzip data ends too early (truncated file?)", name_));
          }
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(buffer_.data());
        z_.avail_in = static_cast<uInt>(*n);
      }
      member_started_ = true;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_started_ = false;
        inflateReset(&z_);  // another member may follow
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fail("io_error", fmt::format("{}: bad gzip data ({})", name_,
                                            z_.msg != nullptr ? z_.msg : "inflate failed"));
      }
    }
    return size - z_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> in_;
  std::string name_;
  std::vector<char> buffer_;
  z_stream z_;
  bool ok_ = false;
  bool done_ = false;
  bool member_started_ = false;
};

// Reads the first two bytes and wraps the source in gzip decompression if they say so.
Result<OpenedSource> sniff(std::unique_ptr<ByteSource> raw, const std::string& name) {
  std::string head(2, '\0');
  std::size_t got = 0;
  while (got < 2) {
    auto n = raw->read(head.data() + got, 2 - got);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    got += *n;
  }
  head.resize(got);
  const bool gzip = got == 2 && static_cast<unsigned char>(head[0]) == kGzipMagic0 &&
                    static_cast<unsigned char>(head[1]) == kGzipMagic1;
  auto prefixed = std::make_unique<PrefixedSource>(std::move(head), std::move(raw));
  OpenedSource opened;
  opened.gzip = gzip;
  if (gzip) {
    opened.source = std::make_unique<GzipSource>(std::move(prefixed), name);
  } else {
    opened.source = std::move(prefixed);
  }
  return opened;
}

}  // namespace

Result<OpenedSource> open_file_source(const std::string& path) {
  if (path == "-") {
    return sniff(std::make_unique<FileSource>(STDIN_FILENO, false, "<stdin>", 0), "<stdin>");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail("io_error", fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  std::size_t size = 0;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return fail("io_error", fmt::format("{}: is a directory", path));
    }
    if (S_ISREG(st.st_mode)) size = static_cast<std::size_t>(st.st_size);
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return sniff(std::make_unique<FileSource>(fd, true, path, size), path);
}

OpenedSource open_memory_source(std::string_view bytes) {
  auto opened = sniff(std::make_unique<MemorySource>(bytes), "<memory>");
  return std::move(*opened);  // memory reads cannot fail
}

Result<std::string> read_all(ByteSource& source, std::string prefix) {
  std::string out = std::move(prefix);
  std::size_t used = out.size();
  // A known size (a regular file) is read into one allocation, with room for the padding
  // a parser may want after it; otherwise the buffer doubles as it fills.
  constexpr std::size_t kSlack = 64;
  out.resize(std::max({out.size(), std::size_t{1} << 16, source.size_hint() + kSlack}));
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    auto n = source.read(out.data() + used, out.size() - used);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    used += *n;
  }
  out.resize(used);
  return out;
}

}  // namespace paddock::votelog
