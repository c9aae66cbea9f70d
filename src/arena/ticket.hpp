#pragma once
// Battle tickets and clip URL tokens: small records sealed with XChaCha20-Poly1305 (random
// 192-bit nonce each time), written as URL-safe base64. Sealing hides what they carry (the
// models) and authenticates it, so any server holding the key can accept a vote without a
// database read, and two battles never share a ticket or a clip URL. Every ticket has the
// same length (its ids are padded to the catalog's 64-byte limit), and so has every clip
// token: a voter who counts characters learns nothing about the models.

#include <cstdint>
#include <string>
#include <string_view>

#include "arena/keys.hpp"
#include "base/result.hpp"

namespace paddock::arena {

// Which side of a battle shows an attention check's broken clip (store::Control); None for
// an ordinary battle.
enum class BrokenSide : unsigned char { None = 0, Left = 1, Right = 2 };

// Everything a vote needs to know about its battle.
struct BattleTicket {
  std::string battle_id;  // 32 lowercase hex digits
  std::string session;    // 32 lowercase hex digits
  int64_t issued_at_ms = 0;
  int64_t expires_at_ms = 0;
  std::string track_id;
  std::string prompt_id;
  std::string left_model;
  std::string right_model;
  std::string left_clip;  // content hashes, 64 lowercase hex digits
  std::string right_clip;
  // An attention check: the broken side, whose model field holds the control's id instead
  // of a model's (a control battle's ticket has the same length as any other).
  BrokenSide broken = BrokenSide::None;

  bool operator==(const BattleTicket&) const = default;
};

struct ClipToken {
  std::string hash;  // 64 lowercase hex digits
  int64_t expires_at_ms = 0;
};

class TicketCodec {
 public:
  TicketCodec(const Key& ticket_key, const Key& clip_key);

  // REQUIRES: ids and hashes in the formats above; track, prompt and model ids of at most 64
  // bytes (catalog_rules' ids), and then every ticket has the same length. Longer ones would
  // seal, to a longer ticket, but open() refuses sealed text over 4096 characters.
  std::string seal(const BattleTicket& ticket) const;
  // Errors: "bad_ticket" when the text was not sealed with this key or was altered.
  Result<BattleTicket> open(std::string_view sealed) const;

  std::string seal_clip(const ClipToken& token) const;
  // Errors: "not_found" when the token was not sealed with this key or was altered.
  Result<ClipToken> open_clip(std::string_view sealed) const;

 private:
  Key ticket_key_;
  Key clip_key_;
};

// 16 random bytes as 32 lowercase hex digits.
std::string random_id();

// A battle id: 32 lowercase hex digits, the first 12 the issue time in milliseconds and the
// other 20 random (80 bits). Ids issued close in time sort close together, so the database's
// indexes on battle ids grow at their end instead of at random places (far fewer pages
// written per commit); they stay unguessable, and nothing is granted by knowing one anyway
// (votes need the sealed ticket).
std::string new_battle_id(int64_t now_ms);

}  // namespace paddock::arena
