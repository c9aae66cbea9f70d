#include "generate/encoding.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace paddock::generate {
namespace {

using namespace std::string_view_literals;
using namespace std::string_literals;

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(Base64, MatchesRfc4648Vectors) {
  // RFC 4648 §10
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff\xbf"sv), "+/+/");
}

TEST(Base64url, UsesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"sv), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(SniffImageType, KnowsTheImageFormatsProvidersTake) {
  EXPECT_EQ(sniff_image_type("\x89PNG\r\n\x1a\n...."sv), "image/png");
  EXPECT_EQ(sniff_image_type("\xff\xd8\xff\xe0"sv), "image/jpeg");
  EXPECT_EQ(sniff_image_type("RIFF\x10\0\0\0WEBPVP8 "sv), "image/webp");
  EXPECT_EQ(sniff_image_type("GIF89a"sv), "image/gif");
  EXPECT_EQ(sniff_image_type("RIFF\x10\0\0\0WAVE"sv), "");
  EXPECT_EQ(sniff_image_type(""), "");
}

TEST(DataUri, InlinesAFileWithItsSniffedOrGivenType) {
  testing::TempDir dir("paddock-encoding");
  const std::string png = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s;
  write_file(dir / "a.png", png);
  auto uri = data_uri_from_file(dir / "a.png");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(*uri, "data:image/png;base64," + base64_encode(png));

  write_file(dir / "clip.bin", "abc");
  auto given = data_uri_from_file(dir / "clip.bin", "video/mp4");
  ASSERT_TRUE(given);
  EXPECT_EQ(*given, "data:video/mp4;base64,YWJj");
}

TEST(DataUri, RefusesMissingOversizedUnknownAndBadTypes) {
  testing::TempDir dir("paddock-encoding");
  auto missing = data_uri_from_file(dir / "none.png");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "not_found");

  write_file(dir / "big.png", std::string(2000, 'x'));
  auto big = data_uri_from_file(dir / "big.png", "image/png", 1000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, "too_large");
  EXPECT_NE(big.error().message.find("big.png"), std::string::npos);

  write_file(dir / "text.txt", "hello");
  auto unknown = data_uri_from_file(dir / "text.txt");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unsupported");

  auto injected = data_uri_from_file(dir / "text.txt", "image/png;base64,AAAA");
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().code, "unsupported");

  auto folder = data_uri_from_file(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, "io_error");
}

}  // namespace
}  // namespace paddock::generate
