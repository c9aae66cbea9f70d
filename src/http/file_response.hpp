#pragma once
// Answering GET/HEAD for one file on disk: Range (206, suffix and open-ended ranges, 416),
// ETag with If-None-Match (304) and If-Range, streamed from disk by the server.

#include <filesystem>
#include <string>

#include "http/message.hpp"

namespace paddock::http {

struct FileServing {
  std::string content_type;
  std::string etag;  // quoted; empty: derived from the file's size and modification time
  std::string cache_control;
};

// Opens `path` (a regular file, symlinks not followed) and answers `request` from it, or
// returns nullopt if it cannot be opened (the caller answers 404).
std::optional<Response> file_response(const Request& request, const std::filesystem::path& path,
                                      const FileServing& serving);

// True if an If-None-Match header value matches `etag` (weak comparison, "*" matches).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace paddock::http
