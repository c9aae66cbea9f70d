#include "arena/voter_review.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "arena/vote_outcome.hpp"

namespace paddock::arena {
namespace {

constexpr std::size_t kMaxListedPerVoter = 20;
constexpr int64_t kReviewReadPage = 20'000;

// Point estimates only: the review needs the scores, not their intervals.
Result<rating::Board> fit_point_estimates(const rating::VoteTable& table) {
  rating::BoardOptions o;
  o.bootstrap_rounds = 0;
  o.threads = 1;
  return rating::compute_board(table, o);
}

// The board's score of every model of the table, by table index; a model without votes on
// the board counts at the mean.
std::vector<double> ratings_by_index(const rating::VoteTable& table, const rating::Board& board) {
  double mean = 0;
  for (const auto& row : board.models) mean += row.rating;
  mean = board.models.empty() ? 1000 : mean / static_cast<double>(board.models.size());
  std::vector<double> ratings(table.model_count(), mean);
  for (const auto& row : board.models) {
    if (auto i = table.find_model(row.model)) ratings[*i] = row.rating;
  }
  return ratings;
}

}  // namespace

rating::VoteTable without_votes(const rating::VoteTable& table, std::span<const uint8_t> drop) {
  rating::VoteTable out;
  for (std::size_t m = 0; m < table.model_count(); ++m) {
    out.intern_model(table.model_name(static_cast<uint32_t>(m)));
  }
  const auto a = table.model_a();
  const auto b = table.model_b();
  const auto outcome = table.outcome();
  for (std::size_t v = 0; v < table.size(); ++v) {
    if (v < drop.size() && drop[v]) continue;
    out.add(a[v], b[v], outcome[v], rating::VoteTable::kNoCategories);
    if (table.weight_class(v) != 0) out.set_weight(table.weight(v));
  }
  return out;
}

Result<VoterReview> review_voters(const ReviewedVotes& votes, const VoterReviewOptions& options) {
  if (options.rounds < 1) return fail("invalid", "a review needs at least 1 round");
  if (votes.table == nullptr) return fail("invalid", "no votes to review");
  const auto& table = *votes.table;
  const std::size_t n = table.size();
  if (votes.session.size() != n || votes.prefix.size() != n) {
    return fail("invalid", "every vote needs a session and a prefix");
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (votes.session[v] >= votes.sessions || votes.prefix[v] >= votes.prefixes) {
      return fail("invalid", "a vote's session or prefix is out of range");
    }
  }
  std::vector<JudgedVote> by_session(n), by_prefix(n);
  for (std::size_t v = 0; v < n; ++v) {
    const JudgedVote judged{0, table.model_a()[v], table.model_b()[v], table.outcome()[v]};
    by_session[v] = judged;
    by_session[v].voter = votes.session[v];
    by_prefix[v] = judged;
    by_prefix[v].voter = votes.prefix[v];
  }

  VoterReview review;
  review.vote_flagged.assign(n, 0);
  for (int round = 0; round < options.rounds; ++round) {
    auto board = round == 0 ? fit_point_estimates(table)
                            : fit_point_estimates(without_votes(table, review.vote_flagged));
    if (!board) return std::unexpected(board.error());
    review.board = std::move(*board);
    const auto ratings = ratings_by_index(table, review.board);
    review.sessions = score_voters(by_session, ratings, votes.sessions, options.scoring);
    review.prefixes = score_voters(by_prefix, ratings, votes.prefixes, options.scoring);
    review.flagged_votes = 0;
    for (std::size_t v = 0; v < n; ++v) {
      review.vote_flagged[v] =
          review.sessions[votes.session[v]].flagged || review.prefixes[votes.prefix[v]].flagged;
      review.flagged_votes += review.vote_flagged[v];
    }
  }
  return review;
}

Result<TrackVoterReview> review_track_voters(store::Store& store, const std::string& track,
                                             const VoterReviewOptions& options) {
  if (track.empty()) return fail("invalid", "say which track's voters to review");
  if (!(options.scoring.threshold > 0) || options.scoring.min_votes < 1) {
    return fail("invalid", "the threshold must be above 0 and min_votes at least 1");
  }
  rating::VoteTable table;
  std::vector<uint32_t> session, prefix;
  std::vector<std::string> session_names, prefix_names;
  std::unordered_map<std::string, uint32_t> session_of, prefix_of;
  std::vector<std::string> addresses;  // per vote
  std::vector<int64_t> ids;
  std::vector<ControlAnswer> session_answers, prefix_answers;  // attention checks
  const auto number = [](std::unordered_map<std::string, uint32_t>& of,
                         std::vector<std::string>& names, const std::string& key) {
    auto [it, added] = of.try_emplace(key, static_cast<uint32_t>(names.size()));
    if (added) names.push_back(key);
    return it->second;
  };
  for (int64_t after = 0;;) {
    store::VoteQuery q;
    q.track_id = track;
    q.after_id = after;
    q.limit = kReviewReadPage;
    q.controls = store::ControlVotes::Included;
    auto page = store.list_votes(q);
    if (!page) return std::unexpected(page.error());
    for (const auto& v : *page) {
      after = std::max(after, v.id);
      if (v.voided) continue;
      if (!v.control.empty()) {
        // An attention check: scored by its known answer, never fitted.
        const bool missed = !v.expected || v.choice != *v.expected;
        session_answers.push_back({number(session_of, session_names, v.session), missed});
        prefix_answers.push_back(
            {number(prefix_of, prefix_names, address_prefix(v.address)), missed});
        continue;
      }
      if (v.left_model == v.right_model) continue;
      table.add(table.intern_model(v.left_model), table.intern_model(v.right_model),
                outcome_of(v.choice), rating::VoteTable::kNoCategories);
      session.push_back(number(session_of, session_names, v.session));
      prefix.push_back(number(prefix_of, prefix_names, address_prefix(v.address)));
      addresses.push_back(v.address);
      ids.push_back(v.id);
    }
    if (static_cast<int64_t>(page->size()) < kReviewReadPage) break;
  }

  TrackVoterReview out;
  out.track = track;
  out.options = options;
  out.votes = static_cast<int64_t>(table.size());
  out.control_votes = static_cast<int64_t>(session_answers.size());
  out.sessions = static_cast<int64_t>(session_names.size());
  out.prefixes = static_cast<int64_t>(prefix_names.size());
  VoterReview fitted;
  if (!table.empty()) {
    auto review = review_voters(
        {&table, session, session_names.size(), prefix, prefix_names.size()}, options);
    if (!review) return std::unexpected(review.error());
    fitted = std::move(*review);
  } else {
    fitted.sessions.resize(session_names.size());
    fitted.prefixes.resize(prefix_names.size());
  }
  const auto session_attention =
      score_attention(session_answers, session_names.size(), options.attention);
  const auto prefix_attention =
      score_attention(prefix_answers, prefix_names.size(), options.attention);
  for (std::size_t v = 0; v < table.size(); ++v) {
    out.flagged_votes +=
        fitted.sessions[session[v]].flagged || fitted.prefixes[prefix[v]].flagged ||
        session_attention[session[v]].flagged || prefix_attention[prefix[v]].flagged;
  }

  const auto model_name = [&](const VoterScore& s, bool favoured) {
    const int64_t n = favoured ? s.favoured_votes : s.opposed_votes;
    return n == 0 ? std::string() : table.model_name(favoured ? s.favoured : s.opposed);
  };
  const auto collect =
      [&](const std::vector<VoterScore>& scores, const std::vector<AttentionScore>& attention,
          const std::vector<uint32_t>& voter_of, const char* kind,
          const std::vector<std::string>& names, bool list_sessions, int64_t& scored) {
        std::map<uint32_t, FlaggedVoter> flagged;
        for (std::size_t i = 0; i < scores.size(); ++i) {
          const auto& s = scores[i];
          scored += s.votes >= options.scoring.min_votes;
          if (!s.flagged && !attention[i].flagged) continue;
          FlaggedVoter f;
          f.kind = kind;
          f.key = names[i];
          f.score = s;
          f.score.voter = static_cast<uint32_t>(i);
          f.attention = attention[i];
          f.misses_to_flag = misses_to_flag(attention[i].seen, options.attention);
          f.favoured_model = model_name(s, true);
          f.opposed_model = model_name(s, false);
          flagged.emplace(static_cast<uint32_t>(i), std::move(f));
        }
        std::map<uint32_t, std::set<std::string>> seen_addresses, seen_sessions;
        for (std::size_t v = 0; v < table.size(); ++v) {
          auto it = flagged.find(voter_of[v]);
          if (it == flagged.end()) continue;
          auto& f = it->second;
          if (f.first_vote_id == 0) f.first_vote_id = ids[v];
          f.last_vote_id = ids[v];
          auto& a = seen_addresses[voter_of[v]];
          if (a.size() < kMaxListedPerVoter) a.insert(addresses[v]);
          if (list_sessions) {
            auto& s = seen_sessions[voter_of[v]];
            if (s.size() < kMaxListedPerVoter) s.insert(session_names[session[v]]);
          }
        }
        for (auto& [voter, f] : flagged) {
          f.addresses.assign(seen_addresses[voter].begin(), seen_addresses[voter].end());
          f.sessions.assign(seen_sessions[voter].begin(), seen_sessions[voter].end());
          out.flagged.push_back(std::move(f));
        }
      };
  collect(fitted.sessions, session_attention, session, "session", session_names, false,
          out.sessions_scored);
  collect(fitted.prefixes, prefix_attention, prefix, "address_prefix", prefix_names, true,
          out.prefixes_scored);
  std::stable_sort(out.flagged.begin(), out.flagged.end(),
                   [](const FlaggedVoter& a, const FlaggedVoter& b) {
                     if (a.score.flagged != b.score.flagged) return a.score.flagged;
                     if (a.score.flagged) return a.score.z > b.score.z;
                     return a.attention.p_value < b.attention.p_value;
                   });
  return out;
}

}  // namespace paddock::arena
