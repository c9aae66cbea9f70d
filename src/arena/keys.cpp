#include "arena/keys.hpp"

#include <sodium.h>

#include <cstdlib>

namespace paddock::arena {
namespace {

void init_sodium() {
  if (sodium_init() < 0) std::abort();  // no random source: nothing secure is possible
}

constexpr char kContext[crypto_kdf_CONTEXTBYTES] = {'p', 'a', 'd', 'd', 'o', 'c', 'k', '1'};

}  // namespace

std::string generate_master_key() {
  init_sodium();
  Key key;
  crypto_kdf_keygen(key.data());
  std::string hex(key.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  hex.pop_back();
  sodium_memzero(key.data(), key.size());
  return hex;
}

Result<ArenaKeys> derive_keys(std::string_view master_key_hex) {
  init_sodium();
  Key master;
  std::size_t len = 0;
  const char* end = nullptr;
  if (master_key_hex.size() != 64 ||
      sodium_hex2bin(master.data(), master.size(), master_key_hex.data(), master_key_hex.size(),
                     nullptr, &len, &end) != 0 ||
      len != master.size() || end != master_key_hex.data() + master_key_hex.size()) {
    return fail("bad_key", "the ticket key must be 64 hexadecimal digits (32 bytes)");
  }
  ArenaKeys keys;
  crypto_kdf_derive_from_key(keys.ticket.data(), keys.ticket.size(), 1, kContext, master.data());
  crypto_kdf_derive_from_key(keys.clip.data(), keys.clip.size(), 2, kContext, master.data());
  crypto_kdf_derive_from_key(keys.session.data(), keys.session.size(), 3, kContext, master.data());
  crypto_kdf_derive_from_key(keys.etag.data(), keys.etag.size(), 4, kContext, master.data());
  sodium_memzero(master.data(), master.size());
  return keys;
}

}  // namespace paddock::arena
