// GET /api/admin/voters: a real server over a real SQLite file whose votes hold 30 honest
// sessions (each on its own network) and a rigging group of three sessions on one /24 that
// backs the weakest model against the strongest. The review flags the group's sessions and
// prefix with the evidence and no honest voter; voiding them through /api/admin/votes/void
// keeps them in the full export with the reason, and the next review no longer sees them.

#include <gtest/gtest.h>

#include <set>

#include "api.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

constexpr const char* kReviewStrong = "seedance-2";
constexpr const char* kReviewMiddle = "kling-21";
constexpr const char* kReviewWeak = "zebra-q9";
constexpr int kHonestSessions = 30;
constexpr int kRiggers = 3;
constexpr int kRiggedVotes = 15;  // per rigging session

std::string rigger(int k) {
  return "rigger-" + std::to_string(k);
}

// Honest sessions vote 20 times each: strong beats middle 3 times in 4 and weak 9 in 10,
// middle beats weak 3 times in 4. The riggers vote for weak against strong, every time.
int64_t seed_review_votes(const TestArena& arena) {
  std::vector<TestArena::SeededVote> votes;
  auto add = [&](const char* left, const char* right, bool left_wins, std::string session,
                 std::string address) {
    votes.push_back({left, right, left_wins, std::move(session), std::move(address)});
  };
  for (int s = 0; s < kHonestSessions; ++s) {
    const std::string session = "honest-" + std::to_string(s);
    const std::string address = "10.0." + std::to_string(s) + ".7";
    for (int k = 0; k < 20; ++k) {
      const int n = s * 20 + k;
      switch (k % 3) {
        case 0:
          add(kReviewStrong, kReviewMiddle, n % 4 != 3, session, address);
          break;
        case 1:
          add(kReviewStrong, kReviewWeak, n % 10 != 9, session, address);
          break;
        default:
          add(kReviewMiddle, kReviewWeak, n % 4 != 1, session, address);
      }
    }
  }
  for (int r = 0; r < kRiggers; ++r) {
    for (int k = 0; k < kRiggedVotes; ++k) {
      add(kReviewWeak, kReviewStrong, true, rigger(r), "203.0.113." + std::to_string(10 + r));
    }
  }
  return arena.seed_votes(votes);
}

Headers admin_auth() {
  return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

TEST(AdminVoterReview, FlagsTheRiggingSessionsAndPrefixWithTheEvidenceAndVoidsThem) {
  TestArena arena;
  const int64_t last = seed_review_votes(arena);
  PaddockServer server(arena.server_options());
  auto c = server.client();

  const auto answer = c.get("/api/admin/voters?track=t2v", admin_auth());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json review = body_json(answer);
  EXPECT_EQ(review.at("track"), "t2v");
  EXPECT_EQ(review.at("votes"), kHonestSessions * 20 + kRiggers * kRiggedVotes);
  EXPECT_EQ(review.at("sessions"), kHonestSessions + kRiggers);
  EXPECT_EQ(review.at("prefixes"), kHonestSessions + 1);
  EXPECT_EQ(review.at("flagged_votes"), kRiggers * kRiggedVotes);
  std::set<std::string> flagged;
  for (const auto& f : review.at("flagged")) {
    flagged.insert(f.at("kind").get<std::string>() + " " + f.at("key").get<std::string>());
    EXPECT_GE(f.at("z").get<double>(), review.at("threshold").get<double>());
    EXPECT_EQ(f.at("favoured").at("model"), kReviewWeak) << f.dump();
    EXPECT_EQ(f.at("opposed").at("model"), kReviewStrong) << f.dump();
    EXPECT_LT(f.at("log_likelihood").get<double>(), f.at("expected").get<double>());
  }
  EXPECT_EQ(flagged, (std::set<std::string>{"session rigger-0", "session rigger-1",
                                            "session rigger-2", "address_prefix 203.0.113.0/24"}));
  // The most improbable comes first: the prefix, with all three sessions' votes.
  const auto& top = review.at("flagged").at(0);
  EXPECT_EQ(top.at("kind"), "address_prefix");
  EXPECT_EQ(top.at("votes"), kRiggers * kRiggedVotes);
  EXPECT_EQ(top.at("upsets"), kRiggers * kRiggedVotes);
  EXPECT_EQ(top.at("sessions"), (json{"rigger-0", "rigger-1", "rigger-2"}));
  EXPECT_EQ(top.at("addresses").size(), 3u);
  EXPECT_EQ(top.at("last_vote_id"), last);

  // The operator voids them with the existing void, by session, giving the reason.
  for (int r = 0; r < kRiggers; ++r) {
    auto voided =
        c.post_json("/api/admin/votes/void",
                    json{{"session", rigger(r)}, {"reason", "flagged by the voter review"}}.dump(),
                    admin_auth());
    ASSERT_EQ(voided.status, 200) << voided.body;
    EXPECT_EQ(body_json(voided).at("voided"), kRiggedVotes);
  }
  const json again = body_json(c.get("/api/admin/voters?track=t2v", admin_auth()));
  EXPECT_EQ(again.at("votes"), kHonestSessions * 20);
  EXPECT_EQ(again.at("flagged").size(), 0u) << again.dump();
  // Never silently dropped: the full export keeps them, voided, with the reason.
  const auto full = c.get("/api/admin/export?track=t2v", admin_auth());
  ASSERT_EQ(full.status, 200);
  int kept = 0;
  for (std::size_t at = 0; at < full.body.size();) {
    const auto end = full.body.find('\n', at);
    const auto line = json::parse(full.body.substr(at, end - at));
    if (line.at("session").get<std::string>().starts_with("rigger-")) {
      ++kept;
      EXPECT_EQ(line.at("voided"), 1) << line.dump();
      EXPECT_EQ(line.at("void_reason"), "flagged by the voter review");
    }
    at = end == std::string::npos ? full.body.size() : end + 1;
  }
  EXPECT_EQ(kept, kRiggers * kRiggedVotes);
}

TEST(AdminVoterReview, OptionsChangeWhoIsFlaggedAndBadRequestsAreRefused) {
  TestArena arena;
  seed_review_votes(arena);
  PaddockServer server(arena.server_options());
  auto c = server.client();
  // 15 votes a session are below min_votes=16: only the prefix (45 votes) is left.
  const json review = body_json(c.get("/api/admin/voters?track=t2v&min_votes=16", admin_auth()));
  EXPECT_EQ(review.at("min_votes"), 16);
  ASSERT_EQ(review.at("flagged").size(), 1u) << review.dump();
  EXPECT_EQ(review.at("flagged").at(0).at("kind"), "address_prefix");
  // A threshold no one reaches flags no one.
  EXPECT_EQ(body_json(c.get("/api/admin/voters?track=t2v&threshold=1000&bias_threshold=1000",
                            admin_auth()))
                .at("flagged")
                .size(),
            0u);
  EXPECT_EQ(c.get("/api/admin/voters?track=t2v").status, 401);
  EXPECT_EQ(c.get("/api/admin/voters", admin_auth()).status, 400);
  EXPECT_EQ(c.get("/api/admin/voters?track=nope", admin_auth()).status, 404);
  for (const char* bad :
       {"threshold=0", "threshold=x", "bias_threshold=-1", "min_votes=0", "min_votes=ten"}) {
    const auto r = c.get(std::string("/api/admin/voters?track=t2v&") + bad, admin_auth());
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
}

}  // namespace
}  // namespace paddock::testing
