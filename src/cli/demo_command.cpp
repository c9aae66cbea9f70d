// paddock demo: the README's first command. Builds the demo arena (or finds it built) and
// serves it, with progress and phase timings on stderr.
#include "cli/demo_command.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "cli/progress_bar.hpp"
#include "cli/serve_command.hpp"
#include "cli/serve_config.hpp"
#include "demo/demo.hpp"

namespace paddock::cli {
namespace {

struct DemoArgs {
  std::string dir = "paddock-demo";
  std::string listen = "127.0.0.1:8080";
  bool prepare_only = false;
  bool rebuild = false;
  int jobs = 0;
};

// Shows a phase's steps on the bar (on a terminal) or as a few lines (otherwise, about one
// per tenth of the phase), and each finished phase as one line with its time.
class DemoReporter {
 public:
  DemoReporter() : interactive_(stderr_is_terminal()), bar_(stderr, interactive_) {}

  void operator()(const demo::DemoEvent& e) {
    const std::string phase(demo::to_string(e.phase));
    switch (e.kind) {
      case demo::DemoEvent::Kind::Started:
        tenths_shown_ = 0;
        break;
      case demo::DemoEvent::Kind::Step: {
        const int64_t tenths = e.total > 0 ? e.done * 10 / e.total : 10;
        if (interactive_) {
          bar_.step(e.done, e.total, phase + " " + e.label, "");
        } else if (tenths > tenths_shown_) {
          bar_.step(e.done, e.total, phase, e.label);
          tenths_shown_ = tenths;
        }
        break;
      }
      case demo::DemoEvent::Kind::Finished:
        bar_.clear();
        fmt::print(stderr, "  {:<7} {:<58} {:5.1f} s\n", phase, e.label, e.seconds);
        std::fflush(stderr);
        break;
    }
  }

 private:
  bool interactive_;
  ProgressBar bar_;
  int64_t tenths_shown_ = 0;
};

int run_demo(const DemoArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  fmt::print(stderr, "paddock demo: preparing the demo arena in {}\n", a.dir);
  DemoReporter reporter;
  auto ready = demo::prepare_demo({.dir = a.dir, .jobs = a.jobs, .rebuild = a.rebuild},
                                  [&](const demo::DemoEvent& e) { reporter(e); });
  if (!ready) {
    fmt::print(stderr, "paddock demo: {}\n", ready.error().message);
    if (ready.error().code != "not_a_demo_folder" && ready.error().code != "busy") {
      fmt::print(stderr, "paddock demo: run it again to finish the build (or add --rebuild)\n");
    }
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& c = ready->counts;
  if (ready->reused) {
    fmt::print(
        stderr,
        "paddock demo: reusing the demo built before ({} votes; --rebuild builds it again)\n",
        c.votes);
  } else {
    fmt::print(stderr,
               "paddock demo: {} in {:.1f} s: {} tracks, {} models, {} prompts, {} clips, {} "
               "votes\n",
               ready->resumed ? "finished the interrupted build" : "built", seconds, c.tracks,
               c.models, c.prompts, c.clips, c.votes);
  }
  fmt::print(stderr, "paddock demo: database {}, media {}\n", ready->layout.db.string(),
             ready->layout.media.string());
  if (a.prepare_only) return 0;

  // Served the way paddock serve serves it, with the demo flag on (the pages' banner).
  // PADDOCK_* variables still apply (an admin token, a web root); the flags below win.
  auto settings = resolve_serve_settings({{"listen", a.listen},
                                          {"db", ready->layout.db.string()},
                                          {"media", ready->layout.media.string()}},
                                         paddock_environment(), std::nullopt);
  if (!settings) {
    fmt::print(stderr, "paddock demo: {}\n", settings.error().message);
    return 2;
  }
  settings->demo = true;
  fmt::print(stderr, "paddock demo: serving it with the demo banner on (Ctrl-C stops)\n");
  return serve(*settings);
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Build (or reuse) a demo arena of placeholder clips and simulated votes, and serve it");
  cmd->add_option("--dir", a->dir, "the demo's folder (demo.db, media/)")->capture_default_str();
  cmd->add_option("--listen", a->listen, "HOST:PORT to serve on")->capture_default_str();
  cmd->add_flag("--prepare-only", a->prepare_only, "build or check the demo, do not serve it");
  cmd->add_flag("--rebuild", a->rebuild, "discard the demo in --dir and build it again");
  cmd->add_option("--jobs", a->jobs, "clips rendered at once (default: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->callback([&exit_code, a] { exit_code = run_demo(*a); });
}

}  // namespace paddock::cli
