#include "rating/board_notes.hpp"

#include "fmt/core.h"
#include "rating/bradley_terry.hpp"
#include "rating/comparison_graph.hpp"

namespace paddock::rating {

namespace {

constexpr std::size_t kNamesInNote = 5;  // names listed in a note before "and N more"

template <typename Name>
std::string name_list(const std::vector<uint32_t>& models, Name name) {
  std::string out;
  for (std::size_t k = 0; k < models.size() && k < kNamesInNote; ++k) {
    if (!out.empty()) out += ", ";
    out += name(models[k]);
  }
  if (models.size() > kNamesInNote)
    out += fmt::format(" and {} more", models.size() - kNamesInNote);
  return out;
}

}  // namespace

std::string prior_note(const PairTotals& totals, const std::vector<std::string>& names) {
  const GraphDiagnosis d = diagnose_graph(totals);
  auto name = [&](uint32_t m) { return names[m]; };
  std::vector<std::string> reasons;
  if (d.pieces.size() > 1) {
    reasons.push_back(
        fmt::format("the models fall into {} groups that never met", d.pieces.size()));
  }
  if (!d.never_lost.empty()) reasons.push_back("never lost: " + name_list(d.never_lost, name));
  if (!d.never_won.empty()) reasons.push_back("never won: " + name_list(d.never_won, name));
  if (reasons.empty()) {
    reasons.emplace_back("one group of models never lost a vote to the others");
  }
  std::string why;
  for (const auto& r : reasons) why += (why.empty() ? "" : "; ") + r;
  if (d.pieces.size() > 1 && d.never_lost.empty() && d.never_won.empty()) {
    return fmt::format(
        "The maximum-likelihood scores of all models together do not exist for these votes "
        "({}). Each group's scores are its own maximum-likelihood scores; only the level of "
        "each group comes from a very weak prior (every model also plays {} virtual tie game "
        "against a fixed reference player).",
        why, kPriorVirtualGames);
  }
  return fmt::format(
      "The maximum-likelihood scores do not exist for these votes ({}). Every model therefore "
      "also plays {} virtual tie game against a fixed reference player: a very weak prior that "
      "keeps all scores finite and pulls the affected ones toward the middle.",
      why, kPriorVirtualGames);
}

std::string pieces_note(const std::vector<std::vector<std::string>>& pieces) {
  std::string groups;
  for (std::size_t k = 0; k < pieces.size() && k < kNamesInNote; ++k) {
    std::vector<uint32_t> members(pieces[k].size());
    for (uint32_t i = 0; i < members.size(); ++i) members[i] = i;
    if (!groups.empty()) groups += " | ";
    groups += fmt::format("{}: {{{}}}", k + 1,
                          name_list(members, [&](uint32_t i) { return pieces[k][i]; }));
  }
  if (pieces.size() > kNamesInNote)
    groups += fmt::format(" and {} more", pieces.size() - kNamesInNote);
  return fmt::format(
      "The models fall into {} pieces that never met, directly or through other models ({}). "
      "Scores compare only within a piece: how one piece's scores sit against another's is "
      "set by the prior alone and means nothing.",
      pieces.size(), groups);
}

}  // namespace paddock::rating
