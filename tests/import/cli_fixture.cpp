#include "cli_fixture.hpp"

#include <algorithm>
#include <filesystem>

#include "store/open_store.hpp"
#include "support/media_files.hpp"

namespace paddock::import_test {

namespace fs = std::filesystem;
using paddock::testing::ClipSpec;
using paddock::testing::Container;
using paddock::testing::VideoCodec;

paddock::testing::ProcessResult CliTest::paddock(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {PADDOCK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return paddock::testing::run_process(argv, {.cwd = dir_.path()});
}

void CliTest::write(const std::string& name, const std::string& text) const {
  fs::create_directories((dir_ / name).parent_path());
  paddock::testing::write_file(dir_ / name, text);
}

namespace {

ClipSpec planted(ClipSpec spec) {
  spec.tags = {{"title", kPlantedName}, {"comment", kPlantedName}, {"encoder", kPlantedName}};
  spec.handler_name = kPlantedName;
  if (spec.codec == VideoCodec::H264) spec.sei_text = kPlantedName;
  return spec;
}

}  // namespace

std::string CliTest::write_standard_catalog() const {
  fs::create_directories(dir_ / "clips");
  fs::create_directories(dir_ / "sources");
  struct Made {
    const char* file;
    ClipSpec spec;
  };
  const Made clips[] = {
      {"clips/ma.mp4", planted({.duration_s = 2, .audio = true, .caption = "A"})},
      {"clips/mb.webm", planted({.duration_s = 2,
                                 .codec = VideoCodec::Vp9,
                                 .container = Container::WebM,
                                 .audio = true,
                                 .caption = "B"})},
      {"clips/mc.mp4",
       planted({.duration_s = 2, .audio = true, .caption = "C", .faststart = false})},
  };
  for (const Made& m : clips) {
    fs::copy_file(paddock::testing::shared_clip(m.spec), dir_ / m.file,
                  fs::copy_options::overwrite_existing);
  }
  paddock::testing::make_image(dir_ / "sources/p1.png", 320, 180);
  write(
      "catalog.jsonl",
      R"({"kind": "track", "id": "t2v", "name": "Text to video", "task": "text-to-video", "audio": true, "duration_s": 2, "width": 320, "height": 180}
{"kind": "track", "id": "i2v", "name": "Image to video", "task": "image-to-video", "duration_s": 2, "width": 320, "height": 180}
{"kind": "model", "id": "ma", "display_name": "HappyHorse-1.0", "organization": "Lab A", "status": "anonymous", "codename": "Mystery-A"}
{"kind": "model", "id": "mb", "display_name": "Seedance 2.0", "organization": "Lab B", "status": "public"}
{"kind": "model", "id": "mc", "display_name": "Internal C", "organization": "Lab C", "status": "hidden"}
{"kind": "prompt", "track": "t2v", "id": "p1", "text": "A horse gallops along a beach", "categories": ["animals", "motion"]}
{"kind": "prompt", "track": "i2v", "id": "p1", "text": "Make the picture move", "language": "en", "source": "sources/p1.png"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "ma", "file": "clips/ma.mp4"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "mb", "file": "clips/mb.webm"}
{"kind": "clip", "track": "t2v", "prompt": "p1", "model": "mc", "file": "clips/mc.mp4"}
{"kind": "clip", "track": "i2v", "prompt": "p1", "model": "ma", "file": "clips/ma.mp4"}
{"kind": "clip", "track": "i2v", "prompt": "p1", "model": "mb", "file": "clips/mb.webm"}
)");
  return "catalog.jsonl";
}

std::unique_ptr<store::Store> CliTest::open_db() const {
  store::StoreOptions options;
  options.create_if_missing = false;
  auto s = store::open_store((dir_ / "paddock.db").string(), options);
  if (!s) {
    ADD_FAILURE() << s.error().message;
    return nullptr;
  }
  return std::move(*s);
}

std::vector<std::string> CliTest::media_files() const {
  std::vector<std::string> out;
  if (!fs::exists(dir_ / "media")) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "media")) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir_ / "media").string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace paddock::import_test
