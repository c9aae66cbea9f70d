// Two `paddock serve` processes on one PostgreSQL database, as behind a load balancer: a
// battle from either is voted through the other, a vote is stored once however and wherever
// it is retried, and both servers publish the same boards.

#include <gtest/gtest.h>

#include <barrier>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "api.hpp"
#include "paddock_server.hpp"
#include "postgres_arena.hpp"

namespace paddock::testing {
namespace {

class TwoServers : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<PaddockServer>(arena_.server_options());
    b_ = std::make_unique<PaddockServer>(arena_.server_options());
  }

  // A client of server `to` that carries the session of `from` (the voter's browser, sent
  // to another server by the load balancer).
  static HttpClient same_voter(HttpClient& from, const PaddockServer& to) {
    if (from.session_cookie().empty()) from.get("/api/config");  // the server sets one
    auto c = to.client();
    c.set_session_cookie(from.session_cookie());
    return c;
  }

  static std::string error_code(const HttpResponse& r) {
    return body_json(r).at("error").at("code").get<std::string>();
  }

  PostgresArena arena_;
  std::unique_ptr<PaddockServer> a_;
  std::unique_ptr<PaddockServer> b_;
};

TEST_F(TwoServers, ABattleIssuedByOneServerIsVotedThroughTheOther) {
  auto on_a = a_->client();
  auto battle = new_battle(on_a);
  auto on_b = same_voter(on_a, *b_);
  auto r = cast_vote(on_b, battle.ticket, "right");
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t id = body_json(r).at("vote_id").get<int64_t>();
  EXPECT_FALSE(r.header("Set-Cookie")) << "server B knows the session server A made";

  auto votes = stored_votes(arena_.url());
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].id, id);
  EXPECT_EQ(votes[0].choice, store::Choice::Right);
  // The other way round too, and server A's board sees the vote server B stored.
  auto back = new_battle(on_b);
  auto again = cast_vote(on_a, back.ticket, "left");
  ASSERT_EQ(again.status, 201) << again.body;
  auto board = wait_for_board(on_a, "track=t2v", body_json(again).at("vote_id").get<int64_t>());
  EXPECT_EQ(board.at("votes"), 2);
}

TEST_F(TwoServers, ARetriedVoteIsStoredOnceAndTheFirstIsKept) {
  auto on_a = a_->client();
  auto on_b = same_voter(on_a, *b_);
  auto battle = new_battle(on_a);
  auto first = cast_vote(on_a, battle.ticket, "left");
  ASSERT_EQ(first.status, 201) << first.body;
  // Retries with another verdict, on the other server and on the same one.
  for (HttpClient* c : {&on_b, &on_a, &on_b}) {
    auto retry = cast_vote(*c, battle.ticket, "right");
    EXPECT_EQ(retry.status, 409) << retry.body;
    EXPECT_EQ(error_code(retry), "already_voted");
  }
  auto votes = stored_votes(arena_.url());
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].id, body_json(first).at("vote_id").get<int64_t>());
  EXPECT_EQ(votes[0].choice, store::Choice::Left);
}

TEST_F(TwoServers, TheSameVoteSentToBothServersAtOnceIsStoredOnce) {
  constexpr int kBattles = 40;
  auto on_a = a_->client();
  std::vector<std::string> tickets;
  for (int i = 0; i < kBattles; ++i) tickets.push_back(new_battle(on_a).ticket);

  // For each ticket, "left" goes to A and "right" to B at the same moment.
  std::barrier start(2);
  std::vector<HttpResponse> answers[2];
  auto voter = [&](int side) {
    auto c = side == 0 ? a_->client() : b_->client();
    c.set_session_cookie(on_a.session_cookie());
    for (const auto& t : tickets) {
      start.arrive_and_wait();
      answers[side].push_back(cast_vote(c, t, side == 0 ? "left" : "right"));
    }
  };
  std::thread ta(voter, 0), tb(voter, 1);
  ta.join();
  tb.join();

  std::map<int64_t, store::Choice> acknowledged;
  for (int i = 0; i < kBattles; ++i) {
    const auto& ra = answers[0][i];
    const auto& rb = answers[1][i];
    SCOPED_TRACE("battle " + std::to_string(i));
    ASSERT_EQ((ra.status == 201) + (rb.status == 201), 1) << ra.body << " / " << rb.body;
    const auto& won = ra.status == 201 ? ra : rb;
    const auto& lost = ra.status == 201 ? rb : ra;
    EXPECT_EQ(lost.status, 409);
    EXPECT_EQ(error_code(lost), "already_voted");
    acknowledged[body_json(won).at("vote_id").get<int64_t>()] =
        ra.status == 201 ? store::Choice::Left : store::Choice::Right;
  }
  auto votes = stored_votes(arena_.url());
  ASSERT_EQ(votes.size(), static_cast<std::size_t>(kBattles));
  std::set<std::string> battles;
  for (const auto& v : votes) {
    battles.insert(v.battle_id);
    ASSERT_TRUE(acknowledged.count(v.id)) << "vote " << v.id << " was never acknowledged";
    EXPECT_EQ(v.choice, acknowledged[v.id]) << "the acknowledged verdict is the one stored";
  }
  EXPECT_EQ(battles.size(), static_cast<std::size_t>(kBattles));
}

// The boards, apart: their tests wait for each server's once-a-second reading of the other's
// votes, voids and catalog changes.
class TwoServerBoards : public TwoServers {};

TEST_F(TwoServerBoards, BothServersPublishTheSameBoards) {
  const char* choices[] = {"left", "right", "left", "tie", "right", "left", "both_bad"};
  auto on_a = a_->client();
  auto on_b = same_voter(on_a, *b_);
  int64_t last = 0;
  for (int i = 0; i < 70; ++i) {
    // Battles and votes alternate between the servers in every combination.
    auto battle = new_battle(i % 2 ? on_a : on_b);
    auto r = cast_vote(i % 3 ? on_a : on_b, battle.ticket, choices[i % 7]);
    ASSERT_EQ(r.status, 201) << r.body;
    last = std::max(last, body_json(r).at("vote_id").get<int64_t>());
  }
  // Each server hears of the other's votes only by reading the database (every second);
  // once both boards include the last vote, they are the same boards.
  for (const std::string query :
       {"track=t2v", "track=t2v&weights=balanced", "track=t2v&category=motion"}) {
    SCOPED_TRACE(query);
    auto board_a = wait_for_board(on_a, query, last);
    auto board_b = wait_for_board(on_b, query, last);
    EXPECT_EQ(board_a.at("last_vote_id"), last);
    EXPECT_EQ(board_b.at("last_vote_id"), last);
    EXPECT_EQ(board_without_time(board_a), board_without_time(board_b));
  }
  auto board = wait_for_board(on_a, "track=t2v", last);
  EXPECT_EQ(board.at("votes"), 70);
}

// Polls GET /api/leaderboard?track=t2v on `c` until `done` holds for the board (or 20 s
// pass); returns the last board.
json board_when(HttpClient& c, const std::function<bool(const json&)>& done) {
  json board;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    board = wait_for_board(c, "track=t2v", 0);
    if (done(board)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return board;
}

bool names_model(const json& board, const std::string& name) {
  for (const auto& m : board.at("models")) {
    if (m.at("model") == name) return true;
  }
  return false;
}

TEST_F(TwoServerBoards, VoidsAndRevealsMadeThroughOneServerReachTheOther) {
  const Headers admin{{"Authorization", std::string("Bearer ") + kAdminToken}};
  auto honest = a_->client();
  auto spammer = b_->client();
  std::set<int64_t> spam;
  int64_t last = 0;
  for (int i = 0; i < 15; ++i) {
    auto r = cast_vote(honest, new_battle(honest).ticket, "left");
    ASSERT_EQ(r.status, 201) << r.body;
    auto s = cast_vote(spammer, new_battle(spammer).ticket, "right");
    ASSERT_EQ(s.status, 201) << s.body;
    spam.insert(body_json(s).at("vote_id").get<int64_t>());
    last = std::max({last, body_json(r).at("vote_id").get<int64_t>(), *spam.rbegin()});
  }
  EXPECT_EQ(wait_for_board(honest, "track=t2v", last).at("votes"), 30);
  EXPECT_EQ(wait_for_board(spammer, "track=t2v", last).at("votes"), 30);

  // Void the spammer's votes through server A, reveal HappyHorse-1.0 through server B.
  std::string session;
  for (const auto& v : stored_votes(arena_.url())) {
    if (spam.count(v.id)) session = v.session;
  }
  auto voided = honest.post_json("/api/admin/votes/void",
                                 json{{"session", session}, {"reason", "spam"}}.dump(), admin);
  ASSERT_EQ(voided.status, 200) << voided.body;
  EXPECT_EQ(body_json(voided).at("voided"), 15);
  auto revealed =
      spammer.post_json("/api/admin/models", R"({"id":"zebra-q9","status":"public"})", admin);
  ASSERT_EQ(revealed.status, 200) << revealed.body;

  auto caught_up = [](const json& board) {
    return board.at("votes") == 15 && names_model(board, "Zebra Quantum 9");
  };
  auto board_a = board_when(honest, caught_up);
  auto board_b = board_when(spammer, caught_up);
  EXPECT_TRUE(caught_up(board_a)) << board_a.dump();
  EXPECT_TRUE(caught_up(board_b)) << board_b.dump();
  EXPECT_FALSE(names_model(board_a, "HappyHorse-1.0"));
  EXPECT_EQ(board_without_time(board_a), board_without_time(board_b));
}

TEST(TwoServersKeys, ATicketKeyGivenInTheConfigurationMustBeTheSameOnEveryServer) {
  PostgresArena arena;
  const std::string key(64, 'a');
  PaddockServer::Options shared = arena.server_options();
  shared.env = {{"PADDOCK_TICKET_KEY", key}};
  PaddockServer a(shared);
  PaddockServer b(shared);
  auto on_a = a.client();
  auto battle = new_battle(on_a);
  auto on_b = b.client();
  on_b.set_session_cookie(on_a.session_cookie());
  auto r = cast_vote(on_b, battle.ticket, "left");
  EXPECT_EQ(r.status, 201) << r.body;

  // A server with another key (or none: then it uses the key kept in the database) knows
  // neither the session nor the ticket.
  PaddockServer::Options other = arena.server_options();
  other.env = {{"PADDOCK_TICKET_KEY", std::string(64, 'b')}};
  for (const auto& options : {other, arena.server_options()}) {
    PaddockServer c(options);
    auto on_c = c.client();
    on_c.set_session_cookie(on_a.session_cookie());
    auto refused = cast_vote(on_c, new_battle(on_a).ticket, "left");
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(body_json(refused).at("error").at("code"), "bad_ticket");
  }
  EXPECT_EQ(stored_votes(arena.url()).size(), 1u);
}

}  // namespace
}  // namespace paddock::testing
