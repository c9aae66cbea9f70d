#include "arena/vote_export.hpp"

#include <array>

#include "arena/catalog.hpp"
#include "arena/clip_presentation.hpp"
#include "arena/vote_outcome.hpp"
#include "votelog/votelog.hpp"

namespace paddock::arena {
namespace {

constexpr int64_t kPage = 5000;

// paddock's own fields after the standard ones, in this order (CSV columns too).
constexpr std::array<std::string_view, 6> kPublicExtra{
    "vote_id", "battle_id", "prompt_id", "left_watch_ms", "right_watch_ms", "decision_ms"};
constexpr std::array<std::string_view, 14> kFullExtra{
    "vote_id",     "battle_id",   "prompt_id",  "left_watch_ms", "right_watch_ms",
    "decision_ms", "model_a_id",  "model_b_id", "session",       "address",
    "voided",      "void_reason", "control",    "expected"};

// A full export's name for the broken side of an attention check.
constexpr std::string_view kBrokenClip = "(broken clip)";

// The expected answer of an attention check, as the battle format names sides.
std::string_view expected_side(store::Choice choice) {
  return choice == store::Choice::Left ? "model_a" : "model_b";
}

constexpr std::size_t kFeatures = kPresentationFeatures.size();

// The CSV columns of the clip features: features_a.NAME for each feature, then features_b.
const std::array<std::string, 2 * kFeatures>& feature_columns() {
  static const auto columns = [] {
    std::array<std::string, 2 * kFeatures> out;
    for (std::size_t k = 0; k < kFeatures; ++k) {
      out[k] = "features_a." + std::string(kPresentationFeatures[k]);
      out[kFeatures + k] = "features_b." + std::string(kPresentationFeatures[k]);
    }
    return out;
  }();
  return columns;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "jsonl" || text == "json") return ExportFormat::Jsonl;
  if (text == "csv") return ExportFormat::Csv;
  return std::nullopt;
}

struct VoteExport::Lookups {
  // Model id -> the name written as model_a / model_b; absent: leave the vote out.
  std::unordered_map<std::string, std::string> by_id;
  ClipFeatureIndex features;  // of each clip; duration also for the watch weighting
};

VoteExport::VoteExport(store::Store& store, ExportOptions options)
    : store_(store), options_(std::move(options)), lookups_(std::make_unique<Lookups>()) {}

VoteExport::~VoteExport() = default;

Result<std::unique_ptr<VoteExport>> VoteExport::open(store::Store& store, ExportOptions options) {
  auto models = store.list_models();
  if (!models) return std::unexpected(models.error());
  std::unique_ptr<VoteExport> e(new VoteExport(store, std::move(options)));
  for (const auto& m : *models) {
    if (e->options_.full) {
      e->lookups_->by_id.emplace(m.id, m.display_name.empty() ? m.id : m.display_name);
    } else if (auto name = public_name(m)) {
      // The same names the leaderboards use, so `paddock rate` reproduces them.
      e->lookups_->by_id.emplace(m.id, std::move(*name));
    }
  }
  auto features = ClipFeatureIndex::load(store, e->options_.track_id);
  if (!features) return std::unexpected(features.error());
  e->lookups_->features = std::move(*features);
  return e;
}

Result<std::optional<std::string>> VoteExport::next() {
  if (done_) return std::optional<std::string>();
  auto format = options_.format == ExportFormat::Csv ? votelog::OutputFormat::Csv
                                                     : votelog::OutputFormat::JsonLines;
  std::string out;
  if (!header_done_) {
    header_done_ = true;
    if (format == votelog::OutputFormat::Csv) {
      std::vector<std::string_view> names(
          kFullExtra.begin(),
          options_.full ? kFullExtra.end() : kFullExtra.begin() + kPublicExtra.size());
      if (options_.watch_weighting) names.emplace_back("weight");
      const auto& columns = feature_columns();
      names.insert(names.end(), columns.begin(), columns.end());
      out = votelog::csv_header(names);
    }
  }

  store::VoteQuery q;
  q.track_id = options_.track_id;
  q.after_id = after_id_;
  q.up_to_id = options_.up_to;
  q.include_voided = options_.full;
  // Votes on attention checks only in the full export (marked): they count on no board.
  q.controls = options_.full ? store::ControlVotes::Included : store::ControlVotes::Excluded;
  q.limit = kPage;
  auto votes = store_.list_votes(q);
  if (!votes) return std::unexpected(votes.error());
  if (static_cast<int64_t>(votes->size()) < kPage) done_ = true;

  out.reserve(out.size() + votes->size() * 220);
  for (const auto& v : *votes) {
    after_id_ = std::max(after_id_, v.id);
    if (v.voided && !options_.full) continue;
    const auto& names = lookups_->by_id;
    auto a = names.find(v.left_model);
    auto b = names.find(v.right_model);
    std::string_view name_a, name_b;
    if (a != names.end()) name_a = a->second;
    if (b != names.end()) name_b = b->second;
    if (!options_.full) {
      // Hidden models' votes, and votes the boards cannot count, are not published.
      if (name_a.empty() || name_b.empty() || name_a == name_b) continue;
    } else {
      if (name_a.empty()) name_a = v.left_model;
      if (name_b.empty()) name_b = v.right_model;
      // The broken side of an attention check has no model.
      if (name_a.empty()) name_a = kBrokenClip;
      if (name_b.empty()) name_b = kBrokenClip;
    }

    std::array<votelog::ExtraField, kFullExtra.size() + 1 + 2 * kFeatures> extra{{
        {"vote_id", v.id},
        {"battle_id", std::string_view(v.battle_id)},
        {"prompt_id", std::string_view(v.prompt_id)},
        {"left_watch_ms", v.left_watch_ms},
        {"right_watch_ms", v.right_watch_ms},
        {"decision_ms", v.decision_ms},
        {"model_a_id", std::string_view(v.left_model)},
        {"model_b_id", std::string_view(v.right_model)},
        {"session", std::string_view(v.session)},
        {"address", std::string_view(v.address)},
        {"voided", static_cast<int64_t>(v.voided ? 1 : 0)},
        {"void_reason", std::string_view(v.void_reason)},
        {"control", std::string_view(v.control)},
        {"expected", v.expected ? expected_side(*v.expected) : std::string_view()},
    }};
    // The public fields, then the full export's, then the weight (when weighting).
    std::size_t own = options_.full ? kFullExtra.size() : kPublicExtra.size();
    if (options_.watch_weighting) {
      extra[own++] = {"weight", watch_weight(v, lookups_->features, *options_.watch_weighting)};
    }
    // The clips' features: JSON as features_a / features_b, CSV as the columns after
    // paddock's own (the extra fields run on from the last one this export writes).
    const ClipFeatures* left = lookups_->features.find(v.track_id, v.prompt_id, v.left_model);
    const ClipFeatures* right = lookups_->features.find(v.track_id, v.prompt_id, v.right_model);
    std::array<votelog::ClipFeature, kFeatures> features;
    for (std::size_t k = 0; k < kFeatures; ++k) {
      features[k].name = kPresentationFeatures[k];
      if (left) features[k].a = (*left)[k];
      if (right) features[k].b = (*right)[k];
    }
    const bool csv = format == votelog::OutputFormat::Csv;
    if (csv) {
      const auto& columns = feature_columns();
      for (std::size_t k = 0; k < kFeatures; ++k) {
        extra[own + k] = {columns[k], features[k].a};
        extra[own + kFeatures + k] = {columns[kFeatures + k], features[k].b};
      }
    }
    votelog::VoteRecord r;
    r.model_a = name_a;
    r.model_b = name_b;
    r.outcome = outcome_of(v.choice);
    r.categories = v.categories;
    r.tstamp = static_cast<double>(v.created_at_ms) / 1000.0;
    r.track = v.track_id;
    r.extra = std::span<const votelog::ExtraField>(extra.data(), csv ? own + 2 * kFeatures : own);
    if (!csv) r.features = features;
    votelog::append_vote_record(out, format, r);
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace paddock::arena
