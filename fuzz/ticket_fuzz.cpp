// Battle tickets and clip URL tokens (arena::TicketCodec). Three uses of one input:
// - the input as a sealed ticket and as a clip token: opening text that was never sealed with
//   the key must fail, with the documented code (a success would be a forgery);
// - the input as the fields of a ticket: sealing then opening gives the same ticket back;
// - that ticket with one character changed (position and value from the input) must not
//   open as a different ticket.

#include <cstring>

#include "arena/ticket.hpp"
#include "support/fuzz_support.hpp"

namespace {

using namespace paddock;

arena::Key key(unsigned char fill) {
  arena::Key k;
  k.fill(fill);
  return k;
}

std::string hex_of(std::string_view bytes, std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; out.size() < digits; ++i) {
    const auto b = i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0;
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// Splits off the next piece of the input (up to a '\n').
std::string_view piece(std::string_view& input) {
  const auto nl = input.find('\n');
  auto out = input.substr(0, nl);
  input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // Two sets of keys: `judge` never seals, so nothing the fuzzer may have seen (libFuzzer
  // picks up strings from comparisons) opens under it; `codec` seals for the round trips.
  static const arena::TicketCodec judge(key(7), key(9));
  static const arena::TicketCodec codec(key(8), key(10));
  std::string_view input = fuzz::as_text(data, size);

  auto forged = judge.open(input);
  FUZZ_CHECK(!forged, "a ticket opened that was never sealed");
  FUZZ_CHECK(forged.error().code == "bad_ticket", "open gave %s", forged.error().code.c_str());
  auto forged_clip = judge.open_clip(input);
  FUZZ_CHECK(!forged_clip, "a clip token opened that was never sealed");
  FUZZ_CHECK(forged_clip.error().code == "not_found", "open_clip gave %s",
             forged_clip.error().code.c_str());

  const uint8_t where = fuzz::take_byte(input);
  const uint8_t what = fuzz::take_byte(input);
  int64_t times[2] = {0, 0};
  for (auto& t : times) {
    const std::size_t n = std::min<std::size_t>(8, input.size());
    std::memcpy(&t, input.data(), n);
    input.remove_prefix(n);
  }
  arena::BattleTicket t;
  t.battle_id = hex_of(piece(input), 32);
  t.session = hex_of(piece(input), 32);
  t.issued_at_ms = times[0];
  t.expires_at_ms = times[1];
  t.left_clip = hex_of(piece(input), 64);
  t.right_clip = hex_of(piece(input), 64);
  // seal's REQUIRES: ids of at most 64 bytes (any bytes: the codec does not check them).
  t.track_id = std::string(piece(input).substr(0, 64));
  t.prompt_id = std::string(piece(input).substr(0, 64));
  t.left_model = std::string(piece(input).substr(0, 64));
  t.right_model = std::string(input.substr(0, 64));
  // Ordinary battles and attention checks (either side broken) alike.
  t.broken = static_cast<arena::BrokenSide>(what % 3);

  const std::string sealed = codec.seal(t);
  auto opened = codec.open(sealed);
  FUZZ_CHECK(opened && *opened == t, "a sealed ticket did not open as itself");
  // Not a ticket under the other key, nor a clip token.
  FUZZ_CHECK(!codec.open_clip(sealed), "a ticket opened as a clip token");

  std::string altered = sealed;
  const std::size_t at = where % altered.size();
  altered[at] = static_cast<char>(what);
  if (altered != sealed) {
    auto tampered = codec.open(altered);
    FUZZ_CHECK(!tampered, "a ticket changed at %zu still opened", at);
  }

  const arena::ClipToken clip{t.left_clip, times[1]};
  const std::string token = codec.seal_clip(clip);
  auto clip_back = codec.open_clip(token);
  FUZZ_CHECK(
      clip_back && clip_back->hash == clip.hash && clip_back->expires_at_ms == clip.expires_at_ms,
      "a sealed clip token did not open as itself");
  FUZZ_CHECK(!codec.open(token), "a clip token opened as a ticket");
  return 0;
}
