#pragma once
// Content types by file name extension, for the static front end and media files.

#include <string_view>

namespace paddock::http {

// The Content-Type for a file name ("app.js" -> "text/javascript; charset=utf-8");
// "application/octet-stream" when the extension is unknown.
std::string_view content_type_for(std::string_view file_name);

}  // namespace paddock::http
