#pragma once
// Who a request comes from, for rate limits and the records of battles and votes: the peer's
// address, or behind trusted reverse proxies the address the nearest of them saw
// (X-Forwarded-For, read from the right). And the key a rate limit counts that address
// under: IPv6 clients by network prefix (/64 by default), since one subscriber usually holds
// a whole /64 and could otherwise take a fresh address for every request.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace paddock::http {

// An IPv4 or IPv6 address (IPv4-mapped IPv6 addresses are taken as IPv4).
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4

  // Parses a bare address ("192.0.2.1", "2001:db8::1"); nullopt for anything else (ports,
  // brackets, zone ids, names, blanks).
  static std::optional<IpAddress> parse(std::string_view text);
  // The canonical text (inet_ntop's).
  std::string to_string() const;
};

// A network: an address and a prefix length ("10.0.0.0/8", "2001:db8::/32", or a bare
// address for just that host).
struct AddressRange {
  IpAddress network;
  int prefix = 0;
  bool contains(const IpAddress& a) const;
};

// A comma-separated list of ranges. Errors: "bad_config" naming the first bad item.
Result<std::vector<AddressRange>> parse_address_ranges(std::string_view list);

// The client's address. The peer is the client unless it is one of `trusted_proxies`; then
// X-Forwarded-For (every header line, joined by commas) is read from the right, skipping
// trusted proxies: the first address not among them is the client. An entry that is not an
// address ends the walk: the client is then the last trusted hop, so a forged or garbled
// value can never name an address of the client's choosing, nor reach a database record.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<AddressRange>& trusted_proxies);

// The key rate limits count `address` under: IPv4 as it is, IPv6 as its first
// `ipv6_prefix` bits ("2001:db8:1:2::/64"); text that is not an address as it is.
std::string rate_limit_key(std::string_view address, int ipv6_prefix);

}  // namespace paddock::http
