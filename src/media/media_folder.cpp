// The content-addressed media folder: MEDIA/ab/abcdef…(64 hex).ext, written through a
// temporary file, fsync and rename, so a crash never leaves a partial file under a real name.
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include "media/image_metadata.hpp"
#include "media/input_file.hpp"
#include "media/media.hpp"
#include "media/normalize.hpp"

namespace paddock::media {
namespace {

namespace fs = std::filesystem;

// Extensions a stored file may have; stored_path() looks for these only.
constexpr std::array<std::string_view, 5> kStoredExtensions = {"mp4", "webm", "png", "jpg", "webp"};

std::string extension_for(const std::string& container) {
  return container == "jpeg" ? "jpg" : container;
}

bool is_hash(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string errno_text() {
  return std::strerror(errno);
}

Status fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) return fail("io_error", p.string() + ": cannot open to sync: " + errno_text());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return fail("io_error", p.string() + ": fsync failed: " + std::strerror(saved));
  return ok();
}

Result<std::string> sha256_hex(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail("io_error", p.string() + ": cannot read: " + errno_text());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  if (in.bad()) return fail("io_error", p.string() + ": read failed");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

// Temporary files: a live writer's, or one a dead writer left (see WritersLock).
constexpr std::string_view kTemporaryPrefix = ".incoming-";

// A flock(2) on the media folder itself (no file of its own), released when it goes or the
// process dies: writers hold it shared while their temporary file exists.
class WritersLock {
 public:
  // Shared: this writer's temporary file is live. Waits while a cleaner holds it.
  static Result<WritersLock> shared(const fs::path& media_dir) { return take(media_dir, LOCK_SH); }
  // Exclusive, without waiting: no writer is live. nullopt while one is.
  static Result<std::optional<WritersLock>> exclusive(const fs::path& media_dir) {
    auto lock = take(media_dir, LOCK_EX | LOCK_NB);
    if (!lock) {
      if (lock.error().code == "busy") return std::optional<WritersLock>();
      return std::unexpected(lock.error());
    }
    return std::optional<WritersLock>(std::move(*lock));
  }
  WritersLock(WritersLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  WritersLock& operator=(WritersLock&&) = delete;
  ~WritersLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit WritersLock(int fd) : fd_(fd) {}
  static Result<WritersLock> take(const fs::path& media_dir, int operation) {
    int fd = ::open(media_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail("io_error", media_dir.string() + ": cannot open: " + errno_text());
    int rc = 0;
    while ((rc = ::flock(fd, operation)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
      const int saved = errno;
      ::close(fd);
      if (saved == EWOULDBLOCK) return fail("busy", media_dir.string() + ": a writer is storing");
      return fail("io_error", media_dir.string() + ": cannot lock: " + std::strerror(saved));
    }
    return WritersLock(fd);
  }
  int fd_;
};

// A name in media_dir that stored_path() can never return (it does not start with a hash),
// unique so concurrent imports do not collide.
Result<fs::path> temporary_name(const fs::path& media_dir, const std::string& ext) {
  if (sodium_init() < 0) return fail("internal", "libsodium failed to initialize");
  unsigned char random[8];
  randombytes_buf(random, sizeof random);
  char hex[sizeof random * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  return media_dir / (std::string(kTemporaryPrefix) + hex + "." + ext);
}

// Deletes the temporary file unless it was moved into place.
struct TemporaryFile {
  fs::path path;
  ~TemporaryFile() {
    if (!path.empty()) {
      std::error_code ec;
      fs::remove(path, ec);
    }
  }
};

Status make_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("io_error", dir.string() + ": cannot create folder: " + ec.message());
  return ok();
}

// Syncs `temp`, names it by its hash and moves it into place (or drops it when that content
// is already stored), then probes the stored file.
Result<StoredMedia> commit(TemporaryFile& temp, const fs::path& media_dir, const std::string& ext) {
  if (auto st = fsync_path(temp.path, false); !st) return std::unexpected(st.error());
  auto hash = sha256_hex(temp.path);
  if (!hash) return std::unexpected(hash.error());
  StoredMedia stored;
  stored.hash = *hash;
  stored.relative_path = fs::path(hash->substr(0, 2)) / (*hash + "." + ext);
  const fs::path final_path = media_dir / stored.relative_path;
  if (auto st = make_folder(final_path.parent_path()); !st) return std::unexpected(st.error());
  std::error_code ec;
  if (fs::is_regular_file(fs::symlink_status(final_path, ec))) {
    // Same hash, same bytes: the content is already stored; keep the one file.
    fs::remove(temp.path, ec);
  } else {
    fs::rename(temp.path, final_path, ec);
    if (ec) {
      return fail("io_error", final_path.string() + ": cannot move into place: " + ec.message());
    }
    if (auto st = fsync_path(final_path.parent_path(), true); !st) {
      return std::unexpected(st.error());
    }
  }
  temp.path.clear();
  auto facts = probe(final_path);
  if (!facts) {
    return fail("internal",
                final_path.string() + ": stored file does not probe: " + facts.error().message);
  }
  stored.facts = *facts;
  return stored;
}

Result<std::vector<uint8_t>> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail("io_error", p.string() + ": cannot read: " + errno_text());
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return fail("io_error", p.string() + ": read failed");
  return bytes;
}

Status write_all(const fs::path& p, const std::vector<uint8_t>& bytes) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail("io_error", p.string() + ": cannot create: " + errno_text());
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      return fail("io_error", p.string() + ": write failed: " + std::strerror(saved));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return fail("io_error", p.string() + ": close failed: " + errno_text());
  return ok();
}

}  // namespace

Result<StoredMedia> store_normalized(const fs::path& source, const fs::path& media_dir,
                                     const NormalizeOptions& options) {
  {
    auto checked = open_input(source);
    if (!checked) return std::unexpected(checked.error());
    if (checked->facts.is_image) {
      return fail("not_video", source.string() + ": is a still image, not a clip");
    }
    if (auto st = check_integrity(*checked, source); !st) return std::unexpected(st.error());
  }
  auto in = open_input(source);  // fresh, since the check read every packet
  if (!in) return std::unexpected(in.error());
  const bool house = options.encoding == Encoding::House;
  const std::string container = house ? "mp4" : remux_container(in->facts);
  if (auto st = make_folder(media_dir); !st) return std::unexpected(st.error());
  auto writing = WritersLock::shared(media_dir);
  if (!writing) return std::unexpected(writing.error());
  auto temp_name = temporary_name(media_dir, container);
  if (!temp_name) return std::unexpected(temp_name.error());
  TemporaryFile temp{*temp_name};
  Status written = house ? encode_house(*in, source, temp.path, options)
                         : remux(*in, source, temp.path, container, options.keep_audio);
  if (!written) return std::unexpected(written.error());
  in->format.reset();
  if (const int64_t budget = house ? house_file_bytes(options) : 0; budget > 0) {
    auto padded = pad_mp4(temp.path, budget, house_over_budget_step(budget));
    if (!padded) return std::unexpected(padded.error());
  }
  return commit(temp, media_dir, container);
}

Result<StoredMedia> store_source(const fs::path& source, const fs::path& media_dir) {
  auto facts = probe(source);
  if (!facts) return std::unexpected(facts.error());
  if (!facts->is_image) {
    return store_normalized(source, media_dir, NormalizeOptions{.encoding = Encoding::Remux});
  }
  auto bytes = read_all(source);
  if (!bytes) return std::unexpected(bytes.error());
  auto stripped = strip_image_metadata(facts->container, *bytes);
  if (!stripped) {
    return fail(stripped.error().code, source.string() + ": " + stripped.error().message);
  }
  if (auto st = make_folder(media_dir); !st) return std::unexpected(st.error());
  auto writing = WritersLock::shared(media_dir);
  if (!writing) return std::unexpected(writing.error());
  const std::string ext = extension_for(facts->container);
  auto temp_name = temporary_name(media_dir, ext);
  if (!temp_name) return std::unexpected(temp_name.error());
  TemporaryFile temp{*temp_name};
  if (auto st = write_all(temp.path, *stripped); !st) return std::unexpected(st.error());
  return commit(temp, media_dir, ext);
}

Result<int> remove_stale_temporaries(const fs::path& media_dir) {
  std::error_code ec;
  if (!fs::is_directory(media_dir, ec)) return 0;
  auto lock = WritersLock::exclusive(media_dir);
  if (!lock) return std::unexpected(lock.error());
  if (!*lock) return 0;  // someone is writing: their file is not stale
  int removed = 0;
  for (fs::directory_iterator it(media_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kTemporaryPrefix)) continue;
    std::error_code gone;
    if (!fs::is_regular_file(it->symlink_status(gone))) continue;
    if (!fs::remove(it->path(), gone) && gone) {
      return fail("io_error", it->path().string() + ": cannot delete: " + gone.message());
    }
    ++removed;
  }
  if (ec) return fail("io_error", media_dir.string() + ": cannot list: " + ec.message());
  return removed;
}

std::optional<fs::path> stored_path(const fs::path& media_dir, std::string_view hash) {
  if (!is_hash(hash)) return std::nullopt;
  const fs::path folder = media_dir / std::string(hash.substr(0, 2));
  for (std::string_view ext : kStoredExtensions) {
    fs::path p = folder / (std::string(hash) + "." + std::string(ext));
    std::error_code ec;
    // A symlink could point anywhere; only regular files placed by store_* count.
    if (fs::is_regular_file(fs::symlink_status(p, ec))) return p;
  }
  return std::nullopt;
}

}  // namespace paddock::media
