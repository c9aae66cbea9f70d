#include "arena/ticket.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <vector>

namespace paddock::arena {
namespace {

BattleTicket sample() {
  BattleTicket t;
  t.battle_id = random_id();
  t.session = random_id();
  t.issued_at_ms = 1764213600000;
  t.expires_at_ms = 1764215400000;
  t.track_id = "t2v";
  t.prompt_id = "p-001";
  t.left_model = "seedance-2";
  t.right_model = "happyhorse";
  t.left_clip = std::string(64, 'a');
  t.right_clip = std::string(63, 'b') + "c";
  return t;
}

TicketCodec codec(std::string_view master) {
  auto keys = derive_keys(master);
  EXPECT_TRUE(keys);
  return TicketCodec(keys->ticket, keys->clip);
}

const std::string kMaster = generate_master_key();

TEST(TicketCodec, OpensWhatItSealed) {
  auto c = codec(kMaster);
  auto t = sample();
  auto opened = c.open(c.seal(t));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, t);
}

TEST(TicketCodec, SealsTheSameBattleDifferentlyEachTime) {
  auto c = codec(kMaster);
  auto t = sample();
  EXPECT_NE(c.seal(t), c.seal(t));
}

TEST(TicketCodec, HidesTheModelsAndClips) {
  auto c = codec(kMaster);
  auto sealed = c.seal(sample());
  EXPECT_EQ(sealed.find("seedance"), std::string::npos);
  EXPECT_EQ(sealed.find("aaaa"), std::string::npos);
  EXPECT_LT(sealed.size(), 600u);
}

TEST(TicketCodec, GivesEveryTicketOneLengthWhateverTheIds) {
  // Before version 2 the length followed the ids' lengths: 200 revealed battles let it
  // guess the pair of the next one nearly half the time.
  auto c = codec(kMaster);
  std::set<std::size_t> lengths;
  for (std::size_t n : {1, 2, 7, 10, 33, 63, 64}) {
    for (int which = 0; which < 4; ++which) {
      auto t = sample();
      std::string id(n, static_cast<char>('a' + which));
      (which == 0   ? t.track_id
       : which == 1 ? t.prompt_id
       : which == 2 ? t.left_model
                    : t.right_model) = id;
      auto sealed = c.seal(t);
      lengths.insert(sealed.size());
      auto opened = c.open(sealed);
      ASSERT_TRUE(opened) << n;
      EXPECT_EQ(*opened, t);
    }
  }
  auto longest = sample();
  longest.track_id = longest.prompt_id = longest.left_model = longest.right_model =
      std::string(64, 'z');
  lengths.insert(c.seal(longest).size());
  EXPECT_EQ(lengths.size(), 1u) << "ticket lengths: " << ::testing::PrintToString(lengths);
}

// A control battle's ticket (an attention check) must not tell itself apart by its length.
TEST(TicketCodec, AControlBattlesTicketHasTheSameLengthAndKeepsItsBrokenSide) {
  auto c = codec(kMaster);
  std::set<std::size_t> lengths;
  for (auto side : {BrokenSide::None, BrokenSide::Left, BrokenSide::Right}) {
    auto t = sample();
    t.broken = side;
    if (side == BrokenSide::Left) t.left_model = "frozen-at-1s";
    if (side == BrokenSide::Right) t.right_model = std::string(64, 'k');
    auto sealed = c.seal(t);
    lengths.insert(sealed.size());
    auto opened = c.open(sealed);
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, t);
  }
  EXPECT_EQ(lengths.size(), 1u);
}

TEST(TicketCodec, StillSealsIdsLongerThanTheCatalogAllows) {
  auto c = codec(kMaster);
  auto t = sample();
  t.left_model = std::string(300, 'x');
  auto sealed = c.seal(t);
  EXPECT_GT(sealed.size(), c.seal(sample()).size());
  auto opened = c.open(sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, t);
}

TEST(TicketCodec, GivesEveryClipTokenOneLength) {
  auto c = codec(kMaster);
  std::set<std::size_t> lengths;
  for (int64_t expires : {int64_t{0}, int64_t{42}, int64_t{1764213600000}, INT64_MAX}) {
    lengths.insert(c.seal_clip({std::string(64, 'f'), expires}).size());
    lengths.insert(c.seal_clip({std::string(64, '0'), expires}).size());
  }
  EXPECT_EQ(lengths.size(), 1u);
}

// A ticket sealed by hand with `plain` as its plain text (the layout of ticket.cpp), as an
// older paddock or a forger holding the key would seal it.
std::string seal_by_hand(std::string_view master, const std::vector<unsigned char>& plain) {
  auto keys = derive_keys(master);
  EXPECT_TRUE(keys);
  constexpr std::string_view domain = "paddock battle ticket v1";
  std::vector<unsigned char> sealed(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain.size() +
                                    crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(sealed.data(), crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, plain.data(),
      plain.size(), reinterpret_cast<const unsigned char*>(domain.data()), domain.size(), nullptr,
      sealed.data(), keys->ticket.data());
  std::string out(
      sodium_base64_ENCODED_LEN(sealed.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), sealed.data(), sealed.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();
  return out;
}

// The plain text of sample() in version `version`'s layout, unpadded.
std::vector<unsigned char> sample_plain(unsigned char version) {
  std::vector<unsigned char> b{version};
  auto hex = [&](const std::string& h) {
    for (std::size_t i = 0; i < h.size(); i += 2) {
      b.push_back(static_cast<unsigned char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    }
  };
  auto u64 = [&](int64_t v) {
    for (int i = 0; i < 8; ++i)
      b.push_back(static_cast<unsigned char>(static_cast<uint64_t>(v) >> (8 * i)));
  };
  auto text = [&](const std::string& s) {
    b.push_back(static_cast<unsigned char>(s.size() & 0xff));
    b.push_back(static_cast<unsigned char>(s.size() >> 8));
    b.insert(b.end(), s.begin(), s.end());
  };
  BattleTicket t = sample();
  t.battle_id = std::string(32, '1');
  t.session = std::string(32, '2');
  hex(t.battle_id);
  hex(t.session);
  u64(t.issued_at_ms);
  u64(t.expires_at_ms);
  hex(t.left_clip);
  hex(t.right_clip);
  for (const auto* s : {&t.track_id, &t.prompt_id, &t.left_model, &t.right_model}) text(*s);
  return b;
}

TEST(TicketCodec, StillOpensTheUnpaddedTicketsOfVersion1) {
  // Tickets handed out just before an upgrade can still be voted on.
  auto c = codec(kMaster);
  auto opened = c.open(seal_by_hand(kMaster, sample_plain(1)));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->left_model, "seedance-2");
  EXPECT_EQ(opened->battle_id, std::string(32, '1'));
  // Version 1 has no padding: bytes after the ids are refused.
  auto padded = sample_plain(1);
  padded.resize(padded.size() + 10, 0);
  EXPECT_FALSE(c.open(seal_by_hand(kMaster, padded)));
}

TEST(TicketCodec, RefusesAVersion2TicketWhosePaddingIsShortOrNotZero) {
  auto c = codec(kMaster);
  auto plain = sample_plain(2);
  const std::size_t real = plain.size();
  plain.resize(377, 0);  // kTicketPlainBytes of ticket.cpp
  ASSERT_TRUE(c.open(seal_by_hand(kMaster, plain)));
  auto short_one = plain;
  short_one.resize(real + 1);
  EXPECT_FALSE(c.open(seal_by_hand(kMaster, short_one)));
  auto dirty = plain;
  dirty.back() = 1;
  EXPECT_FALSE(c.open(seal_by_hand(kMaster, dirty)));
}

TEST(TicketCodec, RefusesAnyAlteredCharacter) {
  auto c = codec(kMaster);
  auto sealed = c.seal(sample());
  for (std::size_t i = 0; i < sealed.size(); i += 7) {
    auto altered = sealed;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    auto opened = c.open(altered);
    ASSERT_FALSE(opened) << "position " << i;
    EXPECT_EQ(opened.error().code, "bad_ticket");
  }
  EXPECT_FALSE(c.open(sealed.substr(0, sealed.size() - 1)));
  EXPECT_FALSE(c.open(sealed + "A"));
  EXPECT_FALSE(c.open(""));
  EXPECT_FALSE(c.open("not a ticket at all!"));
}

// Found by fuzz/ticket_fuzz: libsodium reads a byte above 0x7f as the digit '_', so such a
// byte in place of '_' used to open the same ticket.
TEST(TicketCodec, RefusesBytesOutsideTheBase64UrlAlphabet) {
  auto c = codec(kMaster);
  std::string sealed = c.seal(sample());
  for (int i = 0; i < 100 && sealed.find('_') == std::string::npos; ++i) sealed = c.seal(sample());
  ASSERT_NE(sealed.find('_'), std::string::npos);
  auto altered = sealed;
  altered[altered.find('_')] = '\xb9';
  EXPECT_FALSE(c.open(altered));
  const ClipToken clip{std::string(64, 'a'), 1};
  std::string token = c.seal_clip(clip);
  for (int i = 0; i < 500 && token.find('_') == std::string::npos; ++i) token = c.seal_clip(clip);
  ASSERT_NE(token.find('_'), std::string::npos);
  token[token.find('_')] = '\x80';
  EXPECT_FALSE(c.open_clip(token));
}

TEST(TicketCodec, RefusesTicketsOfAnotherKey) {
  auto mine = codec(kMaster);
  auto theirs = codec(generate_master_key());
  auto opened = mine.open(theirs.seal(sample()));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "bad_ticket");
}

TEST(TicketCodec, ClipTokensAndTicketsAreNotInterchangeable) {
  auto c = codec(kMaster);
  auto token = c.seal_clip({std::string(64, 'd'), 42});
  EXPECT_FALSE(c.open(token));
  EXPECT_FALSE(c.open_clip(c.seal(sample())));
  auto opened = c.open_clip(token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->hash, std::string(64, 'd'));
  EXPECT_EQ(opened->expires_at_ms, 42);
}

TEST(TicketCodec, GivesEveryClipTokenItsOwnText) {
  auto c = codec(kMaster);
  ClipToken t{std::string(64, 'e'), 1};
  EXPECT_NE(c.seal_clip(t), c.seal_clip(t));
}

TEST(NewBattleId, SortsByTimeAndDiffersWithinAMillisecond) {
  auto a = new_battle_id(1764213600000);
  auto b = new_battle_id(1764213600000);
  auto c = new_battle_id(1764213600001);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_LT(std::max(a, b), c);
  EXPECT_EQ(a.substr(0, 12), "019ac3532f00");  // 1764213600000 in hex, 12 digits
}

TEST(DeriveKeys, RefusesKeysThatAreNot64HexDigits) {
  EXPECT_FALSE(derive_keys(""));
  EXPECT_FALSE(derive_keys(std::string(63, 'a')));
  EXPECT_FALSE(derive_keys(std::string(64, 'g')));
  EXPECT_EQ(derive_keys("xyz").error().code, "bad_key");
  EXPECT_TRUE(derive_keys(std::string(64, 'A')));
}

TEST(DeriveKeys, GivesEachPurposeItsOwnKey) {
  auto k = derive_keys(kMaster);
  ASSERT_TRUE(k);
  EXPECT_NE(k->ticket, k->clip);
  EXPECT_NE(k->ticket, k->session);
  EXPECT_NE(k->clip, k->etag);
}

TEST(TicketCodec, RefusesAnUnknownBrokenSide) {
  auto c = codec(kMaster);
  auto plain = sample_plain(3);
  plain.insert(plain.begin() + 1, 3);  // no such side
  plain.resize(378, 0);                // kTicketPlainBytes of ticket.cpp
  EXPECT_FALSE(c.open(seal_by_hand(kMaster, plain)));
  plain[1] = 2;
  auto opened = c.open(seal_by_hand(kMaster, plain));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->broken, BrokenSide::Right);
}

}  // namespace
}  // namespace paddock::arena
