#include "http/client_address.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "base/escaping.hpp"
#include "base/text.hpp"

namespace paddock::http {
namespace {

// The first `prefix` bits of `a`, the rest cleared.
IpAddress masked(IpAddress a, int prefix) {
  int bits = a.v6 ? 128 : 32;
  for (int i = std::max(prefix, 0); i < bits; ++i) a.bytes[i / 8] &= ~(0x80 >> (i % 8));
  return a;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, a.bytes.begin())) {
    std::copy(a.bytes.begin() + 12, a.bytes.end(), a.bytes.begin());
    std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
    return a;
  }
  a.v6 = true;
  return a;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

bool AddressRange::contains(const IpAddress& a) const {
  if (a.v6 != network.v6) return false;
  return masked(a, prefix).bytes == network.bytes;
}

Result<std::vector<AddressRange>> parse_address_ranges(std::string_view list) {
  std::vector<AddressRange> ranges;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    auto slash = item.find('/');
    auto address = IpAddress::parse(item.substr(0, slash));
    if (!address) {
      return fail("bad_config", quoted_excerpt(item) +
                                    " is not an address or network (e.g. "
                                    "10.0.0.0/8, 2001:db8::/32, 127.0.0.1)");
    }
    int bits = address->v6 ? 128 : 32;
    int prefix = bits;
    if (slash != std::string_view::npos) {
      auto digits = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
          prefix > bits) {
        return fail("bad_config", quoted_excerpt(item) + ": the prefix length must be from 0 to " +
                                      std::to_string(bits));
      }
    }
    ranges.push_back({masked(*address, prefix), prefix});
  }
  return ranges;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<AddressRange>& trusted_proxies) {
  auto trusted = [&](const IpAddress& a) {
    for (const auto& r : trusted_proxies) {
      if (r.contains(a)) return true;
    }
    return false;
  };
  auto hop = IpAddress::parse(peer);
  if (!hop) return std::string(peer);
  while (trusted(*hop)) {
    if (forwarded_for.empty()) break;
    auto comma = forwarded_for.rfind(',');
    auto entry =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto next = IpAddress::parse(entry);
    if (!next) break;  // garbled: the last trusted hop is all that is known
    hop = next;
  }
  return hop->to_string();
}

std::string rate_limit_key(std::string_view address, int ipv6_prefix) {
  auto a = IpAddress::parse(address);
  if (!a) return std::string(address);
  if (!a->v6) return a->to_string();
  return masked(*a, ipv6_prefix).to_string() + "/" + std::to_string(ipv6_prefix);
}

}  // namespace paddock::http
