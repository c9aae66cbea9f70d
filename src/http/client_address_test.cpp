#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace paddock::http {
namespace {

std::vector<AddressRange> ranges(std::string_view list) {
  auto r = parse_address_ranges(list);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::vector<AddressRange>{};
}

TEST(IpAddress, ParsesBareAddressesOnly) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("::ffff:192.0.2.7")->to_string(), "192.0.2.7");  // mapped: IPv4
  for (std::string_view bad : {"", "192.0.2.1:80", "[::1]", "example.com", " 192.0.2.1", "192.0.2",
                               "fe80::1%eth0", "\xff\xfe", "1.2.3.4.5"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(AddressRanges, ParseAndContain) {
  auto r = ranges("10.0.0.0/8, 2001:db8::/32,127.0.0.1");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].contains(*IpAddress::parse("10.200.3.4")));
  EXPECT_FALSE(r[0].contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_TRUE(r[1].contains(*IpAddress::parse("2001:db8:ffff::1")));
  EXPECT_FALSE(r[1].contains(*IpAddress::parse("2001:db9::1")));
  EXPECT_TRUE(r[2].contains(*IpAddress::parse("127.0.0.1")));
  EXPECT_FALSE(r[2].contains(*IpAddress::parse("127.0.0.2")));
  for (std::string_view bad : {"10.0.0.0/33", "nonsense", "10.0.0.0/", "::/129", "10.0.0.0/8x"}) {
    auto p = parse_address_ranges(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, "bad_config");
  }
}

TEST(ClientAddress, TakesTheRightMostEntryNotAddedByATrustedProxy) {
  auto proxies = ranges("10.0.0.0/8");
  // Not behind a trusted proxy: the header is the client's own word, ignored.
  EXPECT_EQ(client_address("198.51.100.9", "203.0.113.5", proxies), "198.51.100.9");
  // The proxy appended the address it saw; what the client wrote before it is ignored.
  EXPECT_EQ(client_address("10.0.0.2", "1.1.1.1, 203.0.113.5", proxies), "203.0.113.5");
  // Two trusted proxies in a row: skip the inner one.
  EXPECT_EQ(client_address("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.9.9.9", proxies), "203.0.113.5");
  // A garbled entry where the proxy's should be: the proxy's own address, never the text.
  EXPECT_EQ(client_address("10.0.0.2", "203.0.113.5, \xff\xfe-not-an-address", proxies),
            "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.2", "", proxies), "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.2", "2001:DB8::7", proxies), "2001:db8::7");
  EXPECT_EQ(client_address("10.0.0.2", "1.1.1.1", {}), "10.0.0.2");  // nobody trusted
}

TEST(RateLimitKey, CountsIpv6ByPrefix) {
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:bbbb::9", 64), "2001:db8:1:2::/64");
  EXPECT_NE(rate_limit_key("2001:db8:1:3::1", 64), rate_limit_key("2001:db8:1:2::1", 64));
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:aaaa::1", 128), "2001:db8:1:2:aaaa::1/128");
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:aaaa::1", 48), "2001:db8:1::/48");
  EXPECT_EQ(rate_limit_key("192.0.2.1", 64), "192.0.2.1");
}

}  // namespace
}  // namespace paddock::http
