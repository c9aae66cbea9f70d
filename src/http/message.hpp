#pragma once
// The request and response the http layer's handlers see: plain values, no Boost types, so
// that only server.cpp has to compile Beast.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace paddock::http {

enum class Method { Get, Head, Post, Put, Patch, Delete, Options, Other };

// True for methods that change state (CSRF checks and JSON bodies apply to them).
bool changes_state(Method);

struct Request {
  Method method = Method::Get;
  std::string target;  // as received, e.g. "/api/leaderboard?track=t2v"
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // target after '?', without it
  // The headers handlers use; empty when absent.
  std::string host;
  std::string content_type;
  std::string cookie;
  std::string origin;
  std::string sec_fetch_site;
  std::string range;
  std::string if_range;
  std::string if_none_match;
  std::string accept_encoding;
  std::string authorization;
  std::string forwarded_for;  // X-Forwarded-For
  std::string body;
  std::string peer_address;  // the client's IP address, without port
};

// An open file, closed when the last owner lets go.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Returns the next piece of a streamed body, nullopt at its end, or an error (the connection
// is then closed, since the status line has already been sent). May block: the server calls
// it off its io threads.
using BodyStream = std::function<Result<std::optional<std::string>>()>;

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
  std::string body;
  // When set, the body is bytes [offset, offset + length) of this file, streamed from disk.
  struct FileRange {
    std::shared_ptr<FileHandle> file;
    int64_t offset = 0;
    int64_t length = 0;
  };
  std::optional<FileRange> file;
  // When set, the body is sent chunked, piece by piece.
  BodyStream stream;
  bool close = false;  // close the connection after this response

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Delivers a response; may be called from any thread, exactly once.
using Responder = std::function<void(Response&&)>;

}  // namespace paddock::http
