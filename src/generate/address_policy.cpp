#include "generate/address_policy.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/text.hpp"

namespace paddock::generate {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

IpAddress from_v6_bytes(const std::uint8_t* bytes) {
  IpAddress address;
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes)) {
    std::copy(bytes + 12, bytes + 16, address.bytes.begin());
  } else {
    address.v6 = true;
    std::copy(bytes, bytes + 16, address.bytes.begin());
  }
  return address;
}

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

IpAddress v4_at(const IpAddress& v6, std::size_t offset) {
  return v4(v6.bytes[offset], v6.bytes[offset + 1], v6.bytes[offset + 2], v6.bytes[offset + 3]);
}

struct SpecialRange {
  const char* cidr;
  const char* kind;
};

// IANA's special-purpose registries (RFC 6890 and successors), narrowest first where
// ranges nest. Everything here is refused unless allowed explicitly.
constexpr SpecialRange kSpecialV4[] = {
    {"0.0.0.0/8", "unspecified"},           {"10.0.0.0/8", "private network"},
    {"100.64.0.0/10", "carrier-grade NAT"}, {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},       {"172.16.0.0/12", "private network"},
    {"192.0.0.0/24", "reserved"},           {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "reserved"},         {"192.168.0.0/16", "private network"},
    {"198.18.0.0/15", "benchmarking"},      {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},    {"224.0.0.0/4", "multicast"},
    {"255.255.255.255/32", "broadcast"},    {"240.0.0.0/4", "reserved"},
};

constexpr SpecialRange kSpecialV6[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"::/8", "reserved"},  // IPv4-compatible and translated forms
    {"64:ff9b:1::/48", "private network"},
    {"100::/64", "reserved"},
    {"2001::/23", "reserved"},  // Teredo, ORCHID, AMT, ...
    {"2001:db8::/32", "documentation"},
    {"3fff::/20", "documentation"},
    {"fc00::/7", "unique-local"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local"},
    {"ff00::/8", "multicast"},
};

// IPv6 ranges that carry an IPv4 address: the prefix and where the IPv4 bytes sit.
struct EmbeddingRange {
  const char* cidr;
  std::size_t offset;
  const char* via;
};
constexpr EmbeddingRange kEmbeddingV6[] = {
    {"64:ff9b::/96", 12, "NAT64"},
    {"2002::/16", 2, "6to4"},
};

// The first entry of `Table` whose range holds `address`; the table is parsed once.
template <const auto& Table>
const auto* find_range(const IpAddress& address) {
  static const std::vector<IpRange> ranges = [] {
    std::vector<IpRange> parsed;
    for (const auto& entry : Table) parsed.push_back(*IpRange::parse(entry.cidr));
    return parsed;
  }();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].contains(address)) return &Table[i];
  }
  return static_cast<decltype(&Table[0])>(nullptr);
}

std::optional<std::string> special_v4(const IpAddress& address) {
  if (const auto* range = find_range<kSpecialV4>(address)) return range->kind;
  return std::nullopt;
}

std::string normal_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  return ascii_lower(host);
}

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  IpAddress address;
  if (inet_pton(AF_INET, s.c_str(), address.bytes.data()) == 1) return address;
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return from_v6_bytes(v6.data());
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    IpAddress result;
    std::memcpy(result.bytes.data(), &in.sin_addr, 4);
    return result;
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    return from_v6_bytes(reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr));
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpRange> IpRange::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto base = IpAddress::parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  const int bits = base->v6 ? 128 : 32;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
        prefix > bits) {
      return std::nullopt;
    }
  }
  // Host bits must be zero: "10.0.0.1/8" is more likely a typo than a wish.
  for (int bit = prefix; bit < bits; ++bit) {
    if (base->bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
  }
  return IpRange{*base, prefix};
}

bool IpRange::contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  const int whole = prefix / 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + whole, address.bytes.begin())) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (base.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::optional<std::string> special_purpose_range(const IpAddress& address) {
  if (!address.v6) return special_v4(address);
  if (const auto* embedding = find_range<kEmbeddingV6>(address)) {
    if (auto kind = special_v4(v4_at(address, embedding->offset))) {
      return *kind + " (through " + embedding->via + ")";
    }
    return std::nullopt;
  }
  if (const auto* range = find_range<kSpecialV6>(address)) return range->kind;
  // Only 2000::/3 is allocated for global unicast.
  if ((address.bytes[0] & 0xe0) != 0x20) return "reserved";
  return std::nullopt;
}

std::vector<IpAddress> local_interface_addresses() {
  std::vector<IpAddress> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (auto address = IpAddress::from_sockaddr(entry->ifa_addr)) addresses.push_back(*address);
  }
  freeifaddrs(list);
  return addresses;
}

Result<AddressPolicy> AddressPolicy::with_allow_list(std::span<const std::string> allow,
                                                     std::vector<IpAddress> local_addresses) {
  AddressPolicy policy(std::move(local_addresses));
  for (const std::string& entry : allow) {
    if (auto range = IpRange::parse(entry)) {
      policy.allowed_ranges_.push_back(*range);
    } else if (is_host_name(entry) && !IpAddress::parse(entry)) {
      policy.allowed_hosts_.push_back(normal_host(entry));
    } else {
      return fail("bad_config", "allowed address \"" + entry +
                                    "\" is neither an address range (10.0.0.0/8, 127.0.0.1, "
                                    "::1) nor a host name");
    }
  }
  return policy;
}

bool AddressPolicy::allows_host(std::string_view host) const {
  const std::string name = normal_host(host);
  return std::find(allowed_hosts_.begin(), allowed_hosts_.end(), name) != allowed_hosts_.end();
}

std::optional<std::string> AddressPolicy::refusal(std::string_view host,
                                                  const IpAddress& address) const {
  if (allows_host(host)) return std::nullopt;
  for (const IpRange& range : allowed_ranges_) {
    if (range.contains(address)) return std::nullopt;
  }
  if (auto kind = special_purpose_range(address)) return kind;
  if (std::find(local_addresses_.begin(), local_addresses_.end(), address) !=
      local_addresses_.end()) {
    return "an address of this machine";
  }
  return std::nullopt;
}

}  // namespace paddock::generate
