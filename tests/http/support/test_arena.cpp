#include "test_arena.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "media/media.hpp"
#include "store/open_store.hpp"
#include "support/media_files.hpp"

namespace paddock::testing {
namespace {

using store::ModelStatus;

struct TestPrompt {
  std::string track;
  std::string id;
  std::string text;
  std::vector<std::string> categories;
  bool source_image;
};

const std::vector<TestPrompt>& prompts() {
  static const std::vector<TestPrompt> kPrompts{
      {"t2v", "p1", "A horse gallops along a beach at dawn", {"animals", "motion"}, false},
      {"t2v", "p2", "Fog rolls over a mountain lake", {"landscape"}, false},
      {"t2v", "p3", "A dancer spins in a <b>red</b> dress", {"portrait", "motion"}, false},
      {"i2v", "q1", "The cat in the picture yawns", {"animals"}, true},
      {"solo", "s1", "Only one model answered this", {}, false},
  };
  return kPrompts;
}

template <typename T>
T require(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

}  // namespace

const std::vector<TestModel>& TestArena::models() {
  static const std::vector<TestModel> kModels{
      {"seedance-2", "Seedance 2.0", "ByteDance", ModelStatus::Public, ""},
      {"kling-21", "Kling 2.1", "Kuaishou", ModelStatus::Public, ""},
      {"zebra-q9", "Zebra Quantum 9", "Zebra Labs", ModelStatus::Anonymous, "HappyHorse-1.0"},
      {"phantom-x", "Phantom Hidden X", "Phantom Corp", ModelStatus::Hidden, ""},
      {"oldtimer-1", "Old Timer One", "Vintage Pictures", ModelStatus::Retired, ""},
  };
  return kModels;
}

std::vector<std::string> TestArena::identities() {
  std::vector<std::string> out;
  for (const auto& m : models()) {
    out.push_back(m.id);
    out.push_back(m.display_name);
    out.push_back(m.organization);
    if (!m.codename.empty()) out.push_back(m.codename);
  }
  return out;
}

namespace {

// Test processes share one built copy of the catalog below, named by when this file was
// compiled: editing the catalog recompiles it, so a stale copy is never reused.
std::string template_stamp() {
  return std::to_string(std::hash<std::string_view>{}(__DATE__ " " __TIME__) % 1'000'000'007);
}

}  // namespace

TestArena::TestArena() : dir_("paddock-http-test") {
  // Building the catalog (normalizing every clip, committing every row) takes a second; it
  // is built once into a cache folder shared by the test processes and copied from there.
  auto cache =
      std::filesystem::temp_directory_path() / ("paddock-http-arena-" + template_stamp() + "-s" +
                                                std::to_string(store::latest_schema_version()));
  if (!std::filesystem::exists(cache / "complete")) {
    auto partial = cache;
    partial += "." + std::to_string(::getpid()) + ".partial";
    std::filesystem::remove_all(partial);
    build(partial);
    std::error_code ec;
    std::filesystem::rename(partial, cache, ec);  // another process may have won the race
    std::filesystem::remove_all(partial);
  }
  std::filesystem::copy(
      cache, dir(),
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  std::ifstream uploads(dir() / "uploads.txt");
  for (std::string model, path; uploads >> model >> path;) uploads_.emplace_back(model, path);
}

void TestArena::build(const std::filesystem::path& dir) {
  auto media = dir / "media";
  auto web_root = dir / "web";
  auto db = dir / "paddock.db";
  std::filesystem::create_directories(media);
  std::filesystem::create_directories(web_root / "assets");
  std::ofstream(web_root / "index.html")
      << "<!doctype html><html><head><title>paddock</title>"
         "<script type=\"module\" src=\"/assets/app-1a2b3c.js\"></script></head>"
         "<body><main id=\"app\"></main></body></html>\n";
  std::ofstream(web_root / "assets" / "app-1a2b3c.js") << "console.log('paddock');\n";
  // The build's gzip'd copy; its bytes only need to be told apart from the original's.
  std::ofstream(web_root / "assets" / "app-1a2b3c.js.gz") << "gzip'd copy of app-1a2b3c.js";
  std::ofstream uploads(dir / "uploads.txt");

  auto store = require(store::open_store(db.string()), "open the test database");
  for (std::string id : {"t2v", "i2v", "solo"}) {
    store::Track t;
    t.id = id;
    t.name = id == "t2v" ? "Text to video" : id == "i2v" ? "Image to video" : "One model only";
    t.task = id == "i2v" ? store::Task::ImageToVideo : store::Task::TextToVideo;
    t.audio = false;
    t.duration_s = 1;
    t.aspect = "16:9";
    t.width = 320;
    t.height = 180;
    require(store->upsert_track(t), "add track");
  }
  for (const auto& m : models()) {
    require(store->upsert_model({m.id, m.display_name, m.organization, m.status, m.codename}),
            "add model " + m.id);
  }
  int clip_number = 0;
  for (const auto& p : prompts()) {
    store::Prompt prompt;
    prompt.track_id = p.track;
    prompt.id = p.id;
    prompt.text = p.text;
    prompt.language = "en";
    prompt.categories = p.categories;
    if (p.source_image) {
      make_image(dir / "source.png", 320, 180);
      auto stored = require(media::store_source(dir / "source.png", media), "store source");
      prompt.source_hash = stored.hash;
      prompt.source_mime = stored.facts.mime;
    }
    require(store->upsert_prompt(prompt), "add prompt " + p.id);
    for (const auto& m : models()) {
      bool matchable = m.status == ModelStatus::Public || m.status == ModelStatus::Anonymous;
      if (p.track == "i2v" && !matchable) continue;
      if (p.track == "solo" && m.id != "seedance-2") continue;
      ClipSpec spec;
      spec.duration_s = 1;
      spec.fps = 12;
      spec.caption = "clip " + std::to_string(++clip_number);  // distinct content, no names
      spec.tags = {{"title", m.display_name},
                   {"comment", m.display_name + " by " + m.organization},
                   {"artist", m.organization},
                   {"encoder", m.id}};
      if (!m.codename.empty()) spec.tags["album"] = m.codename;
      spec.handler_name = m.display_name;
      spec.sei_text = m.id + " " + m.display_name;
      const auto& upload = shared_clip(spec);
      uploads << m.id << ' ' << upload.string() << '\n';
      auto stored =
          require(media::store_normalized(upload, media, {.encoding = media::Encoding::Remux}),
                  "normalize the clip of " + m.id);
      store::Clip c;
      c.track_id = p.track;
      c.prompt_id = p.id;
      c.model_id = m.id;
      c.hash = stored.hash;
      c.mime = stored.facts.mime;
      c.duration_s = stored.facts.duration_s;
      c.width = stored.facts.width;
      c.height = stored.facts.height;
      c.fps = stored.facts.fps;
      c.video_codec = stored.facts.video_codec;
      c.audio_codec = stored.facts.audio_codec;
      c.has_audio = stored.facts.has_audio;
      c.bytes = stored.facts.bytes;
      require(store->upsert_clip(c), "add clip");
    }
  }
  store.reset();  // closes the database: its file is complete without a WAL
  std::ofstream(dir / "complete") << "ok\n";
}

PaddockServer::Options TestArena::server_options(std::vector<std::string> extra) const {
  PaddockServer::Options o;
  o.db = db();
  o.media = media();
  o.web_root = web_root();
  o.args = {"--admin-token", kAdminToken, "--board-interval", "0", "--bootstrap", "100",
            "--session-votes-per-minute", "100000", "--session-battles-per-minute", "100000",
            "--address-votes-per-minute", "100000", "--address-battles-per-minute", "100000",
            // Tests vote at once; hardening_test.cpp tests the minimum watch time.
            "--min-watch-fraction", "0"};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  return o;
}

int64_t TestArena::seed_votes(const std::vector<SeededVote>& seeded) const {
  auto store = store::open_store(db().string(), {.create_if_missing = false});
  if (!store) throw std::runtime_error(store.error().message);
  auto prompts = (*store)->list_prompts("t2v");
  if (!prompts || prompts->empty()) throw std::runtime_error("no t2v prompt");
  std::vector<store::Vote> votes;
  for (const auto& s : seeded) {
    store::Vote v;
    v.battle_id = "seeded-" + std::to_string(votes.size());
    v.track_id = "t2v";
    v.prompt_id = prompts->front().id;
    if (!s.prompt_id.empty()) {
      // A named prompt: the vote carries its categories, as a cast vote does.
      auto p = std::find_if(prompts->begin(), prompts->end(),
                            [&](const store::Prompt& x) { return x.id == s.prompt_id; });
      if (p == prompts->end()) throw std::runtime_error("no t2v prompt " + s.prompt_id);
      v.prompt_id = p->id;
      v.categories = p->categories;
    }
    v.left_model = s.left_model;
    v.right_model = s.right_model;
    v.choice = s.left_wins ? store::Choice::Left : store::Choice::Right;
    v.session = s.session;
    v.address = s.address;
    v.left_watch_ms = s.left_watch_ms;
    v.right_watch_ms = s.right_watch_ms;
    v.decision_ms = s.decision_ms;
    v.created_at_ms = 1'700'000'000'000 + static_cast<int64_t>(votes.size());
    votes.push_back(std::move(v));
  }
  auto stored = (*store)->insert_votes(votes);
  if (!stored) throw std::runtime_error(stored.error().message);
  return stored->back().id;
}

}  // namespace paddock::testing
