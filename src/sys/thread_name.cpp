#include "sys/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace paddock::sys {

void name_this_thread(std::string_view name) {
  std::string text(name.substr(0, 15));
  ::pthread_setname_np(::pthread_self(), text.c_str());
}

}  // namespace paddock::sys
