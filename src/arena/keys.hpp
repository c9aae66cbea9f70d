#pragma once
// The arena's secrets. One 256-bit master key (from configuration, or generated once and
// kept in the store so that every server on a database shares it) is split with
// libsodium's KDF into independent subkeys, one per purpose, so a key never serves two.

#include <array>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::arena {

using Key = std::array<unsigned char, 32>;

struct ArenaKeys {
  Key ticket;   // XChaCha20-Poly1305 key of battle tickets
  Key clip;     // XChaCha20-Poly1305 key of clip URL tokens
  Key session;  // BLAKE2b key of session cookies
  Key etag;     // BLAKE2b key of media ETags (so they do not reveal content hashes)
};

// A fresh random master key as 64 lowercase hex digits.
std::string generate_master_key();

// Derives the subkeys from a master key written as 64 hex digits.
// Errors: "bad_key" when the text is not 64 hex digits.
Result<ArenaKeys> derive_keys(std::string_view master_key_hex);

}  // namespace paddock::arena
