#pragma once
// Where a vote log's bytes come from: a file, standard input or memory, each possibly gzip
// compressed (recognised by the magic bytes 1f 8b, and decompressed as a stream, so a large
// log never has to fit in memory twice).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace paddock::votelog {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; 0 means the end. Errors: "io_error".
  virtual Result<std::size_t> read(char* buffer, std::size_t size) = 0;
  // Total size when known in advance (a regular uncompressed file), else 0.
  virtual std::size_t size_hint() const { return 0; }
};

struct OpenedSource {
  std::unique_ptr<ByteSource> source;  // yields the decompressed bytes
  bool gzip = false;
};

// Opens `path` ("-" = standard input). Errors: "io_error" naming the file.
Result<OpenedSource> open_file_source(const std::string& path);
// Reads from memory the caller keeps alive.
OpenedSource open_memory_source(std::string_view bytes);

// Reads everything left in `source` after `prefix`.
Result<std::string> read_all(ByteSource& source, std::string prefix);

}  // namespace paddock::votelog
