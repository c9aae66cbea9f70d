#pragma once
// A temporary file that removes itself: downloads are written into one, so a failed or
// abandoned download never leaves a file behind, and the caller decides when the bytes
// have been taken over (moved into the media folder, or copied by the import).

#include <filesystem>
#include <string_view>

#include "base/result.hpp"

namespace paddock::generate {

class TempFile {
 public:
  TempFile() = default;
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  // Closes the file and removes it, unless release() was called.
  ~TempFile();

  // Creates a new empty file in `dir`, named by us (".paddock-download-XXXXXX" + suffix;
  // nothing from a reply ever names a path), readable and writable by this user only, and
  // open for writing. Errors: "io_error" naming the folder (missing, not writable, full).
  static Result<TempFile> create(const std::filesystem::path& dir, std::string_view suffix);

  const std::filesystem::path& path() const { return path_; }
  bool empty() const { return path_.empty(); }
  // The open descriptor for writing, or -1 once closed.
  int fd() const { return fd_; }

  // Flushes the contents to disk (fsync) and closes the descriptor; the file stays owned.
  // Errors: "io_error" naming the file.
  Status sync_and_close();

  // Gives up ownership: the file stays when this object goes away, and the caller now
  // removes or renames it. Returns its path.
  std::filesystem::path release();

 private:
  void discard() noexcept;

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace paddock::generate
