#include "arena/ticket.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "sys/random_bytes.hpp"

namespace paddock::arena {
namespace {

// Version 2 pads every ticket to one length (version 1, still opened, did not: its length
// followed the lengths of the ids in it, and so named the pair of models to a voter who
// counted characters). Version 3 adds one byte, the broken side of an attention check
// (BrokenSide), to every ticket, so control battles' tickets have the same length too.
constexpr unsigned char kTicketVersion = 3;
constexpr unsigned char kPaddedTicketVersion = 2;
constexpr unsigned char kUnpaddedTicketVersion = 1;
constexpr unsigned char kClipVersion = 1;
// Associated data: a ticket can never be passed off as a clip token or the reverse.
constexpr std::string_view kTicketDomain = "paddock battle ticket v1";
constexpr std::string_view kClipDomain = "paddock clip token v1";
constexpr std::size_t kMaxSealed = 4096;
// A ticket's plain text: version, battle id, session, two times, two clip hashes, and four
// ids (track, prompt, two models) of at most kMaxIdBytes each (catalog_rules: 64), each
// after a two-byte length. Shorter ones are padded with zero bytes up to this size.
constexpr std::size_t kMaxIdBytes = 64;
constexpr std::size_t kTicketPlainBytes = 1 + 1 + 2 * 16 + 2 * 8 + 2 * 32 + 4 * (2 + kMaxIdBytes);
constexpr std::size_t kVersion2PlainBytes = kTicketPlainBytes - 1;
// Over-long ids (which no door of the catalog lets in) still seal: padded to a multiple of
// this, so only such a ticket's length differs.
constexpr std::size_t kOverlongStep = 64;
// libsodium 1.0.18 decodes any byte above 0x7f as the digit '_' (where char is signed), so a
// ticket with '_' replaced by such bytes would open: only the alphabet may reach it.
constexpr std::string_view kBase64UrlDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using Bytes = std::vector<unsigned char>;

void put_u64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

bool put_hex(Bytes& out, std::string_view hex, std::size_t bytes) {
  std::size_t start = out.size();
  out.resize(start + bytes);
  std::size_t len = 0;
  const char* end = nullptr;
  return hex.size() == bytes * 2 &&
         sodium_hex2bin(out.data() + start, bytes, hex.data(), hex.size(), nullptr, &len, &end) ==
             0 &&
         len == bytes;
}

void put_text(Bytes& out, std::string_view s) {
  auto n = static_cast<uint16_t>(std::min<std::size_t>(s.size(), 65535));
  out.push_back(static_cast<unsigned char>(n & 0xff));
  out.push_back(static_cast<unsigned char>(n >> 8));
  out.insert(out.end(), s.begin(), s.begin() + n);
}

class Reader {
 public:
  explicit Reader(const Bytes& b) : data_(b.data()), left_(b.size()) {}
  std::optional<uint64_t> u64() {
    if (left_ < 8) return std::nullopt;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(data_[i]) << (8 * i);
    advance(8);
    return v;
  }
  std::optional<unsigned char> u8() {
    if (left_ < 1) return std::nullopt;
    unsigned char v = data_[0];
    advance(1);
    return v;
  }
  std::optional<std::string> hex(std::size_t bytes) {
    if (left_ < bytes) return std::nullopt;
    std::string s(bytes * 2 + 1, '\0');
    sodium_bin2hex(s.data(), s.size(), data_, bytes);
    s.pop_back();
    advance(bytes);
    return s;
  }
  std::optional<std::string> text() {
    if (left_ < 2) return std::nullopt;
    std::size_t n = data_[0] | (static_cast<std::size_t>(data_[1]) << 8);
    advance(2);
    if (left_ < n) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(data_), n);
    advance(n);
    return s;
  }
  bool done() const { return left_ == 0; }
  // True if every byte left is zero (the padding of a version 2 ticket).
  bool only_padding_left() const {
    return std::all_of(data_, data_ + left_, [](unsigned char b) { return b == 0; });
  }

 private:
  void advance(std::size_t n) {
    data_ += n;
    left_ -= n;
  }
  const unsigned char* data_;
  std::size_t left_;
};

std::string seal_bytes(const Bytes& plain, const Key& key, std::string_view domain) {
  Bytes sealed(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain.size() +
               crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = sealed.data();
  sys::random_bytes(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, plain.data(),
      plain.size(), reinterpret_cast<const unsigned char*>(domain.data()), domain.size(), nullptr,
      nonce, key.data());
  std::string out(
      sodium_base64_ENCODED_LEN(sealed.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), sealed.data(), sealed.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL
  return out;
}

std::optional<Bytes> open_bytes(std::string_view text, const Key& key, std::string_view domain) {
  if (text.empty() || text.size() > kMaxSealed ||
      text.find_first_not_of(kBase64UrlDigits) != std::string_view::npos) {
    return std::nullopt;
  }
  Bytes sealed(text.size());
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(sealed.data(), sealed.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  constexpr std::size_t overhead =
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (len < overhead) return std::nullopt;
  Bytes plain(len - overhead);
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plain.data(), &plen, nullptr,
          sealed.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          reinterpret_cast<const unsigned char*>(domain.data()), domain.size(), sealed.data(),
          key.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(plen);
  return plain;
}

}  // namespace

TicketCodec::TicketCodec(const Key& ticket_key, const Key& clip_key)
    : ticket_key_(ticket_key), clip_key_(clip_key) {
  if (sodium_init() < 0) std::abort();
}

std::string TicketCodec::seal(const BattleTicket& t) const {
  Bytes b;
  b.reserve(256);
  b.push_back(kTicketVersion);
  b.push_back(static_cast<unsigned char>(t.broken));
  bool ok = put_hex(b, t.battle_id, 16) && put_hex(b, t.session, 16);
  put_u64(b, static_cast<uint64_t>(t.issued_at_ms));
  put_u64(b, static_cast<uint64_t>(t.expires_at_ms));
  ok = ok && put_hex(b, t.left_clip, 32) && put_hex(b, t.right_clip, 32);
  put_text(b, t.track_id);
  put_text(b, t.prompt_id);
  put_text(b, t.left_model);
  put_text(b, t.right_model);
  if (!ok) std::abort();  // REQUIRES violated: ids come from random_id() and stored hashes
  std::size_t size = kTicketPlainBytes;
  while (size < b.size()) size += kOverlongStep;
  b.resize(size, 0);
  return seal_bytes(b, ticket_key_, kTicketDomain);
}

Result<BattleTicket> TicketCodec::open(std::string_view sealed) const {
  auto plain = open_bytes(sealed, ticket_key_, kTicketDomain);
  auto bad = [] {
    return fail("bad_ticket", "the ticket was not issued by this arena or was altered");
  };
  if (!plain) return bad();
  Reader r(*plain);
  auto version = r.u8();
  if (version != kTicketVersion && version != kPaddedTicketVersion &&
      version != kUnpaddedTicketVersion) {
    return bad();
  }
  BattleTicket t;
  if (version == kTicketVersion) {
    auto broken = r.u8();
    if (!broken || *broken > static_cast<unsigned char>(BrokenSide::Right)) return bad();
    t.broken = static_cast<BrokenSide>(*broken);
  }
  auto id = r.hex(16), session = r.hex(16);
  auto issued = r.u64(), expires = r.u64();
  auto left_clip = r.hex(32), right_clip = r.hex(32);
  auto track = r.text(), prompt = r.text(), left = r.text(), right = r.text();
  const bool padding_ok = version == kTicketVersion
                              ? plain->size() >= kTicketPlainBytes && r.only_padding_left()
                          : version == kPaddedTicketVersion
                              ? plain->size() >= kVersion2PlainBytes && r.only_padding_left()
                              : r.done();
  if (!id || !session || !issued || !expires || !left_clip || !right_clip || !track || !prompt ||
      !left || !right || !padding_ok) {
    return bad();
  }
  t.battle_id = std::move(*id);
  t.session = std::move(*session);
  t.issued_at_ms = static_cast<int64_t>(*issued);
  t.expires_at_ms = static_cast<int64_t>(*expires);
  t.left_clip = std::move(*left_clip);
  t.right_clip = std::move(*right_clip);
  t.track_id = std::move(*track);
  t.prompt_id = std::move(*prompt);
  t.left_model = std::move(*left);
  t.right_model = std::move(*right);
  return t;
}

std::string TicketCodec::seal_clip(const ClipToken& token) const {
  Bytes b;
  b.reserve(48);
  b.push_back(kClipVersion);
  if (!put_hex(b, token.hash, 32)) std::abort();  // REQUIRES violated
  put_u64(b, static_cast<uint64_t>(token.expires_at_ms));
  return seal_bytes(b, clip_key_, kClipDomain);
}

Result<ClipToken> TicketCodec::open_clip(std::string_view sealed) const {
  auto plain = open_bytes(sealed, clip_key_, kClipDomain);
  auto bad = [] { return fail("not_found", "no such clip"); };
  if (!plain) return bad();
  Reader r(*plain);
  auto version = r.u8();
  auto hash = r.hex(32);
  auto expires = r.u64();
  if (version != kClipVersion || !hash || !expires || !r.done()) return bad();
  return ClipToken{std::move(*hash), static_cast<int64_t>(*expires)};
}

std::string new_battle_id(int64_t now_ms) {
  unsigned char raw[16];
  auto t = static_cast<uint64_t>(now_ms);
  for (int i = 0; i < 6; ++i) raw[i] = static_cast<unsigned char>(t >> (8 * (5 - i)));
  sys::random_bytes(raw + 6, sizeof raw - 6);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

std::string random_id() {
  unsigned char raw[16];
  sys::random_bytes(raw, sizeof raw);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

}  // namespace paddock::arena
