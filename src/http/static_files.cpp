#include "http/static_files.hpp"

#include "http/file_response.hpp"
#include "http/mime.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"

namespace paddock::http {
namespace {

// The relative file path a URL path names, or nullopt if it names nothing servable: bad
// escapes, NUL bytes, backslashes, "." or ".." segments, hidden files.
std::optional<std::filesystem::path> relative_file(std::string_view url_path) {
  auto decoded = percent_decode(url_path, false);
  if (!decoded || decoded->empty() || decoded->front() != '/') return std::nullopt;
  if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
    return std::nullopt;
  }
  std::filesystem::path rel;
  std::string_view rest(*decoded);
  rest.remove_prefix(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty()) continue;
    if (segment.front() == '.') return std::nullopt;  // ".", "..", ".git", ...
    rel /= std::string(segment);
  }
  return rel;
}

std::string cache_control_for(const std::filesystem::path& rel) {
  if (rel.empty() || rel.filename() == "index.html") return "no-cache";
  auto first = *rel.begin();
  if (first == "assets") return "public, max-age=31536000, immutable";
  return "public, max-age=3600";
}

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path web_root) : root_(std::move(web_root)) {}

Response StaticFiles::serve(const Request& request) const {
  auto rel = relative_file(request.path);
  if (!rel) return error_response(404, "not_found", "no such page");
  if (!rel->empty()) {
    auto path = root_ / *rel;
    auto r = file_response(
        request, path,
        {std::string(content_type_for(path.filename().string())), "", cache_control_for(*rel)});
    if (r) return std::move(*r);
    // A missing file with an extension is a missing file; without one it is a page route.
    if (rel->filename().has_extension()) return error_response(404, "not_found", "no such file");
  }
  auto index =
      file_response(request, root_ / "index.html", {"text/html; charset=utf-8", "", "no-cache"});
  if (index) return std::move(*index);
  return error_response(404, "not_found",
                        "the front end is not installed (no index.html in the web root)");
}

}  // namespace paddock::http
