// The arena over a real SQLite store: battles, votes through the group-committing writer,
// the battle recorder, and the leaderboard cache. (tests/http covers the same over HTTP.)

#include "arena/arena.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "arena/battle_recorder.hpp"
#include "arena/ticket.hpp"
#include "arena/vote_writer.hpp"
#include "store/open_store.hpp"
#include "support/temp_dir.hpp"

namespace paddock::arena {
namespace {

using testing::TempDir;

std::unique_ptr<store::Store> open(const TempDir& dir) {
  auto s = store::open_store((dir / "paddock.db").string());
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

// A catalog of one track, two prompts and three models (one hidden), with clip rows whose
// files are not needed here (media serving is tested over HTTP).
void fill_catalog(store::Store& s) {
  store::Track t;
  t.id = "t2v";
  t.name = "Text to video";
  t.duration_s = 5;
  t.aspect = "16:9";
  t.width = 1280;
  t.height = 720;
  ASSERT_TRUE(s.upsert_track(t));
  ASSERT_TRUE(s.upsert_model({"a", "Alpha", "A Labs", store::ModelStatus::Public, ""}));
  ASSERT_TRUE(s.upsert_model({"b", "Beta", "B Labs", store::ModelStatus::Anonymous, "Bee-1"}));
  ASSERT_TRUE(s.upsert_model({"h", "Hidden", "H Labs", store::ModelStatus::Hidden, ""}));
  int n = 0;
  for (const char* p : {"p1", "p2"}) {
    ASSERT_TRUE(s.upsert_prompt({"t2v", p, "text", "en", {std::string("cat-") + p}, "", ""}));
    for (const char* m : {"a", "b", "h"}) {
      store::Clip c;
      c.track_id = "t2v";
      c.prompt_id = p;
      c.model_id = m;
      c.hash = std::string(63, 'a') + std::to_string(++n % 10);
      c.mime = "video/mp4";
      c.duration_s = 5;
      c.width = 1280;
      c.height = 720;
      c.fps = 24;
      c.video_codec = "h264";
      c.bytes = 1000;
      ASSERT_TRUE(s.upsert_clip(c)) << m << p;
    }
  }
}

ArenaOptions options(const TempDir& dir) {
  ArenaOptions o;
  o.min_watch_fraction = 0;  // votes come at once here; TooEarly tests the minimum
  o.media_dir = dir / "media";
  o.leaderboards.bootstrap_rounds = 20;
  o.leaderboards.interval = std::chrono::milliseconds(0);
  o.leaderboards.min_votes = 5;
  o.leaderboards.render_board = [](const BoardSnapshot& s) {
    std::string names;
    for (const auto& m : s.board.models) names += m.model + ";";
    return std::to_string(s.board.votes) + "|" + names;
  };
  return o;
}

Result<VoteReceipt> vote(Arena& arena, const std::string& ticket, const std::string& choice,
                         const std::string& session) {
  std::promise<Result<VoteReceipt>> p;
  arena.cast_vote({ticket, choice, 1, 2, 3, session, "10.0.0.1"},
                  [&p](Result<VoteReceipt> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

const std::string kSession = random_id();

TEST(Arena, IssuesBlindBattlesAndTakesVotesOnThem) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto arena = Arena::open(*store, options(dir));
  ASSERT_TRUE(arena) << arena.error().message;
  auto b = (*arena)->issue_battle("t2v", kSession, "10.0.0.1");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->track_id, "t2v");
  EXPECT_NE(b->left_token, b->right_token);
  auto r = vote(**arena, b->ticket, "left", kSession);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GT(r->vote_id, 0);
  std::set<std::string> names{r->left.name, r->right.name};
  EXPECT_EQ(names, (std::set<std::string>{"Alpha", "Bee-1"}));  // never the hidden model
  auto again = vote(**arena, b->ticket, "right", kSession);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "already_voted");
  (*arena)->stop();
  auto votes = store->list_votes({});
  ASSERT_TRUE(votes);
  ASSERT_EQ(votes->size(), 1u);
  EXPECT_EQ((*votes)[0].choice, store::Choice::Left);
  EXPECT_EQ((*votes)[0].session, kSession);
  EXPECT_EQ((*votes)[0].left_watch_ms, 1);
  auto battles = store->list_battles("t2v", 0);
  ASSERT_TRUE(battles);
  EXPECT_EQ(battles->size(), 1u);  // written on the way down
}

TEST(Arena, AMalformedStoredClipHashIsLeftOutInsteadOfEndingTheServer) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  // A third matchable model whose clips were stored with hashes no ticket can carry.
  ASSERT_TRUE(store->upsert_model({"c", "Gamma", "C Labs", store::ModelStatus::Public, ""}));
  for (const char* p : {"p1", "p2"}) {
    store::Clip c;
    c.track_id = "t2v";
    c.prompt_id = p;
    c.model_id = "c";
    c.hash = std::string("NOT-HEX-") + p;
    c.mime = "video/mp4";
    c.duration_s = 5;
    ASSERT_TRUE(store->upsert_clip(c));
  }
  auto arena = Arena::open(*store, options(dir));
  ASSERT_TRUE(arena) << arena.error().message;
  for (int i = 0; i < 200; ++i) {
    auto b = (*arena)->issue_battle("t2v", kSession, "x");
    ASSERT_TRUE(b) << b.error().message;
    auto r = vote(**arena, b->ticket, "tie", kSession);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_NE(r->left.name, "Gamma");
    EXPECT_NE(r->right.name, "Gamma");
  }
}

TEST(Arena, OneFilterSpelledManyWaysIsOneBoard) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto arena = Arena::open(*store, options(dir));
  ASSERT_TRUE(arena);
  auto key = [&](std::vector<std::string> categories, std::string_view weights) {
    auto r = make_board_request(*(*arena)->catalog(), "t2v", std::move(categories), weights);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->key() : std::string();
  };
  EXPECT_EQ(key({"cat-p2", "CAT-P1", "cat-p2"}, ""), key({"cat-p1", "cat-p2"}, "as_voted"));
  auto even = key({}, "cat-p1=1,cat-p2=1");
  EXPECT_EQ(key({}, "CAT-P2=2, cat-p1=2"), even);
  EXPECT_EQ(key({}, "cat-p2=0.5,cat-p1=0.5000001"), even);
  EXPECT_NE(key({}, "cat-p1=1,cat-p2=2"), even);
  auto r = make_board_request(*(*arena)->catalog(), "t2v", {}, "cat-p1=1,cat-p2=3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->weights, "cat-p1=0.25,cat-p2=0.75");
}

TEST(Arena, OnDemandBoardsCannotMultiplyTheWorkOfEachRound) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto o = options(dir);
  o.leaderboards.max_fresh_on_demand = 1;
  auto arena = Arena::open(*store, o);
  ASSERT_TRUE(arena);
  auto& boards = (*arena)->leaderboards();
  auto ready = [&](const BoardRequest& r) {
    for (int i = 0; i < 500; ++i) {
      auto l = boards.board(r);
      if (l.state == LeaderboardCache::State::Ready) return l.board->text;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::string();
  };
  auto b = (*arena)->issue_battle("t2v", kSession, "x");
  ASSERT_TRUE(vote(**arena, b->ticket, "left", kSession));
  // Ten boards nobody else asks for (ten weightings), each computed once.
  std::vector<BoardRequest> invented;
  for (int k = 1; k <= 10; ++k) {
    auto r =
        make_board_request(*(*arena)->catalog(), "t2v", {}, "cat-p1=1,cat-p2=" + std::to_string(k));
    ASSERT_TRUE(r);
    invented.push_back(*r);
    // Computed (a weighting of a category without votes yet is a bad_weights answer: also
    // a computation the rounds would repeat).
    bool computed = false;
    for (int i = 0; i < 500 && !computed; ++i) {
      computed = boards.board(*r).state != LeaderboardCache::State::Computing;
      if (!computed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(computed);
  }
  auto standard = make_board_request(*(*arena)->catalog(), "t2v", {}, "");
  ASSERT_TRUE(standard);
  // Until the board counts the first vote (a round may still be serving the board of none).
  std::string first;
  for (int i = 0; i < 500 && !first.starts_with("1|"); ++i) {
    first = ready(*standard);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(first.starts_with("1|")) << first;
  // Settle: a round adds its boards to refits() once it has computed them all, so the
  // count holding still for 200 ms means no round is left over from the first vote.
  uint64_t before = boards.refits();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (boards.refits() == before) break;
    before = boards.refits();
  }
  auto next = (*arena)->issue_battle("t2v", kSession, "x");
  ASSERT_TRUE(vote(**arena, next->ticket, "right", kSession));
  std::string text;
  for (int i = 0; i < 500 && !text.starts_with("2|"); ++i) {
    text = ready(*standard);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(text.starts_with("2|")) << text;
  // Until the round has counted its boards (all at once, when it ends), however long it takes.
  for (int i = 0; i < 1000 && boards.refits() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The round recomputed the 4 standard boards of t2v (all, as voted, balanced, one per
  // category) and 1 on-demand board, not all 10.
  EXPECT_EQ(boards.refits() - before, 5u);
}

TEST(Arena, BattlesNobodyVotedOnAreDeletedOnceTheirClipUrlsEnd) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto o = options(dir);
  o.ticket_ttl = std::chrono::seconds(1);
  o.clip_url_grace = std::chrono::seconds(0);
  o.battle_sweep_interval = std::chrono::milliseconds(50);
  o.battle_flush_interval = std::chrono::milliseconds(10);
  auto arena = Arena::open(*store, o);
  ASSERT_TRUE(arena);
  auto voted = (*arena)->issue_battle("t2v", kSession, "x");
  ASSERT_TRUE(vote(**arena, voted->ticket, "left", kSession));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*arena)->issue_battle("t2v", kSession, "x"));
  // Recorded, and kept while their tickets and clip URLs work.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(store->list_battles("t2v", 0)->size(), 6u);
  // Past the end of their clip URLs only the voted one stays.
  std::size_t left = 6;
  for (int i = 0; i < 300 && left != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    left = store->list_battles("t2v", 0)->size();
  }
  EXPECT_EQ(left, 1u);
  EXPECT_EQ((*store->list_battles("t2v", 0))[0].id, (*store->list_votes({}))[0].battle_id);
}

TEST(Arena, RefusesBadBallots) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto o = options(dir);
  o.ticket_ttl = std::chrono::seconds(0);
  auto arena = Arena::open(*store, o);
  ASSERT_TRUE(arena);
  auto b = (*arena)->issue_battle("t2v", kSession, "x");
  ASSERT_TRUE(b);
  EXPECT_EQ(vote(**arena, b->ticket, "sideways", kSession).error().code, "invalid_choice");
  EXPECT_EQ(vote(**arena, "garbage", "left", kSession).error().code, "bad_ticket");
  EXPECT_EQ(vote(**arena, b->ticket, "left", random_id()).error().code, "foreign_ticket");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(vote(**arena, b->ticket, "left", kSession).error().code, "expired_ticket");
  EXPECT_EQ((*arena)->issue_battle("nope", kSession, "x").error().code, "unknown_track");
}

TEST(Arena, KeepsTheTicketKeyInTheStoreForEveryServer) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto first = Arena::open(*store, options(dir));
  auto second = Arena::open(*store, options(dir));
  ASSERT_TRUE(first && second);
  auto b = (*first)->issue_battle("t2v", kSession, "x");
  ASSERT_TRUE(b);
  EXPECT_TRUE(vote(**second, b->ticket, "tie", kSession));
  EXPECT_EQ((*first)->keys().ticket, (*second)->keys().ticket);
}

TEST(Arena, RefusesAMalformedConfiguredKey) {
  TempDir dir;
  auto store = open(dir);
  auto o = options(dir);
  o.ticket_key = "not hex";
  auto arena = Arena::open(*store, o);
  ASSERT_FALSE(arena);
  EXPECT_EQ(arena.error().code, "bad_key");
}

TEST(Arena, BoardsFollowVotesNamesAndVoids) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto arena = Arena::open(*store, options(dir));
  ASSERT_TRUE(arena);
  for (int i = 0; i < 12; ++i) {
    auto b = (*arena)->issue_battle("t2v", kSession, "x");
    ASSERT_TRUE(vote(**arena, b->ticket, i % 3 ? "left" : "right", kSession));
  }
  auto request = make_board_request(*(*arena)->catalog(), "t2v", {}, "");
  ASSERT_TRUE(request);
  // The board text once `ok` holds for it (or the last one seen, after 5 s).
  auto wait_for = [&](auto ok) {
    std::string text;
    for (int i = 0; i < 500; ++i) {
      auto l = (*arena)->leaderboards().board(*request);
      if (l.state == LeaderboardCache::State::Ready) {
        text = l.board->text;
        if (ok(text)) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return text;
  };
  auto has = [](std::string_view needle) {
    return [needle](const std::string& t) { return t.find(needle) != std::string::npos; };
  };
  auto board = wait_for([](const std::string& t) { return t.starts_with("12|"); });
  EXPECT_TRUE(board.starts_with("12|")) << board;
  EXPECT_NE(board.find("Bee-1"), std::string::npos);
  EXPECT_EQ(board.find("Hidden"), std::string::npos);

  // A reveal renames the model on the board.
  ASSERT_TRUE(store->upsert_model({"b", "Beta", "B Labs", store::ModelStatus::Public, "Bee-1"}));
  ASSERT_TRUE((*arena)->reload_catalog());
  board = wait_for(has("Beta"));
  EXPECT_TRUE(board.starts_with("12|")) << board;
  EXPECT_EQ(board.find("Bee-1"), std::string::npos) << board;

  // Voided votes leave it.
  store::VoteQuery q;
  q.session = kSession;
  q.up_to_id = 4;
  ASSERT_EQ(*store->void_votes(q, "test"), 4);
  (*arena)->votes_voided();
  board = wait_for([](const std::string& t) { return t.starts_with("8|"); });
  EXPECT_TRUE(board.starts_with("8|")) << board;
}

TEST(MakeBoardRequest, ChecksTracksCategoriesAndWeights) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  auto arena = Arena::open(*store, options(dir));
  ASSERT_TRUE(arena);
  const auto& catalog = *(*arena)->catalog();
  EXPECT_EQ(make_board_request(catalog, "x", {}, "").error().code, "unknown_track");
  EXPECT_EQ(make_board_request(catalog, "t2v", {"cooking"}, "").error().code, "bad_request");
  EXPECT_EQ(make_board_request(catalog, "t2v", {}, "heavy").error().code, "bad_weights");
  EXPECT_EQ(make_board_request(catalog, "t2v", {}, "cooking=1").error().code, "bad_weights");
  auto r = make_board_request(catalog, "t2v", {"cat-p2", "cat-p1", "cat-p2"}, "balanced");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->categories, (std::vector<std::string>{"cat-p1", "cat-p2"}));
  EXPECT_EQ(r->weights, "balanced");
}

store::Vote sample_vote(int i) {
  store::Vote v;
  v.battle_id = "battle-" + std::to_string(i);
  v.track_id = "t2v";
  v.prompt_id = "p1";
  v.left_model = "a";
  v.right_model = "b";
  v.choice = store::Choice::Left;
  v.session = "s";
  v.address = "x";
  v.created_at_ms = 1000 + i;
  return v;
}

TEST(VoteWriter, AnswersEveryVoteOnceAndGroupsThemIntoFewCommits) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  std::atomic<int64_t> last{0};
  VoteWriter writer(*store, 64, [&](int64_t id) { last = std::max<int64_t>(last, id); });
  constexpr int kVotes = 400;
  std::vector<std::promise<Result<store::VoteInsertResult>>> answers(kVotes + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kVotes; i += 4) {
        writer.submit(sample_vote(i), [&answers, i](auto r) { answers[i].set_value(r); });
      }
    });
  }
  for (auto& t : threads) t.join();
  writer.submit(sample_vote(7), [&answers](auto r) { answers[kVotes].set_value(r); });
  std::set<int64_t> ids;
  for (int i = 0; i < kVotes; ++i) {
    auto r = answers[i].get_future().get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, store::VoteInsert::Stored);
    ids.insert(r->id);
  }
  auto dup = answers[kVotes].get_future().get();
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->outcome, store::VoteInsert::Duplicate);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kVotes));
  writer.stop();
  auto stats = writer.stats();
  EXPECT_LT(stats.commits, static_cast<uint64_t>(kVotes));  // grouped
  EXPECT_LE(stats.largest_batch, 64u);
  EXPECT_EQ(stats.votes, static_cast<uint64_t>(kVotes + 1));
  EXPECT_EQ(last.load(), *ids.rbegin());
  // After stop, votes are refused at once.
  std::promise<Result<store::VoteInsertResult>> late;
  writer.submit(sample_vote(9999), [&late](auto r) { late.set_value(r); });
  EXPECT_EQ(late.get_future().get().error().code, "unavailable");
}

store::Battle battle(int i) {
  store::Battle b;
  b.id = random_id();
  b.track_id = "t2v";
  b.prompt_id = "p1";
  b.left_model = "a";
  b.right_model = "b";
  b.left_clip = std::string(64, 'a');
  b.right_clip = std::string(64, 'b');
  b.session = "s";
  b.address = "x";
  b.issued_at_ms = i;
  b.expires_at_ms = i + 1;
  return b;
}

TEST(BattleRecorder, DropsABattleTheStoreRefusesAndRecordsTheRest) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  BattleRecorder recorder(*store, std::chrono::hours(1));
  EXPECT_TRUE(recorder.record(battle(1)));
  auto poison = battle(2);
  poison.address = "\xff\xfe";  // not UTF-8: every store refuses it, now and forever
  EXPECT_TRUE(recorder.record(poison));
  EXPECT_TRUE(recorder.record(battle(3)));
  recorder.flush();
  EXPECT_EQ(store->list_battles("t2v", 0)->size(), 2u);
  EXPECT_EQ(recorder.pending(), 0u);  // not back at the front of the queue
  EXPECT_EQ(recorder.dropped(), 1u);
  // Later battles are not stuck behind it.
  EXPECT_TRUE(recorder.record(battle(4)));
  recorder.flush();
  EXPECT_EQ(store->list_battles("t2v", 0)->size(), 3u);
}

TEST(BattleRecorder, WritesEverythingAndRefusesWhenFull) {
  TempDir dir;
  auto store = open(dir);
  fill_catalog(*store);
  BattleRecorder recorder(*store, std::chrono::hours(1), 3);
  EXPECT_TRUE(recorder.record(battle(1)));
  EXPECT_TRUE(recorder.record(battle(2)));
  EXPECT_TRUE(recorder.record(battle(3)));
  EXPECT_FALSE(recorder.record(battle(4)));
  EXPECT_EQ(recorder.refused(), 1u);
  recorder.flush();
  EXPECT_EQ(store->list_battles("t2v", 0)->size(), 3u);
  EXPECT_TRUE(recorder.record(battle(5)));
  recorder.stop();
  EXPECT_EQ(store->list_battles("t2v", 0)->size(), 4u);
}

}  // namespace
}  // namespace paddock::arena
