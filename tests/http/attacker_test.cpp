// Blind under measurement (issue 13, docs/security.md): an attacker votes a few hundred
// battles on a real server, records everything it can measure before each vote, learns from
// the votes' reveals which measurements go with which pair of models, and then guesses the
// pair of held-out battles. It must do no better than chance.
//
// The arena is made as an operator makes one: clips of four models in the encodings their
// vendors deliver (H.264 baseline 24 fps, H.264 High 30 fps at twice the size, VP9 at
// 25 fps; durations a little off the track's), imported with `paddock import` (the house
// encoding), one model anonymous and one hidden.
//
// The one channel left out of the attack is the clip's content (its bytes, or a digest of
// them): in a fixed pool a clip is the same file in every battle, so a voter who saw it
// revealed once knows it again (inherent, docs/security.md). The test shows that its
// classifier does find that channel when given it, so "no better than chance" is not the
// classifier's blindness.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "api.hpp"
#include "paddock_server.hpp"
#include "support/media_files.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::testing {
namespace {

namespace fs = std::filesystem;

// Enough battles that the control (below) finds the inherent channel every time, and that
// a leak as small as a quarter of the held-out guesses right beyond chance is found.
constexpr int kTrainBattles = 400;
constexpr int kHeldOutBattles = 200;
// The permutation test's shuffles: its p has a floor of 1 / (kShuffles + 1), below
// kFalseAlarm, so the blind test fails on no leak once in 1 / kFalseAlarm runs.
constexpr int kShuffles = 20000;
constexpr double kFalseAlarm = 1e-4;

struct Vendor {
  const char* id;
  const char* record;  // the model's manifest fields after the id
  VendorStyle style;
  double duration_s;
};

// Four matchable models (6 pairs) and a hidden one.
const Vendor kModels[] = {
    {"alpha", R"("display_name": "Alpha Video 3", "status": "public")",
     VendorStyle::H264BaselineAt24, 1.0},
    {"bravo", R"("display_name": "Bravo Gen", "status": "public")",
     VendorStyle::H264HighAt30TwiceTheSize, 1.08},
    {"charlie", R"("display_name": "Charlie", "status": "anonymous", "codename": "HappyHorse-1.0")",
     VendorStyle::Vp9At25, 0.94},
    {"delta", R"("display_name": "Delta Motion", "status": "public")",
     VendorStyle::H264HighAt30TwiceTheSize, 1.0},
    {"echo", R"("display_name": "Echo Hidden", "status": "hidden")", VendorStyle::Vp9At25, 1.0},
};
const char* const kPrompts[] = {"calm", "busy", "titled"};

// A short name for some bytes (not a security property: a way to compare files).
std::string digest(const std::string& bytes) {
  return std::to_string(std::hash<std::string>{}(bytes)) + "-" + std::to_string(bytes.size());
}

// The arena's files: clips made by ffmpeg in each vendor's encoding, then `paddock import`.
void build_arena(const fs::path& dir) {
  fs::create_directories(dir / "clips");
  fs::create_directories(dir / "web");
  write_file(dir / "web" / "index.html", "<!doctype html><title>paddock</title>\n");
  std::string manifest =
      R"({"kind": "track", "id": "t", "task": "text-to-video", "audio": true, "duration_s": 1, "width": 320, "height": 180}
)";
  for (const char* p : kPrompts) {
    manifest += std::string(R"({"kind": "prompt", "track": "t", "id": ")") + p +
                R"(", "text": "prompt )" + p + "\"}\n";
  }
  for (const Vendor& m : kModels) {
    manifest += std::string(R"({"kind": "model", "id": ")") + m.id + "\", " + m.record + "}\n";
    for (const char* p : kPrompts) {
      const std::string prompt = p;
      const std::string file = "clips/" + prompt + "-" + m.id + vendor_extension(m.style);
      make_vendor_clip(dir / file, {.style = m.style,
                                    .duration_s = m.duration_s,
                                    .busy = prompt == "busy",
                                    .caption = prompt == "titled" ? std::string(m.id) : ""});
      manifest += R"({"kind": "clip", "track": "t", "prompt": ")" + prompt + R"(", "model": ")" +
                  m.id + R"(", "file": ")" + file + "\"}\n";
    }
  }
  write_file(dir / "catalog.jsonl", manifest);
  auto r = run_process({paddock_binary().string(), "import", "catalog.jsonl"}, {.cwd = dir});
  if (r.exit_code != 0) throw std::runtime_error("paddock import: " + r.out + r.err);
}

// JSON keys in document order, nested: the "order of fields" of an answer.
void key_order(const json& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    for (auto it = j.begin(); it != j.end(); ++it) {
      out += it.key() + ':';
      key_order(it.value(), out);
      out += ',';
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (const auto& e : j) key_order(e, out);
    out += ']';
  } else {
    out += j.type_name();
  }
}

// A response's headers: names in order, and values except the date.
std::string header_shape(const HttpResponse& r) {
  std::string out;
  for (const auto& [name, value] : r.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "date") {
      out += name + ";";
    } else if (lower == "etag" || lower == "set-cookie") {
      out += name + "#" + std::to_string(value.size()) + ";";  // varies; its length does not
    } else {
      out += name + "=" + value + ";";
    }
  }
  return out;
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Everything measured before one vote.
struct Observation {
  std::map<std::string, std::string> facts;    // categorical measurements
  std::map<std::string, double> timings;       // milliseconds
  std::map<std::string, std::string> content;  // each side's clip bytes, digested: the inherent
                                               // channel, used only by the control
  std::string pair;                            // the label: the two models, sorted (from the vote)
};

class Attacker {
 public:
  explicit Attacker(HttpClient& client, const fs::path& scratch)
      : client_(client), scratch_(scratch) {}

  Observation battle() {
    Observation o;
    auto t0 = Clock::now();
    IssuedBattle b = new_battle(client_, "t");
    o.timings["battle_ms"] = ms_since(t0);
    o.facts["battle_status"] = std::to_string(b.response.status);
    o.facts["battle_length"] = std::to_string(b.response.body.size());
    o.facts["battle_headers"] = header_shape(b.response);
    std::string order;
    key_order(b.body, order);
    o.facts["battle_fields"] = order;
    o.facts["ticket_length"] = std::to_string(b.ticket.size());
    o.facts["prompt"] = b.body.at("prompt").dump();
    for (const auto& [side, url] :
         {std::pair{"left", b.left_url}, std::pair{"right", b.right_url}}) {
      const std::string s = side;
      o.facts[s + "_url_length"] = std::to_string(url.size());
      auto t1 = Clock::now();
      HttpResponse head = client_.request("HEAD", url);
      o.timings[s + "_head_ms"] = ms_since(t1);
      o.facts[s + "_head"] = std::to_string(head.status) + " " + header_shape(head);
      auto t2 = Clock::now();
      HttpResponse part = client_.get(url, {{"Range", "bytes=0-4095"}});
      o.timings[s + "_range_ms"] = ms_since(t2);
      o.facts[s + "_range"] = std::to_string(part.status) + " " + header_shape(part);
      auto t3 = Clock::now();
      HttpResponse whole = client_.get(url);
      o.timings[s + "_get_ms"] = ms_since(t3);
      o.facts[s + "_get"] = std::to_string(whole.status) + " " + header_shape(whole);
      o.facts[s + "_bytes"] = std::to_string(whole.body.size());
      o.facts[s + "_encoding"] = encoding_of(whole.body);
      o.content[s + "_content"] = digest(whole.body);
    }
    HttpResponse vote = cast_vote(client_, b.ticket, "left");
    if (vote.status != 201) throw std::runtime_error("vote: " + vote.body);
    json v = body_json(vote);
    std::string a = v.at("left").at("model"), c = v.at("right").at("model");
    o.pair = std::min(a, c) + " vs " + std::max(a, c);
    return o;
  }

 private:
  // ffprobe's encoding signature of a downloaded clip (worked out once per distinct file:
  // the digest is only a cache key here, it is not a measurement the classifier sees).
  std::string encoding_of(const std::string& bytes) {
    const std::string key = digest(bytes);
    auto it = signatures_.find(key);
    if (it != signatures_.end()) return it->second;
    const fs::path file = scratch_ / (key + ".mp4");
    write_file(file, bytes);
    return signatures_[key] = digest(encoding_signature(file));
  }

  HttpClient& client_;
  fs::path scratch_;
  std::map<std::string, std::string> signatures_;
};

// A naive Bayes classifier over categorical features (timings binned by the training set's
// quartiles), with add-one smoothing: simple, and it uses every measurement at once.
class Classifier {
 public:
  Classifier(const std::vector<Observation>& train, bool with_content) : content_(with_content) {
    for (const Observation& o : train) {
      for (const auto& [name, v] : o.timings) cuts_[name].push_back(v);
    }
    for (auto& [name, values] : cuts_) {
      std::sort(values.begin(), values.end());
      const std::vector<double> all = values;
      values = {all[all.size() / 4], all[all.size() / 2], all[all.size() * 3 / 4]};
    }
    for (const Observation& o : train) {
      ++label_count_[o.pair];
      for (const auto& [name, value] : features(o)) {
        ++count_[{name, value, o.pair}];
        values_[name].insert(value);
      }
    }
    total_ = static_cast<double>(train.size());
  }

  std::string guess(const Observation& o) const {
    std::string best;
    double best_score = -INFINITY;
    for (const auto& [label, n] : label_count_) {
      double score = std::log(n / total_);
      for (const auto& [name, value] : features(o)) {
        auto it = count_.find({name, value, label});
        const double k = it == count_.end() ? 0 : it->second;
        score += std::log((k + 1) / (n + static_cast<double>(values_.at(name).size()) + 1));
      }
      if (score > best_score) best_score = score, best = label;
    }
    return best;
  }

 private:
  std::map<std::string, std::string> features(const Observation& o) const {
    std::map<std::string, std::string> f = o.facts;
    for (const auto& [name, v] : o.timings) {
      const auto& c = cuts_.at(name);
      f[name] = std::to_string(std::upper_bound(c.begin(), c.end(), v) - c.begin());
    }
    if (content_) f.insert(o.content.begin(), o.content.end());
    return f;
  }

  bool content_;
  std::map<std::string, std::vector<double>> cuts_;
  std::map<std::string, int> label_count_;
  std::map<std::tuple<std::string, std::string, std::string>, int> count_;
  std::map<std::string, std::set<std::string>> values_;
  double total_ = 0;
};

struct Score {
  double accuracy = 0;
  double p_value = 1;  // one-sided permutation test: P(accuracy >= observed | no information)
};

// How often the guesses hit the held-out pairs, and a permutation test of "the guesses carry
// no information about the pairs": the pairs are shuffled among the held-out battles
// kShuffles times, and p is the share of shuffles (plus the observed one) whose accuracy reaches
// the observed one. Shuffling keeps how often each pair and each guess occur, so an uneven
// matchmaking or a classifier that always names the commonest pair is not taken for a leak.
Score score(const std::vector<std::string>& guesses, const std::vector<Observation>& held_out) {
  std::vector<std::string> truth;
  for (const Observation& o : held_out) truth.push_back(o.pair);
  auto hits = [&](const std::vector<std::string>& labels) {
    int n = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) n += guesses[i] == labels[i];
    return n;
  };
  const int observed = hits(truth);
  std::mt19937_64 rng(20261206);
  int at_least = 1;
  for (int i = 0; i < kShuffles; ++i) {
    std::shuffle(truth.begin(), truth.end(), rng);
    at_least += hits(truth) >= observed;
  }
  return {static_cast<double>(observed) / static_cast<double>(held_out.size()),
          static_cast<double>(at_least) / (kShuffles + 1)};
}

TEST(Attacker, GuessesThePairOfHeldOutBattlesNoBetterThanChance) {
  TempDir dir("paddock-attacker-test");
  const auto start = Clock::now();
  build_arena(dir.path());
  std::cout << "attacker: arena made and imported in " << ms_since(start) << " ms\n";
  fs::create_directories(dir / "scratch");
  PaddockServer::Options options;
  options.db = dir / "paddock.db";
  options.media = dir / "media";
  options.web_root = dir / "web";
  for (const char* limit : {"--session-votes-per-minute", "--session-battles-per-minute",
                            "--address-votes-per-minute", "--address-battles-per-minute"}) {
    options.args.insert(options.args.end(), {limit, "100000"});
  }
  // The attacker measures, then votes at once: the minimum watch time is another defence,
  // not the channel this test measures.
  options.args.insert(options.args.end(), {"--min-watch-fraction", "0"});
  PaddockServer server(options);
  HttpClient client = server.client();
  Attacker attacker(client, dir / "scratch");

  std::vector<Observation> train, held_out;
  for (int i = 0; i < kTrainBattles; ++i) train.push_back(attacker.battle());
  for (int i = 0; i < kHeldOutBattles; ++i) held_out.push_back(attacker.battle());
  std::cout << "attacker: " << kTrainBattles + kHeldOutBattles << " battles voted at "
            << ms_since(start) << " ms\n";

  std::set<std::string> pairs;
  for (const Observation& o : train) pairs.insert(o.pair);
  ASSERT_EQ(pairs.size(), 6u) << "four matchable models make six pairs; the hidden one none";
  EXPECT_EQ(pairs.count("Echo Hidden"), 0u);

  // What the attacker measured is constant across pairs where it must be (a sanity check of
  // the measurements themselves: these are the channels issue 13 found open).
  std::set<std::string> ticket_lengths, clip_bytes, encodings;
  for (const Observation& o : train) {
    ticket_lengths.insert(o.facts.at("ticket_length"));
    clip_bytes.insert(o.facts.at("left_bytes"));
    clip_bytes.insert(o.facts.at("right_bytes"));
    encodings.insert(o.facts.at("left_encoding"));
    encodings.insert(o.facts.at("right_encoding"));
  }
  EXPECT_EQ(ticket_lengths.size(), 1u);
  EXPECT_EQ(clip_bytes.size(), 1u);
  EXPECT_EQ(encodings.size(), 1u);

  auto evaluate = [&](bool with_content) {
    Classifier classifier(train, with_content);
    std::vector<std::string> guesses;
    for (const Observation& o : held_out) guesses.push_back(classifier.guess(o));
    return score(guesses, held_out);
  };
  const Score blind = evaluate(false);
  const Score control = evaluate(true);
  RecordProperty("accuracy", std::to_string(blind.accuracy));
  RecordProperty("p_value", std::to_string(blind.p_value));
  std::cout << "attacker: held-out accuracy " << blind.accuracy << " (chance about "
            << 1.0 / static_cast<double>(pairs.size()) << "), permutation p = " << blind.p_value
            << "; with the clips' content: " << control.accuracy << ", p = " << control.p_value
            << "\n";
  // No better than chance: the permutation test does not reject "no information" at the
  // kFalseAlarm level (the server's pairs are drawn from its CSPRNG, so the test cannot fix
  // a seed: it is kept rare enough by its level instead).
  EXPECT_GE(blind.p_value, kFalseAlarm)
      << "the measurements tell the pair: accuracy " << blind.accuracy;
  // The same classifier does find a channel that is open: the inherent one. Its accuracy
  // there varies from run to run (the server pairs at random, and the content features sit
  // among the noisy timing ones): 0.6 to 0.94 with 400 training battles under adaptive
  // matchmaking (0.5 to 0.7 with 200, and once exactly 0.5), so the bar is twice chance, and
  // the permutation test must reject "no information" at the 0.1% level. (Under adaptive
  // matchmaking the pairs are uneven, so even the blind accuracy can be well above 1/6: the
  // permutation test keeps how often each pair occurs, so that is not taken for a leak.)
  EXPECT_GT(control.accuracy, 2.0 / static_cast<double>(pairs.size()));
  EXPECT_LT(control.p_value, 0.001);
}

}  // namespace
}  // namespace paddock::testing
