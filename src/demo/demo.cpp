#include "demo/demo.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "arena/arena.hpp"
#include "arena/catalog_import.hpp"
#include "arena/model_change.hpp"
#include "base/clock.hpp"
#include "demo/demo_content.hpp"
#include "demo/render_plan.hpp"
#include "demo/vote_simulation.hpp"
#include "generate/generate.hpp"
#include "media/clip_render.hpp"
#include "store/open_store.hpp"

namespace paddock::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Everything a demo folder may hold; anything else means the folder is someone's own.
constexpr std::string_view kDemoEntries[] = {"demo.db",         "demo.db-wal",    "demo.db-shm",
                                             "demo.db-journal", "media",          "render",
                                             "demo.json",       "demo.json.part", "demo.lock"};
constexpr std::size_t kWriteBatch = 4000;  // votes or battles per transaction
// The setting that pins the timeline's end at the first build, so a resumed build
// simulates exactly the same votes.
constexpr std::string_view kTimelineEndSetting = "demo_timeline_end_ms";
constexpr int64_t kTimelineEndsAgoMs = 10 * 60 * 1000;

Error io_error(const fs::path& p, const std::error_code& ec) {
  return Error{"io_error", p.string() + ": " + ec.message()};
}

// Holds an exclusive lock on DIR/demo.lock while the folder is being prepared.
class FolderLock {
 public:
  static Result<FolderLock> take(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail("io_error", file.string() + ": cannot be opened");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return fail("busy", "another paddock demo is preparing " + file.parent_path().string());
    }
    return FolderLock(fd);
  }
  FolderLock(FolderLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FolderLock& operator=(FolderLock&&) = delete;
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_;
};

// What the marker says: the content version and whether the build finished.
struct MarkerState {
  int content_version = 0;
  bool complete = false;
};

std::optional<MarkerState> read_marker(const DemoLayout& layout) {
  std::ifstream in(layout.marker);
  if (!in) return std::nullopt;
  json marker = json::parse(in, nullptr, false);
  if (!marker.is_object()) return std::nullopt;
  auto v = marker.find("content_version");
  auto c = marker.find("complete");
  if (v == marker.end() || !v->is_number_integer() || c == marker.end() || !c->is_boolean()) {
    return std::nullopt;
  }
  return MarkerState{v->get<int>(), c->get<bool>()};
}

// Refuses a folder that holds anything a demo does not; says whether it holds a demo's
// files already (an unfinished build).
Result<bool> check_folder(const DemoLayout& layout) {
  std::error_code ec;
  bool any = false;
  for (fs::directory_iterator it(layout.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (std::find(std::begin(kDemoEntries), std::end(kDemoEntries), name) ==
        std::end(kDemoEntries)) {
      return fail("not_a_demo_folder", layout.dir.string() +
                                           " is not a paddock demo folder (it holds \"" + name +
                                           "\"); choose another --dir");
    }
    if (name != "demo.lock") any = true;
  }
  if (ec) return std::unexpected(io_error(layout.dir, ec));
  return any;
}

Status wipe(const DemoLayout& layout) {
  for (auto name : kDemoEntries) {
    if (name == "demo.lock") continue;
    std::error_code ec;
    fs::remove_all(layout.dir / name, ec);
    if (ec) return std::unexpected(io_error(layout.dir / name, ec));
  }
  return ok();
}

// Writes the marker durably and renames it into place. Written at the start of a build
// (complete: false, so an interrupted build of this version is resumed) and at its end.
Status write_marker(const DemoLayout& layout, const store::Counts* counts) {
  json marker{{"content_version", kDemoContentVersion},
              {"complete", counts != nullptr},
              {"db", "demo.db"},
              {"media", "media"}};
  if (counts) {
    marker["built_at_ms"] = unix_ms();
    marker["votes"] = counts->votes;
    marker["clips"] = counts->clips;
  }
  const std::string text = marker.dump(2) + "\n";
  const fs::path part = layout.dir / "demo.json.part";
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("io_error", part.string() + ": cannot be written");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return fail("io_error", part.string() + ": write failed");
  std::error_code ec;
  fs::rename(part, layout.marker, ec);
  if (ec) return std::unexpected(io_error(layout.marker, ec));
  if (int dir = ::open(layout.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok();
}

class Phases {
 public:
  Phases(const DemoProgress& progress, std::vector<PhaseTime>& times)
      : progress_(progress), times_(times) {}

  void start(DemoPhase phase) {
    phase_ = phase;
    started_ = std::chrono::steady_clock::now();
    emit({.kind = DemoEvent::Kind::Started, .phase = phase});
  }
  void step(int64_t done, int64_t total, std::string label) {
    emit({.kind = DemoEvent::Kind::Step,
          .phase = phase_,
          .done = done,
          .total = total,
          .label = std::move(label)});
  }
  void finish(std::string summary) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    times_.push_back({phase_, s, summary});
    emit({.kind = DemoEvent::Kind::Finished, .phase = phase_, .label = summary, .seconds = s});
  }

 private:
  void emit(const DemoEvent& e) {
    if (progress_) progress_(e);
  }
  const DemoProgress& progress_;
  std::vector<PhaseTime>& times_;
  DemoPhase phase_ = DemoPhase::Render;
  std::chrono::steady_clock::time_point started_;
};

// Renders the jobs whose file is missing, `threads` at a time; reports each on this thread.
Status render_missing(const std::vector<RenderJob>& jobs, int threads, Phases& phases) {
  std::vector<const RenderJob*> todo;
  for (const auto& job : jobs) {
    std::error_code ec;
    if (fs::exists(job.out, ec)) continue;
    fs::create_directories(job.out.parent_path(), ec);
    if (ec) return std::unexpected(io_error(job.out.parent_path(), ec));
    todo.push_back(&job);
  }
  const auto total = static_cast<int64_t>(jobs.size());
  int64_t done = total - static_cast<int64_t>(todo.size());
  if (todo.empty()) return ok();

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> finished;  // labels not reported yet
  std::optional<Error> error;
  size_t running = 0;
  auto work = [&] {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= todo.size() || stop) break;
      const RenderJob& job = *todo[i];
      Status s = job.image ? media::render_image(job.recipe.video, job.out)
                           : media::render_clip(job.recipe, job.out);
      std::lock_guard lock(mutex);
      if (!s && !error) {
        error = s.error();
        stop = true;
      }
      finished.push_back(job.label);
      changed.notify_one();
    }
    std::lock_guard lock(mutex);
    --running;
    changed.notify_one();
  };
  const auto workers = static_cast<size_t>(
      std::clamp<int64_t>(threads > 0 ? threads : std::thread::hardware_concurrency(), 1,
                          static_cast<int64_t>(todo.size())));
  running = workers;
  std::vector<std::jthread> pool;
  for (size_t i = 0; i < workers; ++i) pool.emplace_back(work);

  std::unique_lock lock(mutex);
  for (;;) {
    changed.wait(lock, [&] { return !finished.empty() || running == 0; });
    std::vector<std::string> batch;
    batch.swap(finished);
    const bool all_done = running == 0;
    lock.unlock();
    for (auto& label : batch) phases.step(++done, total, std::move(label));
    lock.lock();
    if (all_done && finished.empty()) break;
  }
  lock.unlock();
  pool.clear();  // joins
  if (error) return std::unexpected(*error);
  return ok();
}

Status render_phase(const DemoLayout& layout, int threads, Phases& phases) {
  phases.start(DemoPhase::Render);
  auto font = media::find_caption_font();
  if (!font) return std::unexpected(font.error());
  RenderPlan plan = plan_render(layout.render, *font);
  if (auto s = render_missing(plan.jobs, threads, phases); !s) return s;

  // The manifest last, under its real name only when whole.
  const fs::path manifest = layout.render / "catalog.jsonl";
  const fs::path part = layout.render / "catalog.jsonl.part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out << plan.manifest;
    if (!out.flush()) return fail("io_error", part.string() + ": write failed");
  }
  std::error_code ec;
  fs::rename(part, manifest, ec);
  if (ec) return std::unexpected(io_error(manifest, ec));

  phases.finish(fmt::format("{} source images", plan.jobs.size()));
  return ok();
}

// The clips, through paddock generate with the placeholder provider: one job per track,
// prompt and entrant, claimed, "submitted", rendered into the media folder's staging area
// and stored by arena::import_clip, like clips from any vendor. A build interrupted here
// resumes from the jobs in the database.
Status generate_phase(const DemoLayout& layout, store::Store& store, int threads, Phases& phases) {
  phases.start(DemoPhase::Generate);
  auto font = media::find_caption_font();
  if (!font) return std::unexpected(font.error());
  generate::ProviderConfig placeholder;
  placeholder.name = std::string(kPlaceholderProvider);
  placeholder.protocol = "placeholder";
  placeholder.concurrency = static_cast<int>(
      std::max<int64_t>(1, threads > 0 ? threads : std::thread::hardware_concurrency()));
  placeholder.requests_per_second = 0;
  placeholder.poll_interval_s = 0.001;
  generate::GenerateConfig config;
  config.providers.push_back(placeholder);
  generate::ProviderSet providers(
      std::move(config),
      {.placeholder_recipe = [path = *font](const generate::GenerationRequest& r) {
        return clip_recipe(r.track_id, r.prompt_id, r.model_id, path);
      }});

  std::vector<generate::GenerationPlan> plans;
  int64_t total = 0;
  int64_t done_before = 0;
  for (const auto& t : demo_tracks()) {
    generate::GenerateOptions options;
    options.track_id = t.id;
    options.media_dir = layout.media;
    auto plan = generate::plan_generation(store, providers, options);
    if (!plan) return std::unexpected(plan.error());
    if (!plan->problems.empty()) {
      return fail("generate_failed", plan->problems.front().message);
    }
    total += static_cast<int64_t>(plan->jobs.size()) + plan->clips_already;
    done_before += plan->clips_already;
    plans.push_back(std::move(*plan));
  }
  int64_t clips = 0;
  for (const auto& plan : plans) {
    generate::GenerateOptions options;
    options.track_id = plan.track.id;
    options.media_dir = layout.media;
    const int64_t base = done_before;
    auto report = generate::run_generation(
        store, providers, plan, options, {}, [&](const generate::RunProgress& p) {
          if (p.event.empty() || !p.event.ends_with("stored")) return;
          phases.step(base + p.done, total, plan.track.id + "/" + p.event);
        });
    if (!report) return std::unexpected(report.error());
    for (const auto& job : report->jobs) {
      if (job.state != store::JobState::Stored) {
        return fail("generate_failed",
                    fmt::format("demo clip {}/{}/{} was not made: [{}] {}", job.track_id,
                                job.prompt_id, job.model_id, job.error_code, job.error_message));
      }
    }
    done_before += report->stored;
    clips += static_cast<int64_t>(report->jobs.size());
  }
  phases.finish(fmt::format("{} clips through paddock generate (placeholder)", clips));
  return ok();
}

Status import_phase(const DemoLayout& layout, int jobs, store::Store& store, Phases& phases) {
  phases.start(DemoPhase::Import);
  const fs::path manifest = layout.render / "catalog.jsonl";
  arena::ParsedManifest parsed = arena::parse_manifest(manifest);
  if (!parsed.problems.empty()) {
    return fail("import_failed", manifest.string() + ": " + parsed.problems.front());
  }
  arena::ImportOptions options;
  options.media_dir = layout.media;
  options.jobs = jobs;
  auto report =
      arena::import_catalog(parsed.manifest, &store, options, [&](const arena::ImportStep& s) {
        // Named as in the manifest, relative to the render folder.
        std::string file = s.file;
        const std::string prefix = layout.render.string() + "/";
        if (file.starts_with(prefix)) file.erase(0, prefix.size());
        phases.step(s.done, s.total, file + ": " + std::string(arena::to_string(s.outcome)));
      });
  if (!report) return std::unexpected(report.error());
  if (!report->problems.empty()) return fail("import_failed", report->problems.front());
  if (!report->refused.empty()) {
    return fail("import_failed",
                fmt::format("{} demo files were refused; the first: {}", report->refused.size(),
                            report->refused.front().message));
  }
  phases.finish(fmt::format("{} tracks, {} models, {} prompts", report->tracks.total(),
                            report->models.total(), report->prompts.total()));
  return ok();
}

Status votes_phase(store::Store& store, Phases& phases) {
  phases.start(DemoPhase::Votes);
  auto end =
      store.set_setting_once(kTimelineEndSetting, std::to_string(unix_ms() - kTimelineEndsAgoMs));
  if (!end) return std::unexpected(end.error());
  int64_t end_ms = 0;
  try {
    end_ms = std::stoll(*end);
  } catch (const std::exception&) {
    return fail("import_failed",
                "setting " + std::string(kTimelineEndSetting) + " is \"" + *end + "\", not a time");
  }
  auto clips = store.list_clips("");
  if (!clips) return std::unexpected(clips.error());
  auto simulated = simulate_votes(*clips, end_ms);
  if (!simulated) return std::unexpected(simulated.error());

  const auto& battles = simulated->battles;
  const auto& votes = simulated->votes;
  const auto total = static_cast<int64_t>(battles.size() + votes.size());
  int64_t done = 0;
  for (size_t i = 0; i < battles.size(); i += kWriteBatch) {
    const size_t n = std::min(kWriteBatch, battles.size() - i);
    if (auto s = store.insert_battles(std::span(battles).subspan(i, n)); !s) return s;
    phases.step(done += static_cast<int64_t>(n), total, fmt::format("{} battles", i + n));
  }
  for (size_t i = 0; i < votes.size(); i += kWriteBatch) {
    const size_t n = std::min(kWriteBatch, votes.size() - i);
    auto r = store.insert_votes(std::span(votes).subspan(i, n));
    if (!r) return std::unexpected(r.error());
    phases.step(done += static_cast<int64_t>(n), total, fmt::format("{} votes", i + n));
  }
  phases.finish(fmt::format("{} votes in {} battles over {} days", votes.size(), battles.size(),
                            kTimelineDays));
  return ok();
}

// The demo's last step, as it happened: the anonymous leader is revealed, the same way
// `paddock admin models set ID --status public` does it.
Status reveal_phase(store::Store& store, Phases& phases) {
  phases.start(DemoPhase::Reveal);
  auto r = arena::change_model(store, kRevealedModel,
                               arena::ModelChange{.status = store::ModelStatus::Public});
  if (!r) return std::unexpected(r.error());
  phases.finish(fmt::format("{} is {} (by {})", r->after.display_name,
                            store::to_string(r->after.status), r->after.organization));
  return ok();
}

Result<store::Counts> counts_of(const DemoLayout& layout) {
  store::StoreOptions options;
  options.create_if_missing = false;
  auto s = store::open_store(layout.db.string(), options);
  if (!s) return std::unexpected(s.error());
  return (*s)->counts();
}

}  // namespace

DemoLayout DemoLayout::in(const fs::path& dir) {
  return DemoLayout{.dir = dir,
                    .db = dir / "demo.db",
                    .media = dir / "media",
                    .render = dir / "render",
                    .marker = dir / "demo.json"};
}

std::string_view to_string(DemoPhase phase) {
  switch (phase) {
    case DemoPhase::Render:
      return "render";
    case DemoPhase::Import:
      return "import";
    case DemoPhase::Generate:
      return "generate";
    case DemoPhase::Votes:
      return "votes";
    case DemoPhase::Reveal:
      return "reveal";
  }
  return "?";
}

Result<DemoReady> prepare_demo(const DemoOptions& options, const DemoProgress& progress) {
  DemoReady ready;
  ready.layout = DemoLayout::in(fs::absolute(options.dir));
  const DemoLayout& layout = ready.layout;
  std::error_code ec;
  fs::create_directories(layout.dir, ec);
  if (ec) return std::unexpected(io_error(layout.dir, ec));
  auto has_files = check_folder(layout);
  if (!has_files) return std::unexpected(has_files.error());
  auto lock = FolderLock::take(layout.dir / "demo.lock");
  if (!lock) return std::unexpected(lock.error());

  const std::optional<MarkerState> marker = read_marker(layout);
  const bool current = marker && marker->content_version == kDemoContentVersion;
  if (!options.rebuild && current && marker->complete) {
    if (auto counts = counts_of(layout)) {
      ready.reused = true;
      ready.counts = *counts;
      return ready;
    }
    // The marker is there but the database is not usable: build again.
  }
  ready.resumed = !options.rebuild && current && !marker->complete;
  if (!ready.resumed && *has_files) {
    if (auto s = wipe(layout); !s) return std::unexpected(s.error());
  }
  if (auto s = write_marker(layout, nullptr); !s) return std::unexpected(s.error());

  Phases phases(progress, ready.phases);
  if (auto s = render_phase(layout, options.jobs, phases); !s) return std::unexpected(s.error());
  auto store = store::open_store(layout.db.string());
  if (!store) return std::unexpected(store.error());
  if (auto s = import_phase(layout, options.jobs, **store, phases); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = generate_phase(layout, **store, options.jobs, phases); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = votes_phase(**store, phases); !s) return std::unexpected(s.error());
  if (auto s = reveal_phase(**store, phases); !s) return std::unexpected(s.error());
  auto counts = (*store)->counts();
  if (!counts) return std::unexpected(counts.error());
  ready.counts = *counts;
  store->reset();
  if (auto s = write_marker(layout, &ready.counts); !s) return std::unexpected(s.error());
  fs::remove_all(layout.render, ec);  // the media folder holds the clips now
  return ready;
}

}  // namespace paddock::demo
