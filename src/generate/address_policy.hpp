#pragma once
// Which network addresses paddock may connect to when it calls a provider or follows a URL
// from a provider's reply. By default only public unicast addresses: a reply must not be
// able to make paddock reach this machine or the private network it sits in (cloud
// metadata services, databases, admin pages). Operators may exempt ranges or host names
// (a proxy, a local test server, a vendor reached over a private link). The HTTP client
// (http_client.hpp) applies the policy to the address it is about to connect to, after
// name resolution, so neither DNS tricks nor redirects get around it.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace paddock::generate {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are kept as the
// IPv4 address they map, so every rule sees one spelling.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4

  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]" (brackets as in URLs), "::ffff:10.0.0.1".
  static std::optional<IpAddress> parse(std::string_view text);
  // From a socket address of family AF_INET or AF_INET6; nullopt for any other family.
  static std::optional<IpAddress> from_sockaddr(const sockaddr* address);

  // "192.0.2.1" or "2001:db8::1".
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

// An address range in CIDR notation.
struct IpRange {
  IpAddress base;
  int prefix = 0;  // leading bits that must match: 0..32 (IPv4) or 0..128 (IPv6)

  // "10.0.0.0/8", "fd00::/8", or a single address ("127.0.0.1" = "127.0.0.1/32").
  // Bits of the address beyond the prefix must be zero ("10.0.0.1/8" is refused as a typo).
  static std::optional<IpRange> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

// The kind of special-purpose range `address` lies in — "loopback", "private network",
// "link-local", "unique-local", "multicast", "unspecified", "carrier-grade NAT",
// "reserved", "documentation", "benchmarking", "broadcast", "IPv4-compatible",
// "translated (NAT64/6to4/Teredo) address of a special-purpose IPv4 range", ... — or
// nullopt for an ordinary public address. IPv6 forms that embed an IPv4 address (NAT64
// 64:ff9b::/96, 6to4 2002::/16) are judged by that address.
std::optional<std::string> special_purpose_range(const IpAddress& address);

// The addresses of this machine's network interfaces (getifaddrs); empty if they cannot be
// listed.
std::vector<IpAddress> local_interface_addresses();

class AddressPolicy {
 public:
  // The default policy: public addresses only, none of `local_addresses` (this machine's own
  // public addresses, which reach the same services as loopback).
  explicit AddressPolicy(std::vector<IpAddress> local_addresses = {})
      : local_addresses_(std::move(local_addresses)) {}

  // A policy that also allows each entry of `allow`: a CIDR range or single address
  // ("127.0.0.1", "10.1.0.0/16", "::1") allows connecting to addresses inside it whatever
  // name led there; a host name ("vendor.internal", "localhost") allows every address that
  // name resolves to, for URLs that name exactly that host (ASCII case ignored).
  // Errors: "bad_config" naming the entry, for an entry that is neither.
  static Result<AddressPolicy> with_allow_list(std::span<const std::string> allow,
                                               std::vector<IpAddress> local_addresses);

  // Why connecting to `address`, reached through the URL host `host` (a name or an address
  // literal, brackets allowed), is refused — e.g. "loopback", "private network", "an
  // address of this machine" — or nullopt if it is allowed.
  std::optional<std::string> refusal(std::string_view host, const IpAddress& address) const;

  // True if `host` itself is on the allow list by name.
  bool allows_host(std::string_view host) const;

 private:
  std::vector<IpRange> allowed_ranges_;
  std::vector<std::string> allowed_hosts_;  // lower case
  std::vector<IpAddress> local_addresses_;
};

}  // namespace paddock::generate
