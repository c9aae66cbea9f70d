// Attention checks over real HTTP: an operator adds a control with `paddock admin controls
// add` (a deliberately broken clip, stored through the import's path, against a model's own
// clip of the prompt), the server makes a share of battles controls (--control-share), and:
// a control battle has the shape of any other (ticket and clip URL lengths, fields, media
// headers); its votes count on no board and no public export, and appear marked in the full
// export; a voter who always picks the left side misses about half of them and is flagged by
// GET /api/admin/voters with the evidence, one who watches is not.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api.hpp"
#include "media/media.hpp"
#include "paddock_server.hpp"
#include "support/media_files.hpp"
#include "support/process.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

constexpr const char* kControl = "frozen-horse";
constexpr const char* kIntact = "seedance-2";

Headers admin_auth() {
  return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

// Adds the control through the CLI; returns the stored broken clip's bytes.
std::string add_control(const TestArena& arena) {
  ClipSpec spec;
  spec.duration_s = 1;
  spec.fps = 12;
  spec.caption = "BROKEN";  // a different picture: what a voter who watches sees
  const auto broken = arena.dir() / "broken.mp4";
  make_clip(broken, spec);
  const auto added = run_process({paddock_binary().string(),
                                  "admin",
                                  "--db",
                                  arena.db().string(),
                                  "--json",
                                  "controls",
                                  "add",
                                  kControl,
                                  "--track",
                                  "t2v",
                                  "--prompt",
                                  "p1",
                                  "--model",
                                  kIntact,
                                  "--broken",
                                  broken.string(),
                                  "--media",
                                  arena.media().string(),
                                  "--note",
                                  "a caption instead of the horse"});
  EXPECT_EQ(added.exit_code, 0) << added.err;
  const json j = json::parse(added.out);
  EXPECT_EQ(j.at("result"), "inserted");
  const auto hash = j.at("control").at("broken_hash").get<std::string>();
  const auto path = media::stored_path(arena.media(), hash);
  if (!path) throw std::runtime_error("the broken clip is not in the media folder");
  return read_file(*path);
}

// The keys of a JSON object, recursively ("left.url", ...): the answer's shape.
std::set<std::string> shape(const json& j, const std::string& prefix = "") {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) {
    out.insert(prefix + k);
    if (v.is_object()) out.merge(shape(v, prefix + k + "."));
  }
  return out;
}

bool is_check(const json& receipt) {
  return receipt.at("left").at("model").get<std::string>().starts_with("attention check") ||
         receipt.at("right").at("model").get<std::string>().starts_with("attention check");
}

std::vector<json> export_lines(const std::string& body) {
  std::vector<json> lines;
  for (std::size_t at = 0; at < body.size();) {
    const auto end = body.find('\n', at);
    lines.push_back(json::parse(body.substr(at, end - at)));
    at = end == std::string::npos ? body.size() : end + 1;
  }
  return lines;
}

TEST(AttentionChecks, AControlBattleHasTheShapeOfAnyOtherAndItsVotesCountOnNoBoard) {
  TestArena arena;
  const std::string broken = add_control(arena);
  PaddockServer server(arena.server_options({"--control-share", "0.5"}));
  auto c = server.client();

  std::set<std::size_t> ticket_lengths, url_lengths;
  std::set<std::set<std::string>> battle_shapes, receipt_shapes;
  std::set<std::string> clip_headers;
  int checks = 0, ordinary = 0;
  int64_t last_ordinary = 0;
  for (int k = 0; k < 30; ++k) {
    const auto b = new_battle(c);
    ticket_lengths.insert(b.ticket.size());
    url_lengths.insert(b.left_url.size());
    url_lengths.insert(b.right_url.size());
    battle_shapes.insert(shape(b.body));
    for (const auto& url : {b.left_url, b.right_url}) {
      const auto clip = c.get(url);
      ASSERT_EQ(clip.status, 200);
      std::string names;
      for (const auto& [name, value] : clip.headers) names += name + ";";
      clip_headers.insert(names + clip.header("Content-Type").value_or(""));
    }
    const auto vote = cast_vote(c, b.ticket, "left");
    ASSERT_EQ(vote.status, 201) << vote.body;
    const json receipt = body_json(vote);
    receipt_shapes.insert(shape(receipt));
    if (is_check(receipt)) {
      ++checks;
    } else {
      ++ordinary;
      last_ordinary = receipt.at("vote_id").get<int64_t>();
    }
  }
  // Half of 30 battles on average; none or all would happen once in half a billion runs.
  EXPECT_GT(checks, 0);
  EXPECT_GT(ordinary, 0);
  EXPECT_EQ(ticket_lengths.size(), 1u);
  EXPECT_EQ(url_lengths.size(), 1u);
  EXPECT_EQ(battle_shapes.size(), 1u);
  EXPECT_EQ(receipt_shapes.size(), 1u);
  EXPECT_EQ(clip_headers.size(), 1u) << ::testing::PrintToString(clip_headers);

  // The board counts the ordinary votes only.
  const json board = wait_for_board(c, "track=t2v", last_ordinary);
  EXPECT_EQ(board.at("votes"), ordinary);

  // The public export leaves them out; the full export keeps them, marked.
  const auto pub = c.get("/api/votes/export?track=t2v");
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(export_lines(pub.body).size(), static_cast<std::size_t>(ordinary));
  const auto full = c.get("/api/admin/export?track=t2v", admin_auth());
  ASSERT_EQ(full.status, 200);
  int marked = 0;
  for (const auto& line : export_lines(full.body)) {
    if (line.at("control") == "") continue;
    ++marked;
    EXPECT_EQ(line.at("control"), kControl);
    EXPECT_EQ(line.at("prompt_id"), "p1");
    const std::string expected = line.at("expected");
    ASSERT_TRUE(expected == "model_a" || expected == "model_b") << line.dump();
    EXPECT_EQ(line.at(expected == "model_a" ? "model_a_id" : "model_b_id"), kIntact);
    EXPECT_EQ(line.at(expected == "model_a" ? "model_b" : "model_a"), "(broken clip)");
  }
  EXPECT_EQ(marked, checks);
  EXPECT_FALSE(broken.empty());
  // The operator's listing names the broken side by its control.
  const auto listed = run_process({paddock_binary().string(), "admin", "--db", arena.db().string(),
                                   "votes", "list", "--track", "t2v"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  int named = 0;
  for (std::size_t at = listed.out.find("check:frozen-horse"); at != std::string::npos;
       at = listed.out.find("check:frozen-horse", at + 1)) {
    ++named;
  }
  EXPECT_EQ(named, checks) << listed.out;
}

TEST(AttentionChecks, AVoterWhoAlwaysPicksLeftIsFlaggedAndOneWhoWatchesIsNot) {
  TestArena arena;
  const std::string broken = add_control(arena);
  PaddockServer server(arena.server_options({"--control-share", "0.5"}));

  // The careless voter votes left until it has answered 60 checks: it misses about 30, and
  // 13 or more flag a voter who saw 60 (an honest one missing 1 in 10 gets there with p <
  // 1%); fewer than 13 of 60 fair coins come up about once in 600,000 runs. (The prefix
  // below, with the attentive voter's 10 checks too, needs 14 of 70: fewer than 14 of the 60
  // coins, once in 160,000 runs. With 40 checks the prefix missed its 11 of 50 once in 900.)
  auto careless = server.client();
  int seen = 0, missed = 0;
  while (seen < 60) {
    const auto b = new_battle(careless);
    const json receipt = body_json(cast_vote(careless, b.ticket, "left"));
    if (!is_check(receipt)) continue;
    ++seen;
    missed += receipt.at("left").at("model").get<std::string>().starts_with("attention check");
  }
  // The attentive voter watches both clips and picks the one that is not broken.
  auto attentive = server.client();
  int attentive_seen = 0;
  while (attentive_seen < 10) {
    const auto b = new_battle(attentive);
    const bool left_broken = attentive.get(b.left_url).body == broken;
    const bool right_broken = attentive.get(b.right_url).body == broken;
    const json receipt = body_json(cast_vote(attentive, b.ticket, left_broken ? "right" : "left"));
    attentive_seen += left_broken || right_broken;
    EXPECT_EQ(is_check(receipt), left_broken || right_broken);
  }

  // The checks' verdict alone: person-fit and bias (which need min_votes ordinary votes)
  // are set aside. Both voters' ordinary votes are coin flips on pairs the server drew at
  // random, so whether those statistics flag one of them is a matter of chance here (they
  // are tested on planted voters in voter_review_test.cpp).
  const auto answer =
      server.client().get("/api/admin/voters?track=t2v&min_votes=1000000", admin_auth());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json review = body_json(answer);
  EXPECT_EQ(review.at("control_votes"), seen + attentive_seen);
  std::map<std::string, json> sessions;
  for (const auto& f : review.at("flagged")) {
    if (f.at("kind") == "session") sessions[f.at("key")] = f;
  }
  ASSERT_EQ(sessions.size(), 1u) << review.dump(2);  // the careless one only
  const json& f = sessions.begin()->second;
  EXPECT_EQ(f.at("flagged_by"), json{"attention_checks"});
  EXPECT_EQ(f.at("attention_checks").at("seen"), seen);
  EXPECT_EQ(f.at("attention_checks").at("missed"), missed);
  EXPECT_GE(missed, f.at("attention_checks").at("misses_to_flag").get<int>());
  EXPECT_LE(f.at("attention_checks").at("p_value").get<double>(), 0.01);
  // Both voters came from 127.0.0.1: their shared prefix is flagged too, with both sessions'
  // checks as its evidence.
  bool prefix = false;
  for (const auto& g : review.at("flagged")) {
    if (g.at("kind") != "address_prefix") continue;
    prefix = true;
    EXPECT_EQ(g.at("attention_checks").at("seen"), seen + attentive_seen);
  }
  EXPECT_TRUE(prefix);
}

// --break makes the broken copy from the intact clip (pixelated, noisy) with libavfilter and
// stores it in the track's house encoding.
TEST(AttentionChecks, BreakMakesTheBrokenCopyFromTheIntactClip) {
  TestArena arena;
  const auto added =
      run_process({paddock_binary().string(), "admin", "--db", arena.db().string(), "--json",
                   "controls", "add", "made", "--track", "t2v", "--prompt", "p2", "--model",
                   "kling-21", "--break", "--media", arena.media().string()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const json k = json::parse(added.out).at("control");
  const auto broken = media::stored_path(arena.media(), k.at("broken_hash").get<std::string>());
  ASSERT_TRUE(broken);
  EXPECT_EQ(ffprobe_value(*broken, "stream=codec_name"), "h264");
  EXPECT_EQ(ffprobe_value(*broken, "stream=width"), "320");
  const auto neither =
      run_process({paddock_binary().string(), "admin", "--db", arena.db().string(), "controls",
                   "add", "x", "--track", "t2v", "--prompt", "p2", "--model", "kling-21"});
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_NE(neither.err.find("--broken FILE, or --break"), std::string::npos) << neither.err;
}

TEST(AttentionChecks, AControlThatCannotBeShownIsRefusedNamingTheProblem) {
  TestArena arena;
  const auto add = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> argv{paddock_binary().string(),
                                  "admin",
                                  "--db",
                                  arena.db().string(),
                                  "controls",
                                  "add",
                                  "--track",
                                  "t2v",
                                  "--media",
                                  arena.media().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv);
  };
  const auto clip = arena.uploads().front().second;
  // No such prompt: the model has no clip of it.
  auto r = add({"c1", "--prompt", "p9", "--model", kIntact, "--broken", clip.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no clip of prompt \"p9\""), std::string::npos) << r.err;
  r = add({"bad id!", "--prompt", "p1", "--model", kIntact, "--broken", clip.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a valid id"), std::string::npos) << r.err;
  const auto text = arena.dir() / "not-a-video.mp4";
  write_file(text, "this is not a video");
  r = add({"c2", "--prompt", "p1", "--model", kIntact, "--broken", text.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not-a-video.mp4"), std::string::npos) << r.err;
  const auto listed = run_process({paddock_binary().string(), "admin", "--db", arena.db().string(),
                                   "--json", "controls", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(json::parse(listed.out).at("controls").size(), 0u);
}

}  // namespace
}  // namespace paddock::testing
