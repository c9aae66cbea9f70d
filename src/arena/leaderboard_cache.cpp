#include "arena/leaderboard_cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "arena/vote_outcome.hpp"
#include "base/clock.hpp"
#include "base/escaping.hpp"
#include "base/text.hpp"
#include "sys/thread_name.hpp"
#include "sys/thread_priority.hpp"

namespace paddock::arena {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kReadPage = 20'000;
constexpr auto kKeepFresh = std::chrono::minutes(10);  // on-demand boards asked for lately
constexpr double kShareSteps = 1000;  // category shares are kept to 1/1000 of the total
// First computations of on-demand boards per turn of the fitter, so that standard boards
// due meanwhile are not kept waiting behind a long queue of them.
constexpr std::size_t kOnDemandPerTurn = 2;

bool is_standard(const BoardRequest& r) {
  if (!r.languages.empty() || !r.control.empty()) return false;
  return (r.weights == "as_voted" && r.categories.size() <= 1) ||
         (r.weights == "balanced" && r.categories.empty());
}

std::vector<BoardRequest> standard_requests(const CatalogTrack& track) {
  std::vector<BoardRequest> out;
  out.push_back({track.summary.track.id, {}, "as_voted", {}});
  out.push_back({track.summary.track.id, {}, "balanced", {}});
  for (const auto& c : track.categories) {
    out.push_back({track.summary.track.id, {c}, "as_voted", {}});
  }
  return out;
}

// "a,b" -> {"a", "b"}; empty items are skipped.
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (!trim(item).empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string join_features() {
  std::string out;
  for (auto name : kPresentationFeatures) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::string BoardRequest::key() const {
  std::string k = track_id;
  k += '\n';
  for (const auto& c : categories) {
    k += c;
    k += '\x1f';
  }
  k += '\n';
  k += weights;
  for (const auto& l : languages) {
    k += '\x1e';
    k += l;
  }
  for (const auto& f : control) {
    k += '\x1d';
    k += f;
  }
  return k;
}

Result<BoardRequest> make_board_request(const Catalog& catalog, std::string_view track_id,
                                        std::vector<std::string> categories,
                                        std::string_view weights,
                                        std::vector<std::string> languages,
                                        std::vector<std::string> control) {
  const auto* track = catalog.find_track(track_id);
  if (!track) return fail("unknown_track", "no track " + quoted_excerpt(track_id));
  // Each category as the catalog spells it, whatever the letter case asked for, so that
  // spellings, orders and repeats of one filter are one board (one key, one fit).
  auto canonical = [&](std::string_view c) -> const std::string* {
    for (const auto& known : track->categories) {
      if (equals_ignoring_case(known, c)) return &known;
    }
    return nullptr;
  };
  for (auto& c : categories) {
    const auto* known = canonical(c);
    if (!known) {
      return fail("bad_request",
                  "track " + quoted_excerpt(track_id) + " has no category " + quoted_excerpt(c));
    }
    c = *known;
  }
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  std::sort(languages.begin(), languages.end());
  languages.erase(std::unique(languages.begin(), languages.end()), languages.end());
  for (const auto& l : languages) {
    const bool spoken = std::any_of(track->prompts.begin(), track->prompts.end(),
                                    [&](const CatalogPrompt& p) { return p.prompt.language == l; });
    if (!spoken) {
      return fail("bad_request", "track " + quoted_excerpt(track_id) +
                                     " has no prompt in language " + quoted_excerpt(l));
    }
  }
  // Control features as kPresentationFeatures spells and orders them, so that spellings,
  // orders and repeats of one control are one board.
  std::vector<bool> controlled(kPresentationFeatures.size(), false);
  for (const auto& item : control) {
    for (std::string_view name : split_list(item)) {
      const int k = presentation_feature_index(ascii_lower(trim(name)));
      if (k < 0) {
        return fail("bad_control", "no clip feature " + quoted_excerpt(trim(name)) +
                                       " to control for (known: " + join_features() + ")");
      }
      controlled[static_cast<std::size_t>(k)] = true;
    }
  }
  std::vector<std::string> features;
  for (std::size_t k = 0; k < controlled.size(); ++k) {
    if (controlled[k]) features.emplace_back(kPresentationFeatures[k]);
  }
  BoardRequest r{std::string(track_id), std::move(categories), "as_voted", std::move(languages),
                 std::move(features)};
  if (!weights.empty() && weights != "as_voted") {
    auto parsed = rating::parse_category_weights(weights);
    if (!parsed) return std::unexpected(parsed.error());
    rating::CategoryWeights normal;
    normal.balanced = parsed->balanced;
    double total = 0;
    for (const auto& [c, share] : parsed->shares) total += share;
    for (const auto& [c, share] : parsed->shares) {
      const std::string* name = c == rating::kUncategorized ? &c : canonical(c);
      if (!name) {
        return fail("bad_weights",
                    "track " + quoted_excerpt(track_id) + " has no category " + quoted_excerpt(c));
      }
      // Shares count only relative to each other (rating.hpp): scaled to sum 1 and kept to
      // three decimals, "a=1,b=1", "A=2, b=2" and "b=0.5,a=0.5" are one board, and the
      // number of distinct weightings a caller can ask for is finite.
      double rounded = std::round(share / total * kShareSteps) / kShareSteps;
      if (rounded > 0) normal.shares[*name] += rounded;
    }
    if (!normal.balanced && normal.shares.empty()) {
      return fail("bad_weights", "no category has a share of at least 0.001 of the total");
    }
    r.weights = rating::describe_weights(normal);
  }
  return r;
}

LeaderboardCache::LeaderboardCache(store::Store& store,
                                   std::function<std::shared_ptr<const Catalog>()> catalog,
                                   LeaderboardOptions options)
    : store_(store), catalog_(std::move(catalog)), options_(std::move(options)) {
  thread_ = std::thread([this] {
    // Fitting boards is background work: requests come first.
    sys::name_this_thread("paddock-boards");
    sys::lower_this_thread_priority();
    run();
  });
}

LeaderboardCache::~LeaderboardCache() {
  stop();
}

void LeaderboardCache::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

LeaderboardCache::Lookup LeaderboardCache::board(const BoardRequest& request) {
  auto key = request.key();
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    auto& e = it->second;
    e.requested = now;
    if (e.board) return {State::Ready, e.board, {}};
    if (e.error) return {State::Failed, nullptr, *e.error};
    return {State::Computing, nullptr, {}};
  }
  bool standard = is_standard(request);
  if (!standard) {
    std::size_t on_demand = 0;
    for (const auto& [k, e] : entries_) on_demand += !e.standard;
    if (on_demand >= options_.max_on_demand) {
      auto victim = entries_.end();
      for (auto i = entries_.begin(); i != entries_.end(); ++i) {
        if (i->second.standard || i->second.queued) continue;
        if (victim == entries_.end() || i->second.requested < victim->second.requested) victim = i;
      }
      if (victim == entries_.end()) return {State::Computing, nullptr, {}};  // all busy
      entries_.erase(victim);
    }
  }
  Entry e;
  e.request = request;
  e.standard = standard;
  e.requested = now;
  e.queued = true;
  entries_.emplace(key, std::move(e));
  on_demand_.push_back(key);
  wake_.notify_one();
  return {State::Computing, nullptr, {}};
}

std::shared_ptr<const RenderedBoard> LeaderboardCache::history(const std::string& track_id) {
  std::lock_guard lock(mutex_);
  auto it = histories_.find(track_id);
  return it == histories_.end() ? nullptr : it->second;
}

void LeaderboardCache::votes_committed(int64_t last_id) {
  std::lock_guard lock(mutex_);
  if (last_id > announced_id_) {
    announced_id_ = last_id;
    wake_.notify_one();
  }
}

void LeaderboardCache::catalog_changed() {
  std::lock_guard lock(mutex_);
  catalog_changed_ = true;
  wake_.notify_one();
}

void LeaderboardCache::rebuild() {
  std::lock_guard lock(mutex_);
  rebuild_ = true;
  wake_.notify_one();
}

std::shared_ptr<const PairingPlan> LeaderboardCache::pairing_plan(
    const std::string& track_id) const {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(track_id);
  return it == plans_.end() ? nullptr : it->second;
}

int64_t LeaderboardCache::last_vote_id() const {
  std::lock_guard lock(mutex_);
  return last_id_;
}

void LeaderboardCache::load_listing(const Catalog& catalog,
                                    std::unordered_map<std::string, std::string>& names) {
  listing_ = {};
  if (!options_.keep_withdrawn && options_.preliminary_votes == 0) return;
  auto events = store_.list_model_events();
  if (!events) {
    spdlog::warn("leaderboards: reading the change log failed: {}", events.error().message);
    return;
  }
  for (const store::ModelEvent& e : *events) {
    if (e.kind == store::ModelEventKind::Revealed) listing_.revealed_at[e.shown_after] = e.at_ms;
  }
  if (!options_.keep_withdrawn) return;
  // The last entry of each model says whether it is withdrawn now.
  std::unordered_map<std::string, const store::ModelEvent*> last;
  for (const store::ModelEvent& e : *events) last[e.model_id] = &e;
  for (const auto& [id, e] : last) {
    if (e->kind != store::ModelEventKind::Withdrawn || e->shown_before.empty()) continue;
    const auto* model = catalog.find_model(id);
    if (!model || model->status != store::ModelStatus::Hidden) continue;
    listing_.withdrawn[id] = {e->shown_before, e->organization};
    names.emplace(id, e->shown_before);
  }
}

void LeaderboardCache::apply_listing(const BoardRequest& request, BoardSnapshot& s) const {
  for (const auto& [id, w] : listing_.withdrawn) {
    BoardModelInfo info;
    info.organization = w.organization;
    info.status = "withdrawn";
    s.models[w.name] = std::move(info);
  }
  if (options_.preliminary_votes <= 0) return;
  const auto track = tracks_.find(request.track_id);
  for (auto& row : s.board.models) {
    const auto revealed = listing_.revealed_at.find(row.model);
    if (revealed == listing_.revealed_at.end()) continue;
    int64_t since = 0;
    if (track != tracks_.end()) {
      const TrackVotes& t = track->second;
      if (const auto m = t.table.find_model(row.model)) {
        const auto a = t.table.model_a();
        const auto b = t.table.model_b();
        for (std::size_t v = 0; v < t.vote_times.size(); ++v) {
          if ((a[v] == *m || b[v] == *m) && t.vote_times[v] >= revealed->second) ++since;
        }
      }
    }
    auto& info = s.models[row.model];
    info.revealed_at_ms = revealed->second;
    info.votes_since_reveal = since;
    if (since < options_.preliminary_votes) row.preliminary = true;
  }
}

void LeaderboardCache::reset_tables(std::unordered_map<std::string, std::string> names) {
  names_ = std::move(names);
  tracks_.clear();
  track_changed_at_.clear();
  history_through_.clear();
  std::lock_guard lock(mutex_);
  last_id_ = 0;
  for (auto& [k, e] : entries_) e.computed_through = -1;
}

bool LeaderboardCache::read_new_votes() {
  const auto catalog = catalog_();  // the prompts' languages, for language= boards
  int64_t after;
  {
    std::lock_guard lock(mutex_);
    after = last_id_;
  }
  bool got = false;
  for (;;) {
    store::VoteQuery q;
    q.after_id = after;
    q.limit = kReadPage;
    // Votes on attention checks are read (so last_vote_id passes them) but never counted.
    q.controls = store::ControlVotes::Included;
    auto votes = store_.list_votes(q);
    if (!votes) {
      spdlog::warn("leaderboards: reading votes failed: {}", votes.error().message);
      break;
    }
    for (const auto& v : *votes) {
      after = std::max(after, v.id);
      if (v.voided || !v.control.empty()) continue;
      auto left = names_.find(v.left_model);
      auto right = names_.find(v.right_model);
      if (left == names_.end() || right == names_.end()) continue;  // hidden or unknown
      if (left->second == right->second) continue;  // two models under one name: no contest
      auto& t = tracks_[v.track_id];
      auto a = t.table.intern_model(left->second);
      auto b = t.table.intern_model(right->second);
      auto cs = t.table.intern_category_set(v.categories);
      t.table.add(a, b, outcome_of(v.choice), cs, static_cast<double>(v.created_at_ms) / 1000.0);
      set_clip_features(t, v);
      if (const auto* prompt = catalog ? catalog->find_prompt(v.track_id, v.prompt_id) : nullptr;
          prompt != nullptr && !prompt->prompt.language.empty()) {
        t.table.set_language(t.table.intern_language(prompt->prompt.language));
      }
      if (options_.watch_weighting) {
        if (const double w = watch_weight(v, clip_features_, *options_.watch_weighting); w != 1) {
          t.table.set_weight(w);
        }
      }
      t.vote_ids.push_back(v.id);
      t.vote_times.push_back(v.created_at_ms);
      track_changed_at_[v.track_id] = v.id;
      got = true;
    }
    {
      std::lock_guard lock(mutex_);
      last_id_ = after;
    }
    if (static_cast<int64_t>(votes->size()) < kReadPage) break;
  }
  return got;
}

void LeaderboardCache::set_clip_features(TrackVotes& t, const store::Vote& v) {
  if (!t.features_interned) {
    for (std::size_t k = 0; k < kPresentationFeatures.size(); ++k) {
      t.features[k] = t.table.intern_feature(kPresentationFeatures[k]);
    }
    t.features_interned = true;
  }
  const ClipFeatures* left = clip_features_.find(v.track_id, v.prompt_id, v.left_model);
  const ClipFeatures* right = clip_features_.find(v.track_id, v.prompt_id, v.right_model);
  if (!left && !right) return;
  for (std::size_t k = 0; k < kPresentationFeatures.size(); ++k) {
    t.table.set_feature(t.features[k], left ? (*left)[k] : rating::kNoFeature,
                        right ? (*right)[k] : rating::kNoFeature);
  }
}

Result<RenderedBoard> LeaderboardCache::compute(const BoardRequest& request,
                                                const Catalog& catalog) {
  static const rating::VoteTable kEmpty;
  auto it = tracks_.find(request.track_id);
  const rating::VoteTable& table = it == tracks_.end() ? kEmpty : it->second.table;

  rating::BoardOptions o;
  o.filter.categories = request.categories;
  o.filter.languages = request.languages;
  o.control = request.control;
  if (request.weights != "as_voted") {
    auto w = rating::parse_category_weights(request.weights);
    if (!w) return std::unexpected(w.error());
    o.weights = std::move(*w);
  }
  o.bootstrap_rounds = options_.bootstrap_rounds;
  o.ci_level = options_.ci_level;
  o.seed = options_.seed;
  o.min_votes = options_.min_votes;
  o.robustness_top = options_.robustness_top;
  o.threads = options_.threads;

  BoardSnapshot s;
  s.request = request;
  {
    std::lock_guard lock(mutex_);
    s.last_vote_id = last_id_;
  }
  // A weight for a category none of these votes has is refused, as by paddock rate.
  if (o.weights) {
    if (auto checked = rating::check_weights_have_votes(*o.weights, table, o.filter); !checked) {
      return std::unexpected(checked.error());
    }
  }
  auto board = rating::compute_board(table, o);
  if (!board) return std::unexpected(board.error());
  s.board = std::move(*board);
  s.computed_at_ms = unix_ms();
  const auto* track = catalog.find_track(request.track_id);
  for (const auto& m : catalog.models()) {
    auto name = public_name(m);
    if (!name) continue;
    BoardModelInfo info;
    info.organization = public_organization(m);
    info.status = std::string(store::to_string(m.status));
    if (track && m.status != store::ModelStatus::Anonymous) {
      if (auto g = track->generation.find(m.id); g != track->generation.end()) {
        info.generation = g->second;
      }
    }
    s.models[*name] = std::move(info);
  }
  apply_listing(request, s);
  if (const auto* t = track) {
    s.track_categories = t->categories;
    for (const auto& p : t->prompts) {
      if (!p.prompt.language.empty()) s.track_languages.push_back(p.prompt.language);
    }
    std::sort(s.track_languages.begin(), s.track_languages.end());
    s.track_languages.erase(std::unique(s.track_languages.begin(), s.track_languages.end()),
                            s.track_languages.end());
  }
  s.matchmaking = std::string(matchmaking_mode_name(options_.matchmaking.mode));
  s.watch_weighting = options_.watch_weighting;
  const bool main_board =
      request.categories.empty() && request.weights == "as_voted" && request.languages.empty();
  if (main_board && track && options_.matchmaking.mode == MatchmakingMode::Adaptive) {
    std::unordered_map<std::string, std::string> id_of;  // public name -> model id
    for (const auto& id : track->models) {
      if (const auto* m = catalog.find_model(id)) {
        if (auto name = public_name(*m)) id_of.emplace(std::move(*name), id);
      }
    }
    auto plan = std::make_shared<const PairingPlan>(plan_pairings(
        *track,
        estimates_from_board(s.board,
                             [&](const std::string& name) -> std::optional<std::string> {
                               auto found = id_of.find(name);
                               if (found == id_of.end()) return std::nullopt;
                               return found->second;
                             }),
        options_.matchmaking));
    for (std::size_t k = 0; k < plan->pairs.size(); ++k) {
      const auto* a = catalog.find_model(plan->models[plan->pairs[k].first]);
      const auto* b = catalog.find_model(plan->models[plan->pairs[k].second]);
      auto na = a ? public_name(*a) : std::nullopt;
      auto nb = b ? public_name(*b) : std::nullopt;
      if (!na || !nb) continue;
      if (*nb < *na) std::swap(*na, *nb);
      s.pairing.push_back({std::move(*na), std::move(*nb), plan->probability[k]});
    }
    std::sort(s.pairing.begin(), s.pairing.end(), [](const PairChance& x, const PairChance& y) {
      return std::tie(x.model_a, x.model_b) < std::tie(y.model_a, y.model_b);
    });
    std::lock_guard lock(mutex_);
    plans_[request.track_id] = std::move(plan);
  }
  RenderedBoard r;
  r.text = options_.render_board ? options_.render_board(s) : std::string();
  r.last_vote_id = s.last_vote_id;
  r.computed_at_ms = s.computed_at_ms;
  return r;
}

void LeaderboardCache::compute_entry(const std::string& key, const Catalog& catalog) {
  BoardRequest request;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    request = it->second.request;
  }
  int64_t through;
  {
    std::lock_guard lock(mutex_);
    through = last_id_;
  }
  auto result = compute(request, catalog);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto& e = it->second;
  e.queued = false;
  e.computed_through = through;
  if (result) {
    e.board = std::make_shared<const RenderedBoard>(std::move(*result));
    e.error.reset();
  } else {
    e.error = result.error();
  }
}

void LeaderboardCache::compute_standard(const Catalog& catalog, bool only_changed) {
  // Make sure every standard board of every track has an entry.
  for (const auto& track : catalog.tracks()) {
    for (auto& r : standard_requests(track)) {
      std::lock_guard lock(mutex_);
      auto key = r.key();
      auto [it, inserted] = entries_.try_emplace(key);
      if (inserted) it->second.request = std::move(r);
      it->second.standard = true;
    }
  }
  // Standard boards first, all of them; then the on-demand boards asked for most recently,
  // at most max_fresh_on_demand of them (the others keep their last board until asked
  // again), so callers inventing filters cannot multiply the work of each round.
  std::vector<std::string> due;
  std::vector<std::pair<Clock::time_point, std::string>> due_on_demand;
  {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    for (auto& [key, e] : entries_) {
      if (!catalog.find_track(e.request.track_id)) continue;
      auto changed = track_changed_at_.find(e.request.track_id);
      int64_t changed_at = changed == track_changed_at_.end() ? 0 : changed->second;
      bool stale = e.computed_through < changed_at || e.computed_through < 0;
      if (!only_changed) stale = true;
      if (!stale) continue;
      if (e.standard) {
        due.push_back(key);
      } else if (now - e.requested < kKeepFresh && !e.queued) {
        due_on_demand.emplace_back(e.requested, key);
      }
    }
  }
  std::sort(due_on_demand.begin(), due_on_demand.end(), std::greater<>());
  if (due_on_demand.size() > options_.max_fresh_on_demand) {
    due_on_demand.resize(options_.max_fresh_on_demand);
  }
  for (auto& [when, key] : due_on_demand) due.push_back(std::move(key));
  for (const auto& key : due) compute_entry(key, catalog);
  refits_ += due.size();
}

void LeaderboardCache::compute_history(const std::string& track_id) {
  static const TrackVotes kEmpty;
  auto it = tracks_.find(track_id);
  const TrackVotes& t = it == tracks_.end() ? kEmpty : it->second;
  HistorySnapshot s;
  s.track_id = track_id;
  {
    std::lock_guard lock(mutex_);
    s.last_vote_id = last_id_;
  }
  rating::HistoryOptions o;
  auto history = rating::compute_history(t.table, o);
  if (!history) {
    spdlog::warn("leaderboards: history of {} failed: {}", track_id, history.error().message);
    return;
  }
  s.history = std::move(*history);
  for (const auto& p : s.history.points) {
    auto i = static_cast<std::size_t>(p.last_index);
    s.point_vote_ids.push_back(i < t.vote_ids.size() ? t.vote_ids[i] : 0);
    s.point_times_ms.push_back(i < t.vote_times.size() ? t.vote_times[i] : 0);
  }
  s.computed_at_ms = unix_ms();
  auto r = std::make_shared<RenderedBoard>();
  r->text = options_.render_history ? options_.render_history(s) : std::string();
  r->last_vote_id = s.last_vote_id;
  r->computed_at_ms = s.computed_at_ms;
  std::lock_guard lock(mutex_);
  histories_[track_id] = std::move(r);
}

void LeaderboardCache::run() {
  bool pending_standard = true;
  // A catalog change seen while the next round was not yet due: that round must recompute
  // every board (a status or listing change moves no vote, so no board looks stale).
  bool catalog_pending = false;
  bool first = true;
  for (;;) {
    bool full = false;
    bool catalog_flag = false;
    {
      std::unique_lock lock(mutex_);
      auto wait = options_.poll;
      if (pending_standard) {
        auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(next_standard_ - Clock::now());
        wait = std::clamp(until, std::chrono::milliseconds(0), wait);
      }
      wake_.wait_for(lock, wait, [&] {
        return stopping_ || rebuild_ || catalog_changed_ || announced_id_ > last_id_ ||
               !on_demand_.empty();
      });
      if (stopping_) return;
      full = std::exchange(rebuild_, false);
      catalog_flag = std::exchange(catalog_changed_, false);
    }
    auto catalog = catalog_();
    if (!catalog) continue;
    // The catalog a change announced may arrive after the announcement: names and the
    // listing are read again whenever its version moves, too.
    const bool catalog_moved = catalog->version() != catalog_version_;
    catalog_version_ = catalog->version();
    if (catalog_flag || full || catalog_moved) {
      auto names = catalog->public_names();
      load_listing(*catalog, names);
      // The clips' features the votes carry: a newly measured or replaced clip changes them.
      auto features = ClipFeatureIndex::load(store_);
      if (!features) {
        spdlog::warn("leaderboards: reading the clips' features failed: {}",
                     features.error().message);
      }
      const bool features_moved = features && *features != clip_features_;
      if (full || names != names_ || features_moved) {
        if (features) clip_features_ = std::move(*features);
        reset_tables(std::move(names));
        full = true;
      }
    }
    bool got = read_new_votes();
    pending_standard = pending_standard || got || full || catalog_moved || first;
    catalog_pending = catalog_pending || catalog_moved;
    first = false;

    auto now = Clock::now();
    if (pending_standard && now >= next_standard_) {
      auto started = Clock::now();
      compute_standard(*catalog, !(full || catalog_pending));
      catalog_pending = false;
      auto took = Clock::now() - started;
      next_standard_ = Clock::now() + std::max<Clock::duration>(options_.interval, 4 * took);
      pending_standard = false;
    }

    for (std::size_t n = 0; n < kOnDemandPerTurn; ++n) {
      std::string key;
      {
        std::lock_guard lock(mutex_);
        if (on_demand_.empty() || stopping_) break;
        key = std::move(on_demand_.front());
        on_demand_.pop_front();
      }
      compute_entry(key, *catalog);
    }

    now = Clock::now();
    if (now >= next_history_) {
      auto started = Clock::now();
      for (const auto& track : catalog->tracks()) {
        const auto& id = track.summary.track.id;
        auto changed = track_changed_at_.find(id);
        int64_t changed_at = changed == track_changed_at_.end() ? 0 : changed->second;
        auto done = history_through_.find(id);
        if (done != history_through_.end() && done->second >= changed_at) continue;
        compute_history(id);
        history_through_[id] = changed_at;
      }
      auto took = Clock::now() - started;
      next_history_ = Clock::now() + std::max<Clock::duration>(options_.history_interval, 4 * took);
    }
  }
}

}  // namespace paddock::arena
