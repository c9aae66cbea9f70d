#include "generate/address_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paddock::generate {
namespace {

IpAddress ip(std::string_view text) {
  auto address = IpAddress::parse(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

std::string kind(std::string_view text) {
  return special_purpose_range(ip(text)).value_or("public");
}

TEST(IpAddress, ParsesBothFamiliesAndKeepsMappedAddressesAsIpv4) {
  EXPECT_EQ(ip("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_FALSE(ip("192.0.2.1").v6);
  EXPECT_EQ(ip("[2001:db8::1]").to_string(), "2001:db8::1");
  EXPECT_TRUE(ip("2001:db8::1").v6);
  EXPECT_EQ(ip("::ffff:10.0.0.1"), ip("10.0.0.1"));
  EXPECT_EQ(ip("::ffff:a00:1"), ip("10.0.0.1"));
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "example.com", "::g", "[::1", "01.2.3.4x"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(IpRange, ContainsByPrefixAndRefusesHostBitsAndBadPrefixes) {
  const auto range = IpRange::parse("10.1.0.0/16");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->contains(ip("10.1.255.3")));
  EXPECT_FALSE(range->contains(ip("10.2.0.0")));
  EXPECT_FALSE(range->contains(ip("::ffff:10.2.0.0")));
  EXPECT_FALSE(range->contains(ip("2001:db8::")));
  EXPECT_TRUE(IpRange::parse("100.64.0.0/10")->contains(ip("100.127.255.255")));
  EXPECT_FALSE(IpRange::parse("100.64.0.0/10")->contains(ip("100.128.0.0")));
  EXPECT_TRUE(IpRange::parse("127.0.0.1")->contains(ip("127.0.0.1")));
  EXPECT_FALSE(IpRange::parse("127.0.0.1")->contains(ip("127.0.0.2")));
  EXPECT_TRUE(IpRange::parse("0.0.0.0/0")->contains(ip("8.8.8.8")));
  EXPECT_TRUE(IpRange::parse("fd00::/8")->contains(ip("fdff::1")));
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129",
                          "10.0.0.0/8x", "host/8"}) {
    EXPECT_FALSE(IpRange::parse(bad)) << bad;
  }
}

TEST(SpecialPurposeRange, NamesEveryKindTheClientRefuses) {
  EXPECT_EQ(kind("127.0.0.1"), "loopback");
  EXPECT_EQ(kind("127.255.0.9"), "loopback");
  EXPECT_EQ(kind("::1"), "loopback");
  EXPECT_EQ(kind("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(kind("10.9.8.7"), "private network");
  EXPECT_EQ(kind("172.16.0.1"), "private network");
  EXPECT_EQ(kind("172.31.255.255"), "private network");
  EXPECT_EQ(kind("192.168.1.1"), "private network");
  EXPECT_EQ(kind("::ffff:192.168.1.1"), "private network");
  EXPECT_EQ(kind("169.254.169.254"), "link-local");  // cloud metadata
  EXPECT_EQ(kind("fe80::1"), "link-local");
  EXPECT_EQ(kind("fd12:3456::1"), "unique-local");
  EXPECT_EQ(kind("fc00::1"), "unique-local");
  EXPECT_EQ(kind("224.0.0.1"), "multicast");
  EXPECT_EQ(kind("ff02::1"), "multicast");
  EXPECT_EQ(kind("0.0.0.0"), "unspecified");
  EXPECT_EQ(kind("::"), "unspecified");
  EXPECT_EQ(kind("100.64.0.1"), "carrier-grade NAT");
  EXPECT_EQ(kind("255.255.255.255"), "broadcast");
  EXPECT_EQ(kind("240.0.0.1"), "reserved");
  EXPECT_EQ(kind("192.0.2.10"), "documentation");
  EXPECT_EQ(kind("2001:db8::5"), "documentation");
  EXPECT_EQ(kind("198.18.0.1"), "benchmarking");
  EXPECT_EQ(kind("64:ff9b::7f00:1"), "loopback (through NAT64)");
  EXPECT_EQ(kind("64:ff9b::a9fe:a9fe"), "link-local (through NAT64)");
  EXPECT_EQ(kind("2002:c0a8:0101::1"), "private network (through 6to4)");
  EXPECT_EQ(kind("::127.0.0.1"), "reserved");  // IPv4-compatible
  EXPECT_EQ(kind("2001::1"), "reserved");      // Teredo
  EXPECT_EQ(kind("4000::1"), "reserved");      // outside 2000::/3
}

TEST(SpecialPurposeRange, LeavesPublicAddressesAlone) {
  for (const char* address :
       {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "172.15.255.255", "100.128.0.1",
        "192.169.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:0808:0808::1"}) {
    EXPECT_EQ(kind(address), "public") << address;
  }
}

TEST(AddressPolicy, RefusesSpecialAndLocalAddressesByDefault) {
  const AddressPolicy policy({ip("203.0.114.7")});
  EXPECT_EQ(policy.refusal("a.example", ip("127.0.0.1")), "loopback");
  EXPECT_EQ(policy.refusal("a.example", ip("203.0.114.7")), "an address of this machine");
  EXPECT_EQ(policy.refusal("a.example", ip("8.8.8.8")), std::nullopt);
}

TEST(AddressPolicy, AllowListTakesRangesAndHostNames) {
  const std::vector<std::string> allow = {"127.0.0.1", "10.1.0.0/16", "Vendor.Internal", "::1"};
  auto policy = AddressPolicy::with_allow_list(allow, {ip("203.0.114.7")});
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->refusal("anything", ip("127.0.0.1")), std::nullopt);
  EXPECT_EQ(policy->refusal("anything", ip("::ffff:127.0.0.1")), std::nullopt);
  EXPECT_EQ(policy->refusal("anything", ip("127.0.0.2")), "loopback");
  EXPECT_EQ(policy->refusal("[::1]", ip("::1")), std::nullopt);
  EXPECT_EQ(policy->refusal("anything", ip("10.1.2.3")), std::nullopt);
  EXPECT_EQ(policy->refusal("anything", ip("10.2.0.1")), "private network");
  // A host name allows whatever it resolves to, for that name only.
  EXPECT_EQ(policy->refusal("vendor.internal", ip("192.168.0.5")), std::nullopt);
  EXPECT_EQ(policy->refusal("VENDOR.internal.", ip("192.168.0.5")), std::nullopt);
  EXPECT_EQ(policy->refusal("other.internal", ip("192.168.0.5")), "private network");
  EXPECT_TRUE(policy->allows_host("vendor.internal"));
  EXPECT_FALSE(policy->allows_host("internal"));
}

TEST(AddressPolicy, RefusesAnAllowEntryThatIsNeitherRangeNorHost) {
  for (const char* entry : {"10.0.0.1/8", "10.0.0.0/40", "http://x", "a b", "", "host:80"}) {
    const std::vector<std::string> allow = {entry};
    auto policy = AddressPolicy::with_allow_list(allow, {});
    ASSERT_FALSE(policy) << entry;
    EXPECT_EQ(policy.error().code, "bad_config");
    EXPECT_NE(policy.error().message.find(entry), std::string::npos);
  }
}

TEST(LocalInterfaceAddresses, IncludesLoopback) {
  const auto addresses = local_interface_addresses();
  EXPECT_NE(std::find(addresses.begin(), addresses.end(), ip("127.0.0.1")), addresses.end());
}

}  // namespace
}  // namespace paddock::generate
