// The request headers and URL parts the http layer reads itself, through the one place a
// client reaches them without a ticket: static files (http::StaticFiles::serve) over a
// scratch web root. The input is split at newlines into the URL path, Range, If-Range,
// If-None-Match and Accept-Encoding; the query string and cookie parsers get the rest.
// Checks: a file answered is one of the web root's own files (never the secret beside the
// root, never through a symlink, never a hidden file); a range answered lies inside that file
// and agrees with Content-Range; 304 and 416 carry no body; gzip only when asked for.

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "http/file_response.hpp"
#include "http/session_cookie.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"
#include "support/fuzz_support.hpp"

namespace {

using namespace paddock;
namespace fs = std::filesystem;

struct WebRoot {
  fs::path root;
  std::map<std::pair<dev_t, ino_t>, std::string> servable;  // inode -> file name
};

const WebRoot& web_root() {
  static const WebRoot w = [] {
    WebRoot out;
    out.root = fuzz::scratch_dir() / "web";
    fs::create_directories(out.root / "assets");
    auto put = [](const fs::path& p, std::string_view text) {
      std::ofstream(p, std::ios::binary) << text;
    };
    put(out.root / "index.html", "<!doctype html><title>paddock</title>");
    put(out.root / "assets" / "app.js", "console.log('paddock');\n");
    put(out.root / "assets" / "app.js.gz", "gzip'd app.js");
    put(out.root / "style.css", "body{}");
    put(out.root / "empty.txt", "");
    put(out.root / ".env", "hidden");
    put(fuzz::scratch_dir() / "secret.txt", "never served");
    fs::create_symlink("../secret.txt", out.root / "link.txt");
    for (const char* name :
         {"index.html", "assets/app.js", "assets/app.js.gz", "style.css", "empty.txt"}) {
      struct stat st {};
      ::stat((out.root / name).c_str(), &st);
      out.servable[{st.st_dev, st.st_ino}] = name;
    }
    return out;
  }();
  return w;
}

std::string_view piece(std::string_view& input) {
  const auto nl = input.find('\n');
  auto out = input.substr(0, nl);
  input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const WebRoot& w = web_root();
  static const http::StaticFiles files(w.root);
  std::string_view input = fuzz::as_text(data, size);

  http::Request r;
  r.path = std::string(piece(input));
  r.range = std::string(piece(input));
  r.if_range = std::string(piece(input));
  r.if_none_match = std::string(piece(input));
  r.accept_encoding = std::string(piece(input));
  r.target = r.path;

  const http::Response response = files.serve(r);
  if (response.file) {
    struct stat st {};
    FUZZ_CHECK(::fstat(response.file->file->fd(), &st) == 0, "fstat failed");
    auto it = w.servable.find({st.st_dev, st.st_ino});
    FUZZ_CHECK(it != w.servable.end(), "served a file that is not the web root's: path %s",
               r.path.c_str());
    FUZZ_CHECK(response.file->offset >= 0 && response.file->length >= 0 &&
                   response.file->offset + response.file->length <= st.st_size,
               "range %lld+%lld outside a file of %lld bytes",
               static_cast<long long>(response.file->offset),
               static_cast<long long>(response.file->length), static_cast<long long>(st.st_size));
    FUZZ_CHECK(response.status == 200 || response.status == 206, "a file body with status %d",
               response.status);
    if (response.status == 206) {
      const std::string* range = response.find_header("Content-Range");
      const std::string expected =
          "bytes " + std::to_string(response.file->offset) + "-" +
          std::to_string(response.file->offset + response.file->length - 1) + "/" +
          std::to_string(st.st_size);
      FUZZ_CHECK(range && *range == expected, "Content-Range does not match the body");
    }
    // The gzip'd copy in place of the file only for clients that take gzip (asking for the
    // .gz file by its own name is another matter).
    if (response.find_header("Content-Encoding")) {
      FUZZ_CHECK(it->second.ends_with(".gz"), "Content-Encoding on %s", it->second.c_str());
      FUZZ_CHECK(http::StaticFiles::accepts_gzip(r.accept_encoding) && r.range.empty(),
                 "sent gzip to a client that did not ask for it");
    }
  } else {
    FUZZ_CHECK(response.status == 304 || response.status == 404 || response.status == 416,
               "status %d without a body", response.status);
  }

  // The rest of the input goes to the other header and URL parsers.
  const std::string_view rest = input;
  if (auto q = http::QueryParams::parse(rest)) {
    (void)q->all("category");
    (void)q->get("track");
  }
  if (auto decoded = http::percent_decode(rest, false)) {
    FUZZ_CHECK(decoded->size() <= rest.size(), "decoding made the text longer");
  }
  (void)http::etag_matches(rest, "\"abc-123\"");
  (void)http::find_cookie(rest, "paddock_session");
  return 0;
}
