#include "arena/ticket.hpp"

#include <gtest/gtest.h>

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
  EXPECT_LT(sealed.size(), 400u);
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

}  // namespace
}  // namespace paddock::arena
