// The import manifest (arena::parse_manifest, JSON Lines of track, model, prompt and clip
// records) and the reference check that follows it (arena::check_catalog, without a store).
// parse_manifest reads a file, so each input is written to a scratch file first.
// Checks: every problem names the file and line it is about; every record that was kept
// follows catalog_rules (valid ids, valid track and model) and appears once.

#include <set>
#include <string>

#include "arena/catalog_import.hpp"
#include "arena/catalog_rules.hpp"
#include "support/fuzz_support.hpp"

using namespace paddock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_scratch("catalog.jsonl", fuzz::as_text(data, size));
  const auto parsed = arena::parse_manifest(file);
  const std::string prefix = file.string() + ":";
  for (const auto& p : parsed.problems) {
    FUZZ_CHECK(p.starts_with(prefix), "a problem that does not name its line: %s", p.c_str());
  }

  const auto& m = parsed.manifest;
  std::set<std::string> seen;
  for (const auto& t : m.tracks) {
    FUZZ_CHECK(arena::validate_track(t.track).has_value(), "kept an invalid track %s",
               t.track.id.c_str());
    FUZZ_CHECK(seen.insert("track/" + t.track.id).second, "track %s kept twice",
               t.track.id.c_str());
  }
  for (const auto& r : m.models) {
    FUZZ_CHECK(arena::validate_model(r.model).has_value(), "kept an invalid model %s",
               r.model.id.c_str());
    FUZZ_CHECK(seen.insert("model/" + r.model.id).second, "model %s kept twice",
               r.model.id.c_str());
  }
  for (const auto& p : m.prompts) {
    FUZZ_CHECK(arena::is_valid_id(p.prompt.id) && arena::is_valid_id(p.prompt.track_id),
               "kept a prompt with a bad id");
    FUZZ_CHECK(!p.prompt.text.empty(), "kept a prompt without text");
    FUZZ_CHECK(seen.insert("prompt/" + p.prompt.track_id + "/" + p.prompt.id).second,
               "prompt kept twice");
  }
  for (const auto& c : m.clips) {
    FUZZ_CHECK(arena::is_valid_id(c.track_id) && arena::is_valid_id(c.prompt_id) &&
                   arena::is_valid_id(c.model_id),
               "kept a clip with a bad id");
    FUZZ_CHECK(seen.insert("clip/" + c.track_id + "/" + c.prompt_id + "/" + c.model_id).second,
               "clip kept twice");
  }

  auto problems = arena::check_catalog(m, nullptr);
  FUZZ_CHECK(problems.has_value(), "check_catalog failed without a store: %s",
             problems.error().message.c_str());
  for (const auto& p : *problems) {
    FUZZ_CHECK(p.starts_with(prefix), "a reference problem that does not name its line: %s",
               p.c_str());
  }
  return 0;
}
