// Reading catalog manifests (JSON Lines) and catalog folders; see docs/import-format.md.
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "arena/catalog_import.hpp"
#include "arena/catalog_rules.hpp"

namespace paddock::arena {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kFolderPromptsFile = "prompts.jsonl";
constexpr std::string_view kSourcesFolder = kReservedTrackId;  // skipped when looking for clips
const std::set<std::string> kClipExtensions = {".mp4", ".webm", ".mov", ".mkv"};

// A model record's fields: the model's own (catalog_rules.hpp), "kind", and "generation"
// (how paddock generate makes its clips; set from the CLI too, not over HTTP).
std::set<std::string> model_record_fields() {
  std::set<std::string> fields(kModelFields.begin(), kModelFields.end());
  fields.insert("kind");
  fields.insert("generation");
  return fields;
}

// The fields each kind of record may have; anything else is a typo worth reporting.
const std::map<std::string, std::set<std::string>> kFields = {
    {"track",
     {"kind", "id", "name", "task", "audio", "duration_s", "aspect", "width", "height", "fps",
      "seed", "watermark"}},
    {"model", model_record_fields()},
    {"prompt", {"kind", "track", "id", "text", "language", "categories", "source"}},
    {"clip", {"kind", "track", "prompt", "model", "file"}},
};

// Reads typed fields out of one record, collecting a problem for each wrong one.
class RecordReader {
 public:
  RecordReader(const json& obj, std::string where, std::vector<std::string>& problems)
      : obj_(obj), where_(std::move(where)), problems_(problems) {}

  std::string text(const char* key, bool required, std::string fallback = "") {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) {
      if (required) problem(fmt::format("missing \"{}\"", key));
      return fallback;
    }
    if (!it->is_string()) {
      problem(fmt::format("\"{}\" must be a string", key));
      return fallback;
    }
    return it->get<std::string>();
  }

  double number(const char* key, bool required, double fallback = 0) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) {
      if (required) problem(fmt::format("missing \"{}\"", key));
      return fallback;
    }
    if (!it->is_number()) {
      problem(fmt::format("\"{}\" must be a number", key));
      return fallback;
    }
    return it->get<double>();
  }

  int integer(const char* key, bool required) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) {
      if (required) problem(fmt::format("missing \"{}\"", key));
      return 0;
    }
    if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > 100000) {
      problem(fmt::format("\"{}\" must be a whole number from 1 to 100000", key));
      return 0;
    }
    return static_cast<int>(it->get<int64_t>());
  }

  bool boolean(const char* key, bool fallback) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) {
      problem(fmt::format("\"{}\" must be true or false", key));
      return fallback;
    }
    return it->get<bool>();
  }

  std::vector<std::string> texts(const char* key) {
    std::vector<std::string> out;
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return out;
    if (!it->is_array()) {
      problem(fmt::format("\"{}\" must be an array of strings", key));
      return out;
    }
    for (const json& v : *it) {
      if (!v.is_string() || v.get<std::string>().empty()) {
        problem(fmt::format("\"{}\" must be an array of non-empty strings", key));
        return {};
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  std::string id(const char* key) {
    const std::size_t before = problems_.size();
    std::string v = text(key, true);
    if (problems_.size() == before && !is_valid_id(v)) {  // "" too: it is present, not missing
      problem(
          fmt::format("\"{}\" value \"{}\" is not an id (1-64 characters of A-Z a-z 0-9 . _ -, "
                      "starting with a letter or digit)",
                      key, v));
    }
    return v;
  }

  // An optional object field, in its canonical JSON spelling; "" when absent.
  std::string object_text(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return "";
    if (!it->is_object()) {
      problem(fmt::format("\"{}\" must be an object", key));
      return "";
    }
    return it->dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void problem(const std::string& text) { problems_.push_back(where_ + ": " + text); }

 private:
  const json& obj_;
  std::string where_;
  std::vector<std::string>& problems_;
};

fs::path resolve(const fs::path& base, const std::string& written) {
  fs::path p(written);
  return p.is_absolute() ? p : base / p;
}

class ManifestBuilder {
 public:
  ManifestBuilder(ParsedManifest& out, fs::path base) : out_(out), base_(std::move(base)) {}

  // Adds one record from line `line` of `file`; `allowed_kinds` limits what may appear.
  void add_line(const std::string& file, int line, std::string_view text,
                const std::set<std::string>& allowed_kinds) {
    const std::string where = file + ":" + std::to_string(line);
    json obj = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded()) {
      out_.problems.push_back(where + ": not valid JSON");
      return;
    }
    if (!obj.is_object()) {
      out_.problems.push_back(where + ": a record must be a JSON object");
      return;
    }
    auto kind_it = obj.find("kind");
    if (kind_it == obj.end() || !kind_it->is_string()) {
      out_.problems.push_back(where + ": missing \"kind\" (track, model, prompt or clip)");
      return;
    }
    const std::string kind = kind_it->get<std::string>();
    if (!kFields.contains(kind)) {
      out_.problems.push_back(where + ": unknown kind \"" + kind +
                              "\" (track, model, prompt or clip)");
      return;
    }
    if (!allowed_kinds.contains(kind)) {
      out_.problems.push_back(where + ": " + kind + " records do not belong in this file");
      return;
    }
    for (const auto& [key, value] : obj.items()) {
      if (!kFields.at(kind).contains(key)) {
        out_.problems.push_back(where + ": unknown field \"" + key + "\" in a " + kind + " record");
      }
    }
    RecordReader r(obj, where, out_.problems);
    RecordOrigin origin{file, line};
    if (kind == "track") add_track(r, origin);
    if (kind == "model") add_model(r, origin);
    if (kind == "prompt") add_prompt(r, origin);
    if (kind == "clip") add_clip(r, origin);
  }

  void add_folder_clip(const std::string& track, const std::string& prompt,
                       const std::string& model, const fs::path& file, const std::string& shown) {
    const RecordOrigin origin{shown, 0};
    for (const auto& [label, id] : {std::pair{"track folder", track},
                                    {"prompt folder", prompt},
                                    {"model file name", model}}) {
      if (!is_valid_id(id)) {
        out_.problems.push_back(shown + ": " + label + " \"" + id +
                                "\" is not an id (1-64 characters of A-Z a-z 0-9 . _ -)");
        return;
      }
    }
    push_clip({track, prompt, model, file, shown, origin});
  }

 private:
  bool first_time(std::map<std::string, RecordOrigin>& seen, const std::string& key,
                  const std::string& what, const RecordOrigin& origin) {
    auto [it, inserted] = seen.emplace(key, origin);
    if (!inserted) {
      out_.problems.push_back(origin.to_string() + ": duplicate " + what + " (first at " +
                              it->second.to_string() + ")");
    }
    return inserted;
  }

  void add_track(RecordReader& r, const RecordOrigin& origin) {
    const size_t before = out_.problems.size();
    TrackRecord t;
    t.origin = origin;
    t.track.id = r.id("id");
    t.track.name = r.text("name", false, t.track.id);
    const std::string task = r.text("task", true);
    if (auto parsed = store::parse_task(task)) {
      t.track.task = *parsed;
    } else if (!task.empty()) {
      r.problem("task \"" + task + "\" is not text-to-video, image-to-video or video-edit");
    }
    t.track.audio = r.boolean("audio", false);
    t.track.duration_s = r.number("duration_s", true);
    t.track.width = r.integer("width", true);
    t.track.height = r.integer("height", true);
    t.track.fps = r.number("fps", false);
    t.track.aspect = r.text("aspect", false);
    t.track.seed = r.text("seed", false, "per-prompt");
    t.track.watermark = r.boolean("watermark", false);
    if (out_.problems.size() == before) {
      if (t.track.aspect.empty()) t.track.aspect = aspect_of(t.track.width, t.track.height);
      if (auto st = validate_track(t.track); !st) r.problem(st.error().message);
    }
    const bool fine = out_.problems.size() == before;
    if (t.track.id.empty()) return;
    // Duplicates are found whether or not the records have problems of their own, so every
    // problem shows in one round.
    if (!first_time(tracks_, t.track.id, "track \"" + t.track.id + "\"", origin)) return;
    if (fine) {
      out_.manifest.tracks.push_back(std::move(t));
    } else {
      out_.broken.tracks.insert(t.track.id);
    }
  }

  void add_model(RecordReader& r, const RecordOrigin& origin) {
    const size_t before = out_.problems.size();
    ModelRecord m;
    m.origin = origin;
    m.model.id = r.id("id");
    m.model.display_name = r.text("display_name", true);
    m.model.organization = r.text("organization", false);
    const std::string status = r.text("status", false, "public");
    if (auto parsed = parse_status(status)) {
      m.model.status = *parsed;
    } else {
      r.problem(parsed.error().message);
    }
    m.model.codename = r.text("codename", false);
    m.model.generation = r.object_text("generation");
    if (out_.problems.size() == before && !m.model.generation.empty()) {
      if (auto canonical = canonical_generation(m.model.generation)) {
        m.model.generation = std::move(*canonical);
      } else {
        r.problem(canonical.error().message);
      }
    }
    if (out_.problems.size() == before) {
      if (auto st = validate_model(m.model); !st) r.problem(st.error().message);
    }
    const bool fine = out_.problems.size() == before;
    if (m.model.id.empty()) return;
    if (!first_time(models_, m.model.id, "model \"" + m.model.id + "\"", origin)) return;
    if (fine) {
      out_.manifest.models.push_back(std::move(m));
    } else {
      out_.broken.models.insert(m.model.id);
    }
  }

  void add_prompt(RecordReader& r, const RecordOrigin& origin) {
    const size_t before = out_.problems.size();
    PromptRecord p;
    p.origin = origin;
    p.prompt.track_id = r.id("track");
    p.prompt.id = r.id("id");
    p.prompt.text = r.text("text", true);
    if (p.prompt.text.empty() && out_.problems.size() == before) r.problem("\"text\" is empty");
    p.prompt.language = r.text("language", false, "en");
    p.prompt.categories = r.texts("categories");
    p.source_as_written = r.text("source", false);
    if (!p.source_as_written.empty()) p.source = resolve(base_, p.source_as_written);
    const bool fine = out_.problems.size() == before;
    if (p.prompt.track_id.empty() || p.prompt.id.empty()) return;
    const std::string key = p.prompt.track_id + "/" + p.prompt.id;
    if (!first_time(prompts_, key, "prompt \"" + key + "\"", origin)) return;
    if (fine) {
      out_.manifest.prompts.push_back(std::move(p));
    } else {
      out_.broken.prompts.insert({p.prompt.track_id, p.prompt.id});
    }
  }

  void add_clip(RecordReader& r, const RecordOrigin& origin) {
    const size_t before = out_.problems.size();
    ClipRecord c;
    c.origin = origin;
    c.track_id = r.id("track");
    c.prompt_id = r.id("prompt");
    c.model_id = r.id("model");
    c.file_as_written = r.text("file", true);
    const bool fine = out_.problems.size() == before;
    if (!c.file_as_written.empty()) c.file = resolve(base_, c.file_as_written);
    if (c.track_id.empty() || c.prompt_id.empty() || c.model_id.empty()) return;
    push_clip(std::move(c), fine);
  }

  // Registers the clip (a duplicate is a problem) and keeps it if it had none of its own.
  void push_clip(ClipRecord c, bool fine = true) {
    const std::string key = c.track_id + "/" + c.prompt_id + "/" + c.model_id;
    if (first_time(clips_, key, "clip for " + key, c.origin) && fine) {
      out_.manifest.clips.push_back(std::move(c));
    }
  }

  ParsedManifest& out_;
  fs::path base_;
  std::map<std::string, RecordOrigin> tracks_, models_, prompts_, clips_;
};

// Feeds every non-blank line of `file` to the builder.
void read_lines(const fs::path& file, const std::string& shown, ManifestBuilder& builder,
                ParsedManifest& out, const std::set<std::string>& kinds) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.problems.push_back(shown + ": cannot be read");
    return;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    builder.add_line(shown, number, line, kinds);
  }
}

}  // namespace

std::string RecordOrigin::to_string() const {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

ParsedManifest parse_manifest(const fs::path& file) {
  ParsedManifest out;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    out.problems.push_back(file.string() + ": no such manifest file");
    return out;
  }
  ManifestBuilder builder(out, file.parent_path());
  read_lines(file, file.string(), builder, out, {"track", "model", "prompt", "clip"});
  return out;
}

ParsedManifest scan_folder(const fs::path& folder) {
  ParsedManifest out;
  ManifestBuilder builder(out, folder);
  const fs::path prompts = folder / kFolderPromptsFile;
  std::error_code ec;
  if (!fs::is_regular_file(prompts, ec)) {
    out.problems.push_back(prompts.string() + ": missing (a catalog folder needs " +
                           std::string(kFolderPromptsFile) + ", see docs/import-format.md)");
    return out;
  }
  read_lines(prompts, prompts.string(), builder, out, {"track", "model", "prompt"});

  // TRACK/PROMPT/MODEL.ext, in a stable order so that runs and reports are reproducible.
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(folder, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    if (!kClipExtensions.contains(it->path().extension().string())) continue;
    files.push_back(it->path());
  }
  if (ec) out.problems.push_back(folder.string() + ": cannot be listed: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    const fs::path rel = fs::relative(f, folder);
    const std::string shown = (folder / rel).string();
    std::vector<std::string> parts;
    for (const auto& part : rel) parts.push_back(part.string());
    if (parts.front() == kSourcesFolder) continue;  // prompt sources live there
    bool is_source = false;
    for (const auto& p : out.manifest.prompts) {
      is_source = is_source || p.source.lexically_normal() == f.lexically_normal();
    }
    if (is_source) continue;
    if (parts.size() != 3) {
      out.problems.push_back(shown + ": not where a clip goes (TRACK/PROMPT/MODEL" +
                             f.extension().string() + ")");
      continue;
    }
    builder.add_folder_clip(parts[0], parts[1], fs::path(parts[2]).stem().string(), f, shown);
  }
  return out;
}

ParsedManifest read_catalog(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return scan_folder(path);
  return parse_manifest(path);
}

}  // namespace paddock::arena
