#include "generate/temp_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace paddock::generate {

TempFile::TempFile(TempFile&& other) noexcept
    : path_(std::exchange(other.path_, {})), fd_(std::exchange(other.fd_, -1)) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::exchange(other.path_, {});
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

TempFile::~TempFile() {
  discard();
}

void TempFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

Result<TempFile> TempFile::create(const std::filesystem::path& dir, std::string_view suffix) {
  std::string name = (dir / ".paddock-download-XXXXXX").string();
  name.append(suffix);
  const int fd = ::mkostemps(name.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
  if (fd < 0) {
    return fail("io_error",
                "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
  }
  TempFile file;
  file.path_ = name;
  file.fd_ = fd;
  return file;
}

Status TempFile::sync_and_close() {
  if (fd_ < 0) return ok();
  const bool synced = ::fsync(fd_) == 0;
  const int sync_errno = errno;
  const bool closed = ::close(fd_) == 0;
  fd_ = -1;
  if (!synced || !closed) {
    return fail("io_error", "cannot write " + path_.string() +
                                " to disk: " + std::strerror(synced ? errno : sync_errno));
  }
  return ok();
}

std::filesystem::path TempFile::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return std::exchange(path_, {});
}

}  // namespace paddock::generate
