#include "http/message.hpp"

#include <unistd.h>

namespace paddock::http {

bool changes_state(Method m) {
  return m == Method::Post || m == Method::Put || m == Method::Patch || m == Method::Delete;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace paddock::http
