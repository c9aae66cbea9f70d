#include "http/static_files.hpp"

#include <charconv>

#include "base/text.hpp"
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

// The q value of one Accept-Encoding element's parameters ("; q=0.5"); 1 when absent,
// 0 when unreadable (an element we cannot read is not a promise to decode).
double quality(std::string_view params) {
  while (!params.empty()) {
    auto semicolon = params.find(';');
    auto param = trim(params.substr(0, semicolon));
    params =
        semicolon == std::string_view::npos ? std::string_view() : params.substr(semicolon + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    auto value = param.substr(2);
    double q = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
    if (ec != std::errc() || end != value.data() + value.size()) return 0;
    return q;
  }
  return 1;
}

// Text assets worth compressing; the build writes .gz copies only for these.
bool compressible(const std::filesystem::path& rel) {
  auto ext = rel.extension();
  return ext == ".js" || ext == ".css" || ext == ".html" || ext == ".svg" || ext == ".json";
}

}  // namespace

bool StaticFiles::accepts_gzip(std::string_view accept_encoding) {
  std::optional<bool> gzip, any;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    auto element = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    auto semicolon = element.find(';');
    auto coding = trim(element.substr(0, semicolon));
    auto params =
        semicolon == std::string_view::npos ? std::string_view() : element.substr(semicolon + 1);
    if (equals_ignoring_case(coding, "gzip") || equals_ignoring_case(coding, "x-gzip")) {
      gzip = quality(params) > 0;
    } else if (coding == "*") {
      any = quality(params) > 0;
    }
  }
  return gzip.value_or(any.value_or(false));
}

StaticFiles::StaticFiles(std::filesystem::path web_root) : root_(std::move(web_root)) {}

Response StaticFiles::serve(const Request& request) const {
  auto rel = relative_file(request.path);
  if (!rel) return error_response(404, "not_found", "no such page");
  if (!rel->empty()) {
    auto path = root_ / *rel;
    FileServing serving{std::string(content_type_for(path.filename().string())), "",
                        cache_control_for(*rel)};
    // Ranges of a text asset are rare; they get the identity bytes the range names.
    const bool varies = compressible(*rel);
    if (varies && request.range.empty() && accepts_gzip(request.accept_encoding)) {
      auto gzipped = path;
      gzipped += ".gz";
      if (auto r = file_response(request, gzipped, serving)) {
        r->header("Content-Encoding", "gzip");
        r->header("Vary", "Accept-Encoding");
        return std::move(*r);
      }
    }
    if (auto r = file_response(request, path, serving)) {
      if (varies) r->header("Vary", "Accept-Encoding");
      return std::move(*r);
    }
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
