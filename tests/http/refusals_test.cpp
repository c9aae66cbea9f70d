// Every refusal of docs/http-api.md, each with its status and stable error code.

#include <gtest/gtest.h>

#include <thread>

#include "api.hpp"
#include "expect_error.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Refusals : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<PaddockServer>(arena_.server_options()); }
  HttpResponse post(HttpClient& c, const std::string& path, const std::string& body,
                    Headers headers = {}) {
    return c.post_json(path, body, std::move(headers));
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(Refusals, AForgedTicketIsABadTicket) {
  auto c = server_->client();
  new_battle(c);  // a session
  expect_error(
      cast_vote(c,
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "left"),
      403, "bad_ticket");
  expect_error(cast_vote(c, "not a ticket", "left"), 403, "bad_ticket");
}

TEST_F(Refusals, AnAlteredTicketIsABadTicket) {
  auto c = server_->client();
  auto b = new_battle(c);
  for (std::size_t i : {std::size_t{0}, b.ticket.size() / 2, b.ticket.size() - 1}) {
    std::string altered = b.ticket;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    expect_error(cast_vote(c, altered, "left"), 403, "bad_ticket");
  }
  EXPECT_EQ(cast_vote(c, b.ticket, "left").status, 201);  // the real one still works
}

TEST_F(Refusals, AnotherArenasTicketIsABadTicket) {
  TestArena other;
  PaddockServer other_server(other.server_options());
  auto theirs = other_server.client();
  auto b = new_battle(theirs);
  auto mine = server_->client();
  mine.set_session_cookie(theirs.session_cookie());
  expect_error(cast_vote(mine, b.ticket, "left"), 403, "bad_ticket");
}

TEST_F(Refusals, ATicketOfAnotherSessionIsForeign) {
  auto alice = server_->client();
  auto bob = server_->client();
  auto b = new_battle(alice);
  new_battle(bob);
  ASSERT_NE(alice.session_cookie(), bob.session_cookie());
  expect_error(cast_vote(bob, b.ticket, "left"), 403, "foreign_ticket");
  // Without any session cookie the ticket is foreign too.
  HttpClient nobody("127.0.0.1", server_->port());
  expect_error(cast_vote(nobody, b.ticket, "left"), 403, "foreign_ticket");
  EXPECT_EQ(cast_vote(alice, b.ticket, "left").status, 201);
}

TEST_F(Refusals, AnExpiredTicketIsGone) {
  TestArena quick;
  PaddockServer s(quick.server_options({"--ticket-ttl", "1"}));
  auto c = s.client();
  auto b = new_battle(c);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  expect_error(cast_vote(c, b.ticket, "left"), 410, "expired_ticket");
}

TEST_F(Refusals, ASecondVoteOnABattleIsRefusedAndTheFirstKept) {
  auto c = server_->client();
  auto b = new_battle(c);
  auto first = cast_vote(c, b.ticket, "left");
  ASSERT_EQ(first.status, 201);
  expect_error(cast_vote(c, b.ticket, "right"), 409, "already_voted");
  auto votes =
      c.get("/api/admin/votes?limit=10", {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(votes.status, 200);
  auto list = body_json(votes).at("votes");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("choice"), "left");
  EXPECT_EQ(list[0].at("vote_id"), body_json(first).at("vote_id"));
}

TEST_F(Refusals, VotesBeyondTheSessionRateAreRefusedWithRetryAfter) {
  TestArena limited;
  auto options = limited.server_options();
  options.args.insert(options.args.end(), {"--session-votes-per-minute", "3"});
  PaddockServer s(options);
  auto c = s.client();
  std::vector<IssuedBattle> battles;
  for (int i = 0; i < 4; ++i) battles.push_back(new_battle(c));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cast_vote(c, battles[i].ticket, "left").status, 201);
  auto r = cast_vote(c, battles[3].ticket, "left");
  expect_error(r, 429, "rate_limited");
  ASSERT_TRUE(r.header("Retry-After"));
  int retry = std::stoi(*r.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 20);
  // Another session is not held back by this one.
  auto other = s.client();
  other.set_session_cookie("");
  auto ob = new_battle(other);
  EXPECT_EQ(cast_vote(other, ob.ticket, "left").status, 201);
}

TEST_F(Refusals, BattlesBeyondTheAddressRateAreRefused) {
  TestArena limited;
  auto options = limited.server_options();
  options.args.insert(options.args.end(), {"--address-battles-per-minute", "5"});
  PaddockServer s(options);
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    HttpClient fresh("127.0.0.1", s.port());  // a new session each time: same address
    auto r = fresh.post_json("/api/battles", R"({"track":"t2v"})");
    if (r.status == 429) {
      ++refused;
      EXPECT_TRUE(r.header("Retry-After"));
    }
  }
  EXPECT_EQ(refused, 3);
}

TEST_F(Refusals, VotesBeyondTheAddressRateAreRefusedWhateverTheSession) {
  TestArena limited;
  auto options = limited.server_options();
  options.args.insert(options.args.end(), {"--address-votes-per-minute", "4"});
  PaddockServer s(options);
  int stored = 0;
  for (int i = 0; i < 6; ++i) {
    HttpClient voter("127.0.0.1", s.port());  // a new session each time: same address
    auto b = new_battle(voter);
    auto r = cast_vote(voter, b.ticket, "left");
    if (r.status == 201) {
      ++stored;
      continue;
    }
    expect_error(r, 429, "rate_limited");
    ASSERT_TRUE(r.header("Retry-After"));
    int retry = std::stoi(*r.header("Retry-After"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 15);  // one token comes back every 15 s
  }
  EXPECT_EQ(stored, 4);
}

TEST_F(Refusals, AChoiceOutsideTheFourIsInvalid) {
  auto c = server_->client();
  auto b = new_battle(c);
  expect_error(cast_vote(c, b.ticket, "maybe"), 400, "invalid_choice");
  expect_error(post(c, "/api/votes", json{{"ticket", b.ticket}}.dump()), 400, "invalid_choice");
  expect_error(post(c, "/api/votes", json{{"ticket", b.ticket}, {"choice", 1}}.dump()), 400,
               "invalid_choice");
  expect_error(post(c, "/api/votes",
                    json{{"ticket", b.ticket}, {"choice", "left"}, {"left_watch_ms", -5}}.dump()),
               400, "bad_request");
  // Times are whole milliseconds: a fraction is refused, not rounded.
  for (double fraction : {1.5, 0.4}) {
    auto r = post(c, "/api/votes",
                  json{{"ticket", b.ticket}, {"choice", "left"}, {"decision_ms", fraction}}.dump());
    expect_error(r, 400, "bad_request");
    EXPECT_NE(r.body.find("must be a whole number"), std::string::npos) << r.body;
  }
  EXPECT_EQ(cast_vote(c, b.ticket, "both_bad").status, 201);
}

TEST_F(Refusals, MalformedJsonIsInvalid) {
  auto c = server_->client();
  expect_error(post(c, "/api/votes", "{not json"), 400, "invalid_json");
  expect_error(post(c, "/api/votes", "[1,2,3]"), 400, "invalid_json");
  expect_error(post(c, "/api/battles", ""), 400, "invalid_json");
  expect_error(post(c, "/api/battles", std::string(1000, '[') + std::string(1000, ']')), 400,
               "invalid_json");
  expect_error(post(c, "/api/battles", R"({"track": 5})"), 400, "bad_request");
  expect_error(post(c, "/api/battles", R"({})"), 400, "bad_request");
}

TEST_F(Refusals, StateChangesNeedAJsonContentType) {
  auto c = server_->client();
  expect_error(
      c.request("POST", "/api/battles", {{"Content-Type", "text/plain"}}, R"({"track":"t2v"})"),
      415, "unsupported_media_type");
  expect_error(c.request("POST", "/api/battles",
                         {{"Content-Type", "application/x-www-form-urlencoded"}}, "track=t2v"),
               415, "unsupported_media_type");
  expect_error(c.request("POST", "/api/votes", {}, R"({"ticket":"x"})"), 415,
               "unsupported_media_type");
  EXPECT_EQ(c.request("POST", "/api/battles", {{"Content-Type", "application/json; charset=utf-8"}},
                      R"({"track":"t2v"})")
                .status,
            201);
}

TEST_F(Refusals, CrossSiteRequestsAreRefused) {
  auto c = server_->client();
  auto b = new_battle(c);
  expect_error(post(c, "/api/votes", json{{"ticket", b.ticket}, {"choice", "left"}}.dump(),
                    {{"Sec-Fetch-Site", "cross-site"}}),
               403, "cross_site");
  expect_error(post(c, "/api/battles", R"({"track":"t2v"})", {{"Origin", "http://evil.example"}}),
               403, "cross_site");
  expect_error(post(c, "/api/battles", R"({"track":"t2v"})", {{"Origin", "null"}}), 403,
               "cross_site");
  std::string own = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(post(c, "/api/battles", R"({"track":"t2v"})",
                 {{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}})
                .status,
            201);
  EXPECT_EQ(cast_vote(c, b.ticket, "left").status, 201);  // the refused vote was not counted
}

TEST_F(Refusals, AnOversizedBodyIsTooLarge) {
  auto c = server_->client();
  std::string big = R"({"track":")" + std::string(70 * 1024, 'x') + R"("})";
  expect_error(post(c, "/api/battles", big), 413, "body_too_large");
}

TEST_F(Refusals, UnknownTracksAreNotFound) {
  auto c = server_->client();
  expect_error(post(c, "/api/battles", R"({"track":"nope"})"), 404, "unknown_track");
  expect_error(c.get("/api/leaderboard?track=nope"), 404, "unknown_track");
  expect_error(c.get("/api/leaderboard/history?track=nope"), 404, "unknown_track");
  expect_error(c.get("/api/votes/export?track=nope"), 404, "unknown_track");
}

TEST_F(Refusals, ATrackWithoutTwoModelsHasNoBattle) {
  auto c = server_->client();
  expect_error(post(c, "/api/battles", R"({"track":"solo"})"), 409, "no_battle");
}

TEST_F(Refusals, BadLeaderboardFiltersAreRefused) {
  auto c = server_->client();
  expect_error(c.get("/api/leaderboard?track=t2v&weights=heavy"), 400, "bad_weights");
  expect_error(c.get("/api/leaderboard?track=t2v&weights=animals%3D-1"), 400, "bad_weights");
  expect_error(c.get("/api/leaderboard?track=t2v&weights=cooking%3D1"), 400, "bad_weights");
  expect_error(c.get("/api/leaderboard?track=t2v&category=cooking"), 400, "bad_request");
  expect_error(c.get("/api/leaderboard"), 400, "bad_request");
  expect_error(c.get("/api/leaderboard?track=t2v&category=%zz"), 400, "bad_request");
}

TEST_F(Refusals, WrongMethodsAndUnknownEndpoints) {
  auto c = server_->client();
  auto r = c.get("/api/votes");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.header("Allow"), "POST");
  expect_error(c.request("DELETE", "/api/tracks"), 405, "method_not_allowed");
  expect_error(c.get("/api/nothing-here"), 404, "not_found");
  expect_error(c.get("/media/x/abc"), 404, "not_found");
}

TEST_F(Refusals, AdminEndpointsWantTheToken) {
  auto c = server_->client();
  expect_error(c.get("/api/admin/stats"), 401, "unauthorized");
  expect_error(c.get("/api/admin/stats", {{"Authorization", "Bearer wrong"}}), 401, "unauthorized");
  expect_error(c.get("/api/admin/stats", {{"Authorization", kAdminToken}}), 401, "unauthorized");
  TestArena plain;
  auto options = plain.server_options();
  options.args.erase(options.args.begin(), options.args.begin() + 2);  // no --admin-token
  PaddockServer no_admin(options);
  auto n = no_admin.client();
  expect_error(n.get("/api/admin/stats", {{"Authorization", std::string("Bearer ") + kAdminToken}}),
               404, "admin_disabled");
}

}  // namespace
}  // namespace paddock::testing
