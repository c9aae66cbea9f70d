#pragma once
// demo: a ready demo arena in one folder — an SQLite database and a media folder holding
// three tracks of today's video models, placeholder clips rendered on the spot, and votes
// from simulated voters that reproduce the published gaps (docs/demo.md). Built through the
// product's own paths: the catalog goes through arena::import_catalog, the clips through
// paddock generate with the placeholder provider, votes and battles through the store,
// the reveal of HappyHorse-1.0 through arena::change_model.
//
//   auto ready = demo::prepare_demo({.dir = "paddock-demo"}, progress);
//   serve ready->layout.db with ready->layout.media
//
// Building takes seconds; once complete, the folder carries a marker with the content
// version and later calls reuse it as it is. An interrupted build is completed by the next
// call (finished clips, imported files, stored votes are kept; nothing is stored twice).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/records.hpp"

namespace paddock::demo {

// Where a demo folder keeps things.
struct DemoLayout {
  std::filesystem::path dir;
  std::filesystem::path db;      // dir/demo.db
  std::filesystem::path media;   // dir/media
  std::filesystem::path render;  // dir/render: rendered clips and the manifest, while building
  std::filesystem::path marker;  // dir/demo.json: written last, when the demo is complete

  static DemoLayout in(const std::filesystem::path& dir);
};

struct DemoOptions {
  std::filesystem::path dir = "paddock-demo";
  int jobs = 0;          // clips made at once; 0: one per core
  bool rebuild = false;  // discard what the folder holds and build again
};

enum class DemoPhase { Render, Import, Generate, Votes, Reveal };
// "render", "import", "generate", "votes", "reveal"
std::string_view to_string(DemoPhase);

struct DemoEvent {
  enum class Kind { Started, Step, Finished };
  Kind kind = Kind::Started;
  DemoPhase phase = DemoPhase::Render;
  int64_t done = 0;  // Step: units done of total
  int64_t total = 0;
  std::string label{};  // Step: what was just done; Finished: a summary ("232 clips")
  double seconds = 0;   // Finished: how long the phase took
};
// Called on the thread that called prepare_demo, never concurrently.
using DemoProgress = std::function<void(const DemoEvent&)>;

struct PhaseTime {
  DemoPhase phase = DemoPhase::Render;
  double seconds = 0;
  std::string summary;
};

struct DemoReady {
  DemoLayout layout;
  bool reused = false;            // the folder was complete: nothing was built
  bool resumed = false;           // an unfinished build was found and completed
  std::vector<PhaseTime> phases;  // empty when reused
  store::Counts counts;
};

// Returns a complete demo in options.dir, building what is missing. A folder that holds
// anything besides a demo's files is refused ("not_a_demo_folder"); a demo of another
// content version (or any with options.rebuild) is deleted and built again.
// Errors: "not_a_demo_folder", "missing_font", "render_failed", "import_failed",
// "generate_failed", "io_error", or the store's.
Result<DemoReady> prepare_demo(const DemoOptions& options, const DemoProgress& progress = {});

}  // namespace paddock::demo
