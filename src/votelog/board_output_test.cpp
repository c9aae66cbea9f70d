#include "votelog/board_output.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace paddock::votelog {
namespace {

rating::Board example() {
  rating::VoteTable t;
  const auto a = t.intern_model("alpha"), b = t.intern_model("beta"), c = t.intern_model("gamma");
  for (int i = 0; i < 30; ++i) {
    t.add(a, b, i % 3 ? rating::Outcome::AWins : rating::Outcome::BWins, 0, i);
    t.add(b, c, i % 4 ? rating::Outcome::AWins : rating::Outcome::Tie, 0, i);
    t.add(c, a, i % 5 ? rating::Outcome::BWins : rating::Outcome::AWins, 0, i);
  }
  rating::BoardOptions o;
  o.bootstrap_rounds = 50;
  return *rating::compute_board(t, o);
}

TEST(BoardOutput, JsonHasEveryDocumentedField) {
  const auto j = board_to_json(example());
  for (const char* key : {"method", "scale", "anchor", "votes", "seed", "bootstrap", "ci", "models",
                          "pairs", "weights", "prior_used", "notes"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["method"], "bradley-terry");
  EXPECT_EQ(j["scale"], 400);
  EXPECT_EQ(j["anchor"], "mean=1000");
  EXPECT_EQ(j["votes"], 90);
  ASSERT_EQ(j["models"].size(), 3u);
  for (const char* key : {"model", "rating", "ci_low", "ci_high", "rank", "rank_best", "rank_worst",
                          "votes", "wins", "losses", "ties", "win_rate", "elo", "preliminary"}) {
    EXPECT_TRUE(j["models"][0].contains(key)) << key;
  }
  EXPECT_EQ(j["models"][0]["model"], "alpha");
  ASSERT_EQ(j["pairs"].size(), 3u);
  for (const char* key :
       {"model_a", "model_b", "votes", "a_wins", "b_wins", "ties", "predicted_a_win"}) {
    EXPECT_TRUE(j["pairs"][0].contains(key)) << key;
  }
}

TEST(BoardOutput, MissingIntervalsAreNullInJsonAndEmptyInCsv) {
  auto board = example();
  board.models[0].ci_low = board.models[0].ci_high = NAN;
  EXPECT_TRUE(board_to_json(board)["models"][0]["ci_low"].is_null());
  const auto csv = render_board(board, BoardFormat::Csv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "rank,rank_best,rank_worst,model,rating,ci_low,ci_high,votes,wins,losses,ties,win_rate,"
            "elo,preliminary");
  EXPECT_NE(csv.find(",alpha,"), std::string::npos);
  EXPECT_NE(csv.find(",,"), std::string::npos);
}

TEST(BoardOutput, TableAndMarkdownShowEveryModel) {
  const auto board = example();
  RenderOptions with_pairs;
  with_pairs.pairs = true;
  const auto table = render_board(board, BoardFormat::Table, with_pairs);
  const auto md = render_board(board, BoardFormat::Markdown);
  for (const char* name : {"alpha", "beta", "gamma"}) {
    EXPECT_NE(table.find(name), std::string::npos);
    EXPECT_NE(md.find(std::string("| ") + name), std::string::npos) << md;
  }
  EXPECT_NE(table.find("95% CI"), std::string::npos);
  EXPECT_NE(table.find("predicted"), std::string::npos);
  EXPECT_NE(md.find("| ---: |"), std::string::npos);
  EXPECT_EQ(parse_board_format("md"), BoardFormat::Markdown);
  EXPECT_FALSE(parse_board_format("xml"));
}

}  // namespace
}  // namespace paddock::votelog
