#include "arena/arena.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <limits>
#include <thread>

#include "arena/battle_recorder.hpp"
#include "arena/ticket.hpp"
#include "arena/vote_writer.hpp"
#include "base/clock.hpp"
#include "base/escaping.hpp"
#include "media/media.hpp"
#include "sys/thread_name.hpp"
#include "sys/thread_priority.hpp"

namespace paddock::arena {
namespace {

constexpr std::string_view kTicketKeySetting = "ticket_key";
constexpr std::string_view kCatalogVersion = "catalog_version";
constexpr std::string_view kVoidVersion = "void_version";
// What the broken side of an attention check is revealed as, after the vote.
constexpr std::string_view kAttentionCheckName = "attention check (a deliberately broken clip)";

RevealedModel reveal(const Catalog& catalog, const std::string& model_id) {
  const auto* m = catalog.find_model(model_id);
  if (!m) return {"(withdrawn)", "(undisclosed)"};
  auto name = public_name(*m);
  if (!name) return {"(withdrawn)", "(undisclosed)"};
  return {std::move(*name), public_organization(*m)};
}

// The battle's sides as its ticket carries them. An attention check is sealed like any
// battle: the broken side's model field carries the control's id, and the same-length ticket
// says which side that is. Both return the battle's prompt.
const CatalogPrompt* seal_control(BattleTicket& t, const ControlPairing& control) {
  const auto& k = *control.control;
  const CatalogClip& left = control.broken_on_left ? k.broken : k.intact;
  const CatalogClip& right = control.broken_on_left ? k.intact : k.broken;
  t.left_model = control.broken_on_left ? k.id : left.model_id;
  t.right_model = control.broken_on_left ? right.model_id : k.id;
  t.left_clip = left.hash;
  t.right_clip = right.hash;
  t.broken = control.broken_on_left ? BrokenSide::Left : BrokenSide::Right;
  return control.prompt;
}

const CatalogPrompt* seal_pairing(BattleTicket& t, const Pairing& pairing) {
  t.left_model = pairing.left->model_id;
  t.right_model = pairing.right->model_id;
  t.left_clip = pairing.left->hash;
  t.right_clip = pairing.right->hash;
  return pairing.prompt;
}

std::string setting_or_empty(store::Store& store, std::string_view key) {
  auto v = store.get_setting(key);
  if (!v) return {};
  return v->value_or("");
}

}  // namespace

struct Arena::Internals {
  Internals(store::Store& store, const ArenaOptions& options, const ArenaKeys& keys,
            std::function<void(int64_t)> committed)
      : codec(keys.ticket, keys.clip),
        writer(store, options.vote_batch_max, std::move(committed)),
        battles(store, options.battle_flush_interval) {}

  TicketCodec codec;
  VoteWriter writer;
  BattleRecorder battles;

  mutable std::mutex catalog_mutex;
  std::shared_ptr<const Catalog> catalog;
  std::mutex reload_mutex;  // one catalog load at a time

  std::mutex watch_mutex;
  std::condition_variable watch_wake;
  bool stopping = false;
  std::string void_version;
  std::thread watcher;
};

Arena::Arena(store::Store& store, ArenaOptions options, ArenaKeys keys)
    : store_(store), options_(std::move(options)), keys_(keys) {}

Result<std::unique_ptr<Arena>> Arena::open(store::Store& store, ArenaOptions options) {
  std::string master = options.ticket_key;
  if (master.empty()) {
    auto kept = store.set_setting_once(kTicketKeySetting, generate_master_key());
    if (!kept) return std::unexpected(kept.error());
    master = *kept;
  }
  auto keys = derive_keys(master);
  if (!keys) return std::unexpected(keys.error());
  if (auto s = store.set_setting(kMaxAnonymousPerOrgSetting,
                                 std::to_string(options.max_anonymous_per_org));
      !s) {
    return std::unexpected(s.error());
  }

  std::unique_ptr<Arena> arena(new Arena(store, std::move(options), *keys));
  Arena* self = arena.get();
  arena->in_ =
      std::make_unique<Internals>(store, arena->options_, arena->keys_, [self](int64_t last_id) {
        if (last_id > 0) {
          self->leaderboards_->votes_committed(last_id);
        }
      });
  if (auto s = arena->load_catalog(setting_or_empty(store, kCatalogVersion)); !s) {
    arena->stop();
    return std::unexpected(s.error());
  }
  arena->in_->void_version = setting_or_empty(store, kVoidVersion);
  arena->leaderboards_ = std::make_unique<LeaderboardCache>(
      store, [self] { return self->catalog(); }, arena->options_.leaderboards);
  arena->administration_ = std::make_unique<Administration>(
      store, Administration::Followers{.catalog_changed = [self] { return self->reload_catalog(); },
                                       .votes_voided = [self] { self->votes_voided(); }});
  arena->in_->watcher = std::thread([self] {
    sys::name_this_thread("paddock-watch");
    sys::lower_this_thread_priority();  // background work (docs/running.md)
    self->watch();
  });
  return arena;
}

Arena::~Arena() {
  stop();
}

void Arena::stop() {
  if (!in_) return;
  {
    std::lock_guard lock(in_->watch_mutex);
    in_->stopping = true;
  }
  in_->watch_wake.notify_all();
  if (in_->watcher.joinable()) in_->watcher.join();
  in_->writer.stop();
  in_->battles.stop();
  if (leaderboards_) leaderboards_->stop();
}

std::shared_ptr<const Catalog> Arena::catalog() const {
  std::lock_guard lock(in_->catalog_mutex);
  return in_->catalog;
}

Status Arena::load_catalog(std::string version) {
  std::lock_guard reload(in_->reload_mutex);
  auto tracks = store_.list_tracks();
  if (!tracks) return std::unexpected(tracks.error());
  auto models = store_.list_models();
  if (!models) return std::unexpected(models.error());
  std::vector<store::Prompt> prompts;
  std::vector<store::Clip> clips;
  for (const auto& t : *tracks) {
    auto p = store_.list_prompts(t.track.id);
    if (!p) return std::unexpected(p.error());
    prompts.insert(prompts.end(), std::make_move_iterator(p->begin()),
                   std::make_move_iterator(p->end()));
    auto c = store_.list_clips(t.track.id);
    if (!c) return std::unexpected(c.error());
    clips.insert(clips.end(), std::make_move_iterator(c->begin()),
                 std::make_move_iterator(c->end()));
  }
  auto generations = store_.list_clip_generations("");
  if (!generations) return std::unexpected(generations.error());
  auto controls = store_.list_controls("");
  if (!controls) return std::unexpected(controls.error());
  auto built = std::make_shared<const Catalog>(
      Catalog::build(std::move(*tracks), std::move(*models), std::move(prompts), std::move(clips),
                     version, *generations, std::move(*controls)));
  for (const auto& problem : built->set_aside()) {
    spdlog::warn("catalog: left out of battles: {}", problem);
  }
  {
    std::lock_guard lock(in_->catalog_mutex);
    in_->catalog = std::move(built);
  }
  return ok();
}

Status Arena::reload_catalog() {
  auto s = load_catalog(setting_or_empty(store_, kCatalogVersion));
  if (s && leaderboards_) leaderboards_->catalog_changed();
  return s;
}

void Arena::votes_voided() {
  {
    std::lock_guard lock(in_->watch_mutex);
    in_->void_version = setting_or_empty(store_, kVoidVersion);
  }
  leaderboards_->rebuild();
}

Status Arena::ping() {
  return store_.ping();
}

Result<ChangeLog> Arena::change_log() {
  auto events = store_.list_model_events();
  if (!events) return std::unexpected(events.error());
  auto voids = store_.count_voids();
  if (!voids) return std::unexpected(voids.error());
  return ChangeLog{std::move(*events), std::move(*voids)};
}

Result<std::unique_ptr<VoteExport>> Arena::open_export(ExportOptions options) {
  // Weighted as the boards are, so that the export reproduces them.
  options.watch_weighting = options_.leaderboards.watch_weighting;
  return administration_->open_export(std::move(options));
}

Arena::WriterStats Arena::writer_stats() const {
  auto v = in_->writer.stats();
  WriterStats s;
  s.vote_commits = v.commits;
  s.votes_committed = v.votes;
  s.votes_failed = v.failed_votes;
  s.vote_commit_seconds = v.commit_seconds;
  s.largest_vote_batch = v.largest_batch;
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < v.commit_buckets.size(); ++i) {
    cumulative += v.commit_buckets[i];
    double bound = i < VoteWriter::kCommitBuckets.size() ? VoteWriter::kCommitBuckets[i]
                                                         : std::numeric_limits<double>::infinity();
    s.vote_commit_histogram.emplace_back(bound, cumulative);
  }
  s.battles_refused = in_->battles.refused();
  s.battles_pending = in_->battles.pending();
  return s;
}

void Arena::sweep_unvoted_battles() {
  constexpr int64_t kPage = 10'000;
  int64_t cutoff = unix_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                   options_.ticket_ttl + options_.clip_url_grace)
                                   .count();
  int64_t total = 0;
  for (;;) {
    auto n = store_.delete_unvoted_battles(cutoff, kPage);
    if (!n) {
      spdlog::warn("deleting expired unvoted battles failed: {}", n.error().message);
      break;
    }
    total += *n;
    if (*n < kPage) break;
  }
  if (total > 0) spdlog::info("deleted {} expired battles nobody voted on", total);
}

void Arena::watch() {
  auto next_sweep = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(in_->watch_mutex);
      auto wait = std::min<std::chrono::milliseconds>(options_.watch_interval,
                                                      options_.battle_sweep_interval);
      if (in_->watch_wake.wait_for(lock, wait, [&] { return in_->stopping; })) {
        return;
      }
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      sweep_unvoted_battles();
      next_sweep = std::chrono::steady_clock::now() + options_.battle_sweep_interval;
    }
    auto catalog_version = store_.get_setting(kCatalogVersion);
    if (catalog_version) {
      std::string v = catalog_version->value_or("");
      if (v != catalog()->version()) {
        if (auto s = load_catalog(v); s) {
          spdlog::info("catalog changed (version {}); reloaded", v);
          leaderboards_->catalog_changed();
        } else {
          spdlog::warn("reloading the catalog failed: {}", s.error().message);
        }
      }
    }
    auto void_version = store_.get_setting(kVoidVersion);
    if (void_version) {
      std::string v = void_version->value_or("");
      bool changed;
      {
        std::lock_guard lock(in_->watch_mutex);
        changed = v != in_->void_version;
        in_->void_version = v;
      }
      if (changed) {
        spdlog::info("votes were voided elsewhere; rebuilding the leaderboards");
        leaderboards_->rebuild();
      }
    }
  }
}

Result<IssuedBattle> Arena::issue_battle(std::string_view track_id, std::string_view session,
                                         std::string_view address) {
  auto cat = catalog();
  const auto* track = cat->find_track(track_id);
  if (!track) return fail("unknown_track", "no track " + quoted_excerpt(track_id));
  SecureRandomBits bits;  // unpredictable to voters (random_bits.hpp)
  // Adaptive: the plan the last refit of the track's board made (nullptr before it: uniform).
  const auto plan = options_.leaderboards.matchmaking.mode == MatchmakingMode::Adaptive
                        ? leaderboards_->pairing_plan(track->summary.track.id)
                        : nullptr;
  // An attention check, as often as the operator asked; otherwise the matchmaking's pair.
  const auto control = pick_control(*track, options_.leaderboards.matchmaking.control_share, bits);
  const auto pairing = control ? std::nullopt : pick_pairing(*track, plan.get(), bits);
  if (!control && !pairing) {
    return fail("no_battle", "track " + quoted_excerpt(track_id) +
                                 " has no prompt with clips of two models yet");
  }
  int64_t now = unix_ms();
  int64_t expires =
      now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.ticket_ttl).count();
  int64_t clip_expires =
      expires +
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.clip_url_grace).count();

  BattleTicket t;
  t.battle_id = new_battle_id(now);
  t.session = std::string(session);
  t.issued_at_ms = now;
  t.expires_at_ms = expires;
  t.track_id = track->summary.track.id;
  const CatalogPrompt* prompt =
      control ? seal_control(t, *control) : seal_pairing(t, pairing.value());
  t.prompt_id = prompt->prompt.id;
  IssuedBattle b;
  b.ticket = in_->codec.seal(t);
  b.left_token = in_->codec.seal_clip({t.left_clip, clip_expires});
  b.right_token = in_->codec.seal_clip({t.right_clip, clip_expires});
  b.track_id = t.track_id;
  b.expires_at_ms = expires;
  b.prompt = prompt;
  b.catalog = std::move(cat);

  store::Battle record;
  record.id = std::move(t.battle_id);
  record.track_id = std::move(t.track_id);
  record.prompt_id = std::move(t.prompt_id);
  record.left_model = std::move(t.left_model);
  record.right_model = std::move(t.right_model);
  record.left_clip = std::move(t.left_clip);
  record.right_clip = std::move(t.right_clip);
  record.session = std::move(t.session);
  record.address = std::string(address);
  record.issued_at_ms = now;
  record.expires_at_ms = expires;
  if (t.broken == BrokenSide::Left) record.control = std::exchange(record.left_model, "");
  if (t.broken == BrokenSide::Right) record.control = std::exchange(record.right_model, "");
  if (!in_->battles.record(std::move(record))) {
    return fail("unavailable", "too many battles are waiting to be recorded; try again shortly");
  }
  return b;
}

void Arena::cast_vote(Ballot ballot, std::function<void(Result<VoteReceipt>)> done) {
  auto choice = store::parse_choice(ballot.choice);
  if (!choice) {
    return done(
        fail("invalid_choice", "choice must be \"left\", \"right\", \"tie\" or \"both_bad\""));
  }
  auto ticket = in_->codec.open(ballot.ticket);
  if (!ticket) return done(std::unexpected(ticket.error()));
  if (ticket->session != ballot.session) {
    return done(fail("foreign_ticket", "this battle was issued to another session"));
  }
  int64_t now = unix_ms();
  if (now > ticket->expires_at_ms) {
    return done(fail("expired_ticket", "this battle expired; ask for a new one"));
  }
  auto cat = catalog();
  if (int64_t least = min_watch_ms(*cat, ticket->track_id); now - ticket->issued_at_ms < least) {
    return done(fail("too_early", "this vote came " + std::to_string(now - ticket->issued_at_ms) +
                                      " ms after the battle was issued; its clips take at least " +
                                      std::to_string(least) + " ms to watch"));
  }

  store::Vote v;
  v.battle_id = ticket->battle_id;
  v.track_id = ticket->track_id;
  v.prompt_id = ticket->prompt_id;
  v.left_model = ticket->left_model;
  v.right_model = ticket->right_model;
  // An attention check: kept with its control and the answer it expects (the intact side),
  // on no board.
  if (ticket->broken == BrokenSide::Left) {
    v.control = std::exchange(v.left_model, "");
    v.expected = store::Choice::Right;
  } else if (ticket->broken == BrokenSide::Right) {
    v.control = std::exchange(v.right_model, "");
    v.expected = store::Choice::Left;
  }
  if (const auto* p = cat->find_prompt(v.track_id, v.prompt_id)) {
    v.categories = p->prompt.categories;
  }
  v.choice = *choice;
  v.left_watch_ms = ballot.left_watch_ms;
  v.right_watch_ms = ballot.right_watch_ms;
  v.decision_ms = ballot.decision_ms;
  v.session = std::move(ballot.session);
  v.address = std::move(ballot.address);
  v.created_at_ms = now;

  in_->writer.submit(std::move(v), [this, done = std::move(done), left = ticket->left_model,
                                    right = ticket->right_model,
                                    broken = ticket->broken](Result<store::VoteInsertResult> r) {
    if (!r) return done(std::unexpected(r.error()));
    if (r->outcome == store::VoteInsert::Duplicate) {
      return done(fail("already_voted", "this battle already has a vote; the first is kept"));
    }
    auto current = catalog();
    // After the vote an attention check says what it was, in the same answer shape.
    const RevealedModel check{std::string(kAttentionCheckName), "paddock"};
    done(VoteReceipt{r->id, broken == BrokenSide::Left ? check : reveal(*current, left),
                     broken == BrokenSide::Right ? check : reveal(*current, right)});
  });
}

int64_t Arena::min_watch_ms(const Catalog& catalog, std::string_view track_id) const {
  const auto* track = catalog.find_track(track_id);
  if (!track || options_.min_watch_fraction <= 0) return 0;
  return static_cast<int64_t>(track->summary.track.duration_s * options_.min_watch_fraction *
                              1000.0);
}

std::string Arena::etag_for(std::string_view name) const {
  unsigned char tag[16];
  crypto_generichash(tag, sizeof tag, reinterpret_cast<const unsigned char*>(name.data()),
                     name.size(), keys_.etag.data(), keys_.etag.size());
  char hex[sizeof tag * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, tag, sizeof tag);
  return "\"" + std::string(hex) + "\"";
}

Result<MediaFile> Arena::clip_media(std::string_view token) const {
  auto t = in_->codec.open_clip(token);
  if (!t) return std::unexpected(t.error());
  if (unix_ms() > t->expires_at_ms) return fail("not_found", "this clip URL has expired");
  auto path = media::stored_path(options_.media_dir, t->hash);
  if (!path) return fail("not_found", "the clip is not in the media folder");
  auto cat = catalog();
  const auto* mime = cat->media_mime(t->hash, false);
  // The ETag names the token, not the clip: a clip's tag would be the same in every battle,
  // so once one battle revealed it, HEAD or If-None-Match would recognise it in the next.
  return MediaFile{std::move(*path), mime ? *mime : std::string(), etag_for(token)};
}

Result<MediaFile> Arena::source_media(std::string_view hash) const {
  auto cat = catalog();
  const auto* mime = cat->media_mime(hash, true);
  if (!mime) return fail("not_found", "no such prompt source");
  auto path = media::stored_path(options_.media_dir, hash);
  if (!path) return fail("not_found", "the prompt source is not in the media folder");
  return MediaFile{std::move(*path), *mime, etag_for(hash)};
}

}  // namespace paddock::arena
