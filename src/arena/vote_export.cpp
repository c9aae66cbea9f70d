#include "arena/vote_export.hpp"

#include <array>

#include "arena/catalog.hpp"
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

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "jsonl" || text == "json") return ExportFormat::Jsonl;
  if (text == "csv") return ExportFormat::Csv;
  return std::nullopt;
}

struct VoteExport::Names {
  // Model id -> the name written as model_a / model_b; absent: leave the vote out.
  std::unordered_map<std::string, std::string> by_id;
};

VoteExport::VoteExport(store::Store& store, ExportOptions options)
    : store_(store), options_(std::move(options)), names_(std::make_unique<Names>()) {}

VoteExport::~VoteExport() = default;

Result<std::unique_ptr<VoteExport>> VoteExport::open(store::Store& store, ExportOptions options) {
  auto models = store.list_models();
  if (!models) return std::unexpected(models.error());
  std::unique_ptr<VoteExport> e(new VoteExport(store, std::move(options)));
  for (const auto& m : *models) {
    if (e->options_.full) {
      e->names_->by_id.emplace(m.id, m.display_name.empty() ? m.id : m.display_name);
    } else if (auto name = public_name(m)) {
      // The same names the leaderboards use, so `paddock rate` reproduces them.
      e->names_->by_id.emplace(m.id, std::move(*name));
    }
  }
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
      if (options_.full) {
        out = votelog::csv_header(kFullExtra);
      } else {
        out = votelog::csv_header(kPublicExtra);
      }
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
    auto a = names_->by_id.find(v.left_model);
    auto b = names_->by_id.find(v.right_model);
    std::string_view name_a, name_b;
    if (a != names_->by_id.end()) name_a = a->second;
    if (b != names_->by_id.end()) name_b = b->second;
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

    std::array<votelog::ExtraField, kFullExtra.size()> extra{{
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
    votelog::VoteRecord r;
    r.model_a = name_a;
    r.model_b = name_b;
    r.outcome = outcome_of(v.choice);
    r.categories = v.categories;
    r.tstamp = static_cast<double>(v.created_at_ms) / 1000.0;
    r.track = v.track_id;
    r.extra = std::span<const votelog::ExtraField>(
        extra.data(), options_.full ? kFullExtra.size() : kPublicExtra.size());
    votelog::append_vote_record(out, format, r);
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace paddock::arena
