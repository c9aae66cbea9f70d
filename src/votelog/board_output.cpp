#include "votelog/board_output.hpp"

#include <cmath>

#include "fmt/format.h"

namespace paddock::votelog {

namespace {

nlohmann::json number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
}

std::string fixed(double x, int digits) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", x, digits) : "-";
}

std::string full(double x) {
  return std::isfinite(x) ? fmt::format("{}", x) : "";
}

std::string rank_range(const rating::ModelRow& m) {
  return m.rank_best == m.rank_worst ? fmt::format("{}", m.rank_best)
                                     : fmt::format("{}-{}", m.rank_best, m.rank_worst);
}

std::string interval(const rating::ModelRow& m) {
  if (!std::isfinite(m.ci_low)) return "-";
  return fmt::format("[{:.1f}, {:.1f}]", m.ci_low, m.ci_high);
}

std::string model_label(const rating::ModelRow& m) {
  return m.preliminary ? m.model + " *" : m.model;
}

bool any_preliminary(const rating::Board& b) {
  for (const auto& m : b.models) {
    if (m.preliminary) return true;
  }
  return false;
}

std::string ci_title(const rating::Board& b) {
  return fmt::format("{:g}% CI", b.ci * 100);
}

// Columns padded to their widest cell; `right[i]` aligns column i to the right.
std::string aligned(const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i > 0) line += "  ";
      line +=
          right[i] ? fmt::format("{:>{}}", r[i], width[i]) : fmt::format("{:<{}}", r[i], width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string markdown(const std::vector<std::vector<std::string>>& rows,
                     const std::vector<bool>& right) {
  std::string out;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    out += "|";
    for (const auto& cell : rows[k]) out += " " + cell + " |";
    out += "\n";
    if (k == 0) {
      out += "|";
      for (bool r : right) out += r ? " ---: |" : " --- |";
      out += "\n";
    }
  }
  return out;
}

// The columns of the model table: the standard ones, then "raw score" with presentation
// control and "piece" when the models fall into pieces.
std::vector<std::vector<std::string>> model_rows(const rating::Board& b) {
  std::vector<std::vector<std::string>> rows{
      {"rank", "range", "model", "score", ci_title(b), "votes", "win rate", "both bad", "elo"}};
  if (!b.control.empty()) rows[0].emplace_back("raw score");
  if (!b.pieces.empty()) rows[0].emplace_back("piece");
  for (const auto& m : b.models) {
    rows.push_back({fmt::format("{}", m.rank), rank_range(m), model_label(m), fixed(m.rating, 1),
                    interval(m), fmt::format("{}", m.votes), fixed(m.win_rate, 3),
                    fixed(m.both_bad_rate, 3), fixed(m.elo, 1)});
    if (!b.control.empty()) rows.back().push_back(fixed(m.raw_rating, 1));
    if (!b.pieces.empty()) rows.back().push_back(fmt::format("{}", m.piece + 1));
  }
  return rows;
}
std::vector<bool> model_align(const rating::Board& b) {
  std::vector<bool> right{true, true, false, true, false, true, true, true, true};
  if (!b.control.empty()) right.push_back(true);
  if (!b.pieces.empty()) right.push_back(true);
  return right;
}

std::vector<std::vector<std::string>> pair_rows(const rating::Board& b) {
  std::vector<std::vector<std::string>> rows{
      {"model_a", "model_b", "votes", "a wins", "b wins", "ties", "a win rate", "predicted"}};
  for (const auto& p : b.pairs) {
    const double observed =
        p.votes > 0 ? (static_cast<double>(p.a_wins) + 0.5 * static_cast<double>(p.ties)) /
                          static_cast<double>(p.votes)
                    : NAN;
    rows.push_back({p.model_a, p.model_b, fmt::format("{}", p.votes), fmt::format("{}", p.a_wins),
                    fmt::format("{}", p.b_wins), fmt::format("{}", p.ties), fixed(observed, 3),
                    fixed(p.predicted_a_win, 3)});
  }
  return rows;
}
const std::vector<bool> kPairAlign{false, false, true, true, true, true, true, true};

std::string summary_line(const rating::Board& b) {
  std::string line = fmt::format("{} votes, Bradley-Terry on the {}-point scale, anchor {}",
                                 b.votes, b.scale, b.anchor);
  if (b.bootstrap > 0) {
    line +=
        fmt::format(", {} from {} bootstrap rounds (seed {})", ci_title(b), b.bootstrap, b.seed);
  }
  if (b.intervals == "sandwich")
    line += fmt::format(", {} from the sandwich covariance", ci_title(b));
  if (b.weights != "as_voted") line += fmt::format(", weights {}", b.weights);
  if (b.ties_model == "davidson") {
    line += fmt::format(", Davidson ties (nu {:.3f}: equal models tie {:.1f}% of the time)",
                        b.tie_parameter, 100 * b.equal_strength_tie_rate);
  }
  if (!b.control.empty()) line += ", presentation control";
  return line;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    const auto& c = cells[i];
    if (c.find_first_of(",\"\r\n") != std::string::npos) {
      out += '"';
      for (char ch : c) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    } else {
      out += c;
    }
  }
  return out + "\n";
}

std::string render_csv(const rating::Board& b, const RenderOptions& o) {
  std::string out;
  std::vector<std::string> header;
  if (o.category) header.emplace_back("category");
  if (o.pairs) {
    for (const char* h :
         {"model_a", "model_b", "votes", "a_wins", "b_wins", "ties", "predicted_a_win"}) {
      header.emplace_back(h);
    }
  } else {
    for (const char* h : {"rank", "rank_best", "rank_worst", "model", "rating", "ci_low", "ci_high",
                          "votes", "wins", "losses", "ties", "win_rate", "elo", "preliminary"}) {
      header.emplace_back(h);
    }
  }
  if (o.csv_header) out += csv_line(header);
  if (o.pairs) {
    for (const auto& p : b.pairs) {
      std::vector<std::string> row;
      if (o.category) row.push_back(*o.category);
      for (auto s :
           {p.model_a, p.model_b, fmt::format("{}", p.votes), fmt::format("{}", p.a_wins),
            fmt::format("{}", p.b_wins), fmt::format("{}", p.ties), full(p.predicted_a_win)}) {
        row.push_back(s);
      }
      out += csv_line(row);
    }
    return out;
  }
  for (const auto& m : b.models) {
    std::vector<std::string> row;
    if (o.category) row.push_back(*o.category);
    for (auto s : {fmt::format("{}", m.rank), fmt::format("{}", m.rank_best),
                   fmt::format("{}", m.rank_worst), m.model, full(m.rating), full(m.ci_low),
                   full(m.ci_high), fmt::format("{}", m.votes), fmt::format("{}", m.wins),
                   fmt::format("{}", m.losses), fmt::format("{}", m.ties), full(m.win_rate),
                   full(m.elo), std::string(m.preliminary ? "true" : "false")}) {
      row.push_back(s);
    }
    out += csv_line(row);
  }
  return out;
}

// "robustness #1 over #2: A stays above B unless 5 votes (0.05%) are removed (confirmed by
// refit)"; with pieces, "robustness in piece 2, #1 over #2: ...".
std::string robustness_line(const rating::RobustnessRow& r, bool pieces) {
  const std::string head = fmt::format("robustness {}#{} over #{}: {} stays above {} ",
                                       pieces ? fmt::format("in piece {}, ", r.piece + 1) : "",
                                       r.rank, r.rank + 1, r.upper, r.lower);
  if (r.votes < 0) return head + "whichever of the votes for it are removed";
  return head + fmt::format("unless {} vote{} ({}%) are removed ({})", r.votes,
                            r.votes == 1 ? "" : "s", fixed(100 * r.share, 3),
                            r.approximate == r.votes ? "influence approximation, confirmed by refit"
                            : r.approximate < 0
                                ? "found by refits; the influence approximation found none"
                                : fmt::format("confirmed by refit; the influence approximation "
                                              "said {}",
                                              r.approximate));
}

}  // namespace

std::optional<BoardFormat> parse_board_format(std::string_view name) {
  if (name == "table") return BoardFormat::Table;
  if (name == "json") return BoardFormat::Json;
  if (name == "csv") return BoardFormat::Csv;
  if (name == "markdown" || name == "md") return BoardFormat::Markdown;
  return std::nullopt;
}

nlohmann::json board_to_json(const rating::Board& b) {
  nlohmann::json j;
  j["method"] = b.method;
  j["scale"] = b.scale;
  j["anchor"] = b.anchor;
  j["votes"] = b.votes;
  j["seed"] = b.seed;
  j["bootstrap"] = b.bootstrap;
  j["intervals"] = b.intervals;
  j["ci"] = b.ci;
  j["weights"] = b.weights;
  // Only when some vote weighs less than 1, so unweighted logs give the boards they always did.
  if (b.down_weighted_votes > 0) {
    j["vote_weights"] = {{"down_weighted_votes", b.down_weighted_votes},
                         {"weight_total", number(b.vote_weight_total)}};
  }
  j["prior_used"] = b.prior_used;
  j["notes"] = b.notes;
  j["ties"] = {{"model", b.ties_model},
               {"tie_votes", b.tie_votes},
               {"both_bad_votes", b.both_bad_votes},
               {"both_bad_rate", number(b.both_bad_rate)},
               {"tie_parameter", number(b.tie_parameter)},
               {"equal_strength_tie_rate", number(b.equal_strength_tie_rate)}};
  auto& pieces = j["pieces"] = nlohmann::json::array();
  for (const auto& p : b.pieces) pieces.push_back(p);
  j["control"] = b.control;
  auto& covariates = j["covariates"] = nlohmann::json::array();
  for (const auto& c : b.covariates) {
    covariates.push_back({{"feature", c.feature},
                          {"effect", number(c.effect)},
                          {"ci_low", number(c.ci_low)},
                          {"ci_high", number(c.ci_high)},
                          {"mean", number(c.mean)},
                          {"sd", number(c.sd)}});
  }
  auto& models = j["models"] = nlohmann::json::array();
  for (const auto& m : b.models) {
    nlohmann::json row{{"model", m.model},
                       {"rating", number(m.rating)},
                       {"ci_low", number(m.ci_low)},
                       {"ci_high", number(m.ci_high)},
                       {"rank", m.rank},
                       {"rank_best", m.rank_best},
                       {"rank_worst", m.rank_worst},
                       {"votes", m.votes},
                       {"wins", m.wins},
                       {"losses", m.losses},
                       {"ties", m.ties},
                       {"both_bad", m.both_bad},
                       {"win_rate", number(m.win_rate)},
                       {"both_bad_rate", number(m.both_bad_rate)},
                       {"elo", number(m.elo)},
                       {"piece", m.piece},
                       {"preliminary", m.preliminary}};
    if (!b.control.empty()) row["raw_rating"] = number(m.raw_rating);
    models.push_back(std::move(row));
  }
  auto& pairs = j["pairs"] = nlohmann::json::array();
  for (const auto& p : b.pairs) {
    pairs.push_back({{"model_a", p.model_a},
                     {"model_b", p.model_b},
                     {"votes", p.votes},
                     {"a_wins", p.a_wins},
                     {"b_wins", p.b_wins},
                     {"ties", p.ties},
                     {"predicted_a_win", number(p.predicted_a_win)}});
  }
  auto& shares = j["category_shares"] = nlohmann::json::array();
  for (const auto& c : b.categories) {
    shares.push_back({{"category", c.category},
                      {"votes", number(c.votes)},
                      {"voted_share", number(c.voted_share)},
                      {"target_share", number(c.target_share)}});
  }
  if (!b.robustness.empty()) {
    auto& robustness = j["robustness"] = nlohmann::json::array();
    for (const auto& r : b.robustness) {
      robustness.push_back(
          {{"rank", r.rank},
           {"upper", r.upper},
           {"lower", r.lower},
           {"votes", r.votes >= 0 ? nlohmann::json(r.votes) : nullptr},
           {"share", number(r.share)},
           {"approximate", r.approximate >= 0 ? nlohmann::json(r.approximate) : nullptr},
           {"confirmed", r.confirmed},
           {"refits", r.refits}});
      // With pieces, which one (0: the largest, as in `pieces`): ranks count within it.
      if (!b.pieces.empty()) robustness.back()["piece"] = r.piece;
    }
  }
  return j;
}

std::string render_board(const rating::Board& b, BoardFormat format, const RenderOptions& o) {
  if (format == BoardFormat::Json) return board_to_json(b).dump(2) + "\n";
  if (format == BoardFormat::Csv) return render_csv(b, o);
  const bool md = format == BoardFormat::Markdown;
  std::string out;
  if (o.category)
    out += md ? fmt::format("## {}\n\n", *o.category) : fmt::format("== {} ==\n", *o.category);
  out += summary_line(b) + (md ? "\n\n" : "\n\n");
  if (b.models.empty()) {
    out += "(no models)\n";
  } else {
    out += md ? markdown(model_rows(b), model_align(b)) : aligned(model_rows(b), model_align(b));
  }
  if (any_preliminary(b))
    out += md ? "\n\\* preliminary: too few votes\n" : "\n* preliminary: too few votes\n";
  if (o.pairs && !b.pairs.empty()) {
    out += "\n";
    out += md ? markdown(pair_rows(b), kPairAlign) : aligned(pair_rows(b), kPairAlign);
  }
  if (!b.covariates.empty()) {
    out += "\n";
    for (const auto& c : b.covariates) {
      out += fmt::format(
          "{}presentation effect of {}: {} points per standard deviation of the difference {}\n",
          md ? "- " : "", c.feature, fixed(c.effect, 1),
          std::isfinite(c.ci_low) ? fmt::format("[{:.1f}, {:.1f}]", c.ci_low, c.ci_high) : "");
    }
  }
  if (b.votes > 0) {
    out += fmt::format("\n{}ties {} of {} votes, both bad {} ({:.1f}%)\n", md ? "- " : "",
                       b.tie_votes, b.votes, b.both_bad_votes, 100 * b.both_bad_rate);
  }
  if (!b.categories.empty()) {
    out += "\n";
    for (const auto& c : b.categories) {
      out += fmt::format("{}category {}: {:.1f}% of the votes, weighted to {:.1f}%\n",
                         md ? "- " : "", c.category, c.voted_share * 100, c.target_share * 100);
    }
  }
  if (!b.robustness.empty()) {
    out += "\n";
    for (const auto& r : b.robustness) {
      out += (md ? "- " : "") + robustness_line(r, !b.pieces.empty()) + "\n";
    }
  }
  if (!b.notes.empty()) {
    out += "\n";
    for (const auto& n : b.notes) out += (md ? "> " : "note: ") + n + "\n";
  }
  return out;
}

}  // namespace paddock::votelog
