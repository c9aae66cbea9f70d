#include "http/message.hpp"

#include <strings.h>
#include <unistd.h>

namespace paddock::http {

bool changes_state(Method m) {
  return m == Method::Post || m == Method::Put || m == Method::Patch || m == Method::Delete;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

const std::string* Response::find_header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return &v;
  }
  return nullptr;
}

}  // namespace paddock::http
