#pragma once
// The browser front end: files under the web root, with index.html for the pages' own
// routes (paths without a file extension), content types by extension, and caching headers
// (index.html revalidated every time; hashed build assets under /assets/ kept a year).
// A file with a gzip'd copy beside it (NAME.gz, made by the front end's build) is sent
// as that copy, with Content-Encoding: gzip, to clients that accept gzip.

#include <filesystem>

#include "http/message.hpp"

namespace paddock::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path web_root);

  // Answers a GET or HEAD for `request.path`. Paths that try to leave the web root, or name
  // no file, are 404.
  Response serve(const Request& request) const;

  // True if an Accept-Encoding header value admits gzip (by name or "*", with q > 0).
  static bool accepts_gzip(std::string_view accept_encoding);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace paddock::http
