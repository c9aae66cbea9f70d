#include "generate/job_owner.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

#include "sys/random_bytes.hpp"

namespace paddock::generate {
namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  std::string out(name);
  for (char& c : out) {
    if (c == '/') c = '_';
  }
  return out;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  sys::random_bytes(raw.data(), raw.size());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : raw) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

const std::string& this_process_owner() {
  static const std::string owner =
      host_name() + "/" + std::to_string(::getpid()) + "/" + random_hex(4);
  return owner;
}

bool owner_is_dead(std::string_view owner) {
  const size_t first = owner.find('/');
  const size_t second = owner.find('/', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return false;
  static const std::string host = host_name();
  if (owner.substr(0, first) != host) return false;
  if (owner == this_process_owner()) return false;
  const std::string_view pid_text = owner.substr(first + 1, second - first - 1);
  int pid = 0;
  auto [end, ec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (ec != std::errc() || end != pid_text.data() + pid_text.size() || pid <= 0) return false;
  if (pid == ::getpid()) return true;  // this pid, another owner id: an earlier life of it
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace paddock::generate
