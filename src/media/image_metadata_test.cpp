#include "media/image_metadata.hpp"

#include <gtest/gtest.h>

#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::media {
namespace {

using testing::TempDir;

constexpr std::string_view kPlanted = "SecretModel-77";

std::vector<uint8_t> bytes_of(const std::string& s) {
  return {s.begin(), s.end()};
}
std::string text_of(const std::vector<uint8_t>& b) {
  return {b.begin(), b.end()};
}

std::string be32(size_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
  return s;
}
std::string le32(size_t v) {
  std::string s;
  for (int shift = 0; shift <= 24; shift += 8) s += static_cast<char>((v >> shift) & 0xFF);
  return s;
}

std::string png_chunk(std::string_view type, std::string_view data) {
  return be32(data.size()) + std::string(type) + std::string(data) + std::string(4, '\0');
}

// A real PNG with text, time and EXIF chunks after its IHDR.
std::string tagged_png(const TempDir& dir) {
  testing::make_image(dir / "a.png", 40, 30);
  std::string png = testing::read_file(dir / "a.png");
  std::string extra = png_chunk("tEXt", "Software\0" + std::string(kPlanted)) +
                      png_chunk("iTXt", "Title\0\0\0\0\0" + std::string(kPlanted)) +
                      png_chunk("tIME", std::string(7, '\1')) +
                      png_chunk("eXIf", "MM\0*" + std::string(kPlanted));
  png.insert(33, extra);
  return png;
}

TEST(StripImageMetadata, DropsPngTextTimeAndExifChunksAndKeepsThePicture) {
  TempDir dir;
  std::string png = tagged_png(dir);
  auto out = strip_image_metadata("png", bytes_of(png));
  ASSERT_TRUE(out) << out.error().message;
  std::string s = text_of(*out);
  EXPECT_EQ(s.find(kPlanted), std::string::npos);
  EXPECT_EQ(s.find("tIME"), std::string::npos);
  EXPECT_NE(s.find("IHDR"), std::string::npos);
  EXPECT_NE(s.find("IDAT"), std::string::npos);
  EXPECT_EQ(s, testing::read_file(dir / "a.png"));  // exactly the untagged original
}

TEST(StripImageMetadata, DropsJpegCommentsAndExifButKeepsJfif) {
  TempDir dir;
  testing::make_image(dir / "a.jpg", 40, 30);
  std::string jpg = testing::read_file(dir / "a.jpg");
  ASSERT_EQ(static_cast<uint8_t>(jpg[2]), 0xFF);
  std::string com = "\xFF\xFE" + be32(2 + kPlanted.size()).substr(2) + std::string(kPlanted);
  std::string app1 = "\xFF\xE1" + be32(2 + 6 + kPlanted.size()).substr(2) +
                     std::string("Exif\0\0", 6) + std::string(kPlanted);
  jpg.insert(2, com + app1);
  testing::write_file(dir / "tagged.jpg", jpg);
  ASSERT_TRUE(probe(dir / "tagged.jpg")) << "the tagged JPEG must still be valid";

  auto out = strip_image_metadata("jpeg", bytes_of(jpg));
  ASSERT_TRUE(out) << out.error().message;
  std::string s = text_of(*out);
  EXPECT_EQ(s.find(kPlanted), std::string::npos);
  EXPECT_EQ(s.find("Lavc"), std::string::npos);  // FFmpeg's own COM segment goes too
  EXPECT_EQ(s.substr(0, 6), std::string("\xFF\xD8\xFF\xE0\x00\x10", 6));  // JFIF APP0 kept
  auto plain = strip_image_metadata("jpeg", bytes_of(testing::read_file(dir / "a.jpg")));
  ASSERT_TRUE(plain);
  EXPECT_EQ(s, text_of(*plain));  // same bytes as the untagged original, stripped
  testing::write_file(dir / "stripped.jpg", s);
  EXPECT_TRUE(probe(dir / "stripped.jpg"));
}

TEST(StripImageMetadata, DropsWebpExifAndXmpChunksAndClearsTheirFlags) {
  TempDir dir;
  testing::make_image(dir / "a.webp", 40, 30);
  std::string webp = testing::read_file(dir / "a.webp");
  ASSERT_EQ(webp.substr(12, 4), "VP8 ");
  // Rebuild as an extended file: VP8X (flags EXIF|XMP), the image, EXIF and XMP chunks.
  std::string vp8x = "VP8X" + le32(10) + std::string(1, '\x0C') + std::string(3, '\0') +
                     le32(39).substr(0, 3) + le32(29).substr(0, 3);
  std::string exif = "EXIF" + le32(kPlanted.size()) + std::string(kPlanted);
  if (kPlanted.size() % 2) exif += '\0';
  std::string xmp = "XMP " + le32(kPlanted.size()) + std::string(kPlanted);
  if (kPlanted.size() % 2) xmp += '\0';
  std::string body = "WEBP" + vp8x + webp.substr(12) + exif + xmp;
  std::string tagged = "RIFF" + le32(body.size()) + body;

  auto out = strip_image_metadata("webp", bytes_of(tagged));
  ASSERT_TRUE(out) << out.error().message;
  std::string s = text_of(*out);
  EXPECT_EQ(s.find(kPlanted), std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(s[20]) & 0x0C, 0);  // flags cleared
  EXPECT_EQ(s.substr(4, 4), le32(s.size() - 8));     // RIFF size fixed
  testing::write_file(dir / "stripped.webp", s);
  auto facts = probe(dir / "stripped.webp");
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->width, 40);
}

// Found by fuzz/image_metadata_fuzz: scan data holding FF FF 00 used to end the scan at the
// first FF, so the stuffed byte was taken for a marker and what followed (here a comment)
// for a segment to keep, while a decoder reads on through it as scan data.
TEST(StripImageMetadata, ReadsFillBytesInJpegScanDataAsADecoderDoes) {
  const std::string comment = std::string("\xFF\xFE") + '\0' + "\x10" + std::string(kPlanted);
  const std::string jpeg = std::string("\xFF\xD8\xFF\xDA") + '\0' + "\x02" + "\x01\xFF\xFF" + '\0' +
                           '\0' + "\x14" + comment + "\xFF\xD9";
  auto out = strip_image_metadata("jpeg", bytes_of(jpeg));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(text_of(*out).find(kPlanted), std::string::npos);
  auto again = strip_image_metadata("jpeg", *out);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *out);
}

TEST(StripImageMetadata, RefusesStructuresThatRunPastTheEnd) {
  TempDir dir;
  std::string png = tagged_png(dir);
  for (size_t cut : {size_t{5}, size_t{20}, png.size() / 2, png.size() - 1}) {
    auto out = strip_image_metadata("png", bytes_of(png.substr(0, cut)));
    ASSERT_FALSE(out) << "cut at " << cut;
    EXPECT_EQ(out.error().code, "corrupt");
  }
  std::string huge_chunk = png.substr(0, 8) + be32(0x7FFFFFF0) + "tEXt";
  EXPECT_FALSE(strip_image_metadata("png", bytes_of(huge_chunk)));
  EXPECT_FALSE(strip_image_metadata("jpeg", bytes_of("\xFF\xD8\xFF\xE1\xFF\xFF")));
  EXPECT_FALSE(strip_image_metadata("jpeg", bytes_of("\xFF\xD8\xFF\xDA\x00\x02\x01\x02")));
  // Found by fuzz/image_metadata_fuzz: FF 00 where a marker belongs was kept as a segment.
  EXPECT_FALSE(strip_image_metadata("jpeg", bytes_of(std::string("\xFF\xD8\xFF\xFF", 4) + '\0' +
                                                     "\x04"
                                                     "ab\xFF\xD9")));
  EXPECT_FALSE(strip_image_metadata("webp", bytes_of("RIFF\x20\0\0\0WEBPVP8 \xFF\xFF\0\0")));
  EXPECT_EQ(strip_image_metadata("gif", bytes_of("GIF89a")).error().code, "unsupported");
}

}  // namespace
}  // namespace paddock::media
