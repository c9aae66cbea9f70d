#include "http/file_response.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/text.hpp"
#include "http/responses.hpp"
#include "media/media.hpp"

namespace paddock::http {
namespace {

std::string_view strip_weak(std::string_view tag) {
  tag = trim(tag);
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

std::string hex(uint64_t v) {
  char buf[20];
  int n = std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

bool etag_matches(std::string_view header, std::string_view etag) {
  auto want = strip_weak(etag);
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = strip_weak(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*" || (!tag.empty() && tag == want)) return true;
  }
  return false;
}

std::optional<Response> file_response(const Request& request, const std::filesystem::path& path,
                                      const FileServing& serving) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return std::nullopt;
  auto file = std::make_shared<FileHandle>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const int64_t size = st.st_size;

  std::string etag = serving.etag;
  if (etag.empty()) {
    auto mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                    static_cast<uint64_t>(st.st_mtim.tv_nsec);
    etag = "\"" + hex(static_cast<uint64_t>(size)) + "-" + hex(mtime_ns) + "\"";
  }

  Response r;
  auto common = [&](Response& out) {
    out.header("ETag", etag);
    if (!serving.cache_control.empty()) out.header("Cache-Control", serving.cache_control);
    out.header("Accept-Ranges", "bytes");
  };

  if (!request.if_none_match.empty() && etag_matches(request.if_none_match, etag)) {
    r.status = 304;
    common(r);
    return r;
  }

  std::optional<std::string_view> range;
  if (!request.range.empty()) range = request.range;
  // If-Range: only honor the range if the client's copy is still the current one.
  if (range && !request.if_range.empty() && strip_weak(request.if_range) != strip_weak(etag)) {
    range.reset();
  }
  auto decision = media::decide_range(range, size);
  switch (decision.kind) {
    case media::RangeKind::Unsatisfiable: {
      Response e = error_response(
          416, "range_not_satisfiable",
          "the requested range is outside the file's " + std::to_string(size) + " bytes");
      e.header("Content-Range", "bytes */" + std::to_string(size));
      e.header("Accept-Ranges", "bytes");
      return e;
    }
    case media::RangeKind::Partial:
      r.status = 206;
      r.header("Content-Type", serving.content_type);
      r.header("Content-Range", "bytes " + std::to_string(decision.range.first) + "-" +
                                    std::to_string(decision.range.last) + "/" +
                                    std::to_string(size));
      common(r);
      r.file = Response::FileRange{std::move(file), decision.range.first, decision.range.length()};
      return r;
    case media::RangeKind::Whole:
      break;
  }
  r.status = 200;
  r.header("Content-Type", serving.content_type);
  common(r);
  r.file = Response::FileRange{std::move(file), 0, size};
  return r;
}

}  // namespace paddock::http
