// GET /media/c/<token> (a battle's clip) and GET /media/s/<hash> (a prompt's source).
// The URL carries only a sealed token or a content hash, never a path: whatever else it
// holds is 404 before the file system is touched.

#include "http/endpoints.hpp"
#include "http/file_response.hpp"
#include "http/mime.hpp"
#include "http/responses.hpp"

namespace paddock::http {
namespace {

constexpr std::size_t kMaxToken = 512;

bool base64url(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool lowercase_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Response not_found() {
  return error_response(404, "not_found", "no such media");
}

Response serve(const Request& request, const arena::MediaFile& file, const char* cache_control) {
  std::string type =
      file.mime.empty() ? std::string(content_type_for(file.path.filename().string())) : file.mime;
  auto r = file_response(request, file.path, {std::move(type), file.etag, cache_control});
  if (!r) return not_found();
  return std::move(*r);
}

}  // namespace

void clip_media_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  std::string_view token =
      std::string_view(ex.request.path).substr(std::string_view("/media/c/").size());
  if (token.empty() || token.size() > kMaxToken || !base64url(token)) return respond(not_found());
  auto file = env.arena.clip_media(token);
  if (!file) return respond(not_found());
  // Private: the URL is one voter's; the browser may keep it for replays and seeking.
  respond(serve(ex.request, *file, "private, max-age=3600"));
}

void source_media_endpoint(Env& env, Exchange& ex, const Responder& respond) {
  std::string_view hash =
      std::string_view(ex.request.path).substr(std::string_view("/media/s/").size());
  if (!lowercase_hex64(hash)) return respond(not_found());
  auto file = env.arena.source_media(hash);
  if (!file) return respond(not_found());
  respond(serve(ex.request, *file, "public, max-age=86400, immutable"));
}

}  // namespace paddock::http
