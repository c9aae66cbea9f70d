#include "votelog/votelog.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace paddock::votelog {
namespace {

using rating::Outcome;
using rating::VoteTable;

std::string gzip(std::string_view text) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<ReadReport> read(std::string_view bytes, VoteTable& t, ReadOptions o = {},
                        std::string_view name = "votes.jsonl") {
  return read_vote_log_bytes(bytes, name, o, t);
}

std::string error_of(std::string_view bytes, ReadOptions o = {},
                     std::string_view name = "votes.jsonl") {
  VoteTable t;
  auto r = read(bytes, t, o, name);
  EXPECT_FALSE(r) << "expected an error for: " << bytes;
  if (r) return "";
  EXPECT_EQ(t.size(), 0u);
  return r.error().code + ": " + r.error().message;
}

// The votes of a table as comparable text, one line per vote.
std::vector<std::string> dump(const VoteTable& t) {
  std::vector<std::string> out;
  for (std::size_t v = 0; v < t.size(); ++v) {
    std::string line = t.model_name(t.model_a()[v]) + "|" + t.model_name(t.model_b()[v]) + "|" +
                       std::string(rating::winner_name(t.outcome()[v])) + "|";
    for (uint32_t c : t.category_set_members(t.category_set()[v]))
      line += t.category_names()[c] + ";";
    line += "|" + std::to_string(t.tstamp()[v]);
    out.push_back(line);
  }
  return out;
}

const char* kJsonLines =
    "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"category\":\"portrait\","
    "\"tstamp\":1}\n"
    "\n"
    "{\"winner\":\"tie "
    "(bothbad)\",\"model_b\":\"c\",\"model_a\":\"a\",\"category\":[\"x\",\"y\"],\"tstamp\":2.5,"
    "\"voter\":\"v1\",\"extra\":{\"n\":[1,2]}}\r\n"
    "{\"model_a\":\"b\",\"model_b\":\"c\",\"winner\":\"tie\",\"category\":null,\"tstamp\":\"3\"}\n"
    "  {\"model_a\":\"c\",\"model_b\":\"a\",\"winner\":\"model_b\"}  \n";

TEST(ReadVoteLog, JsonLinesReadsEveryFieldShape) {
  VoteTable t;
  auto r = read(kJsonLines, t);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "jsonl");
  EXPECT_EQ(r->records, 4);
  EXPECT_EQ(r->added, 4);
  const auto d = dump(t);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0], "a|b|model_a|portrait;|1.000000");
  EXPECT_EQ(d[1], "a|c|tie (bothbad)|x;y;|2.500000");
  EXPECT_EQ(d[2], "b|c|tie||3.000000");
  EXPECT_EQ(d[3], "c|a|model_b||nan");
}

TEST(ReadVoteLog, JsonArrayReadsTheSameVotes) {
  VoteTable lines, array;
  ASSERT_TRUE(read(kJsonLines, lines));
  const std::string json =
      "[\n "
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"category\":\"portrait\","
      "\"tstamp\":1},\n"
      " {\"winner\":\"tie "
      "(bothbad)\",\"model_b\":\"c\",\"model_a\":\"a\",\"category\":[\"x\",\"y\"],\"tstamp\":2.5},"
      "\n"
      " {\"model_a\":\"b\",\"model_b\":\"c\",\"winner\":\"tie\",\"tstamp\":\"3\"},\n"
      " {\"model_a\":\"c\",\"model_b\":\"a\",\"winner\":\"model_b\"}\n]\n";
  auto r = read(json, array, {}, "votes.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "json");
  EXPECT_EQ(dump(array), dump(lines));
}

TEST(ReadVoteLog, CsvReadsQuotedFieldsAndCategoryLists) {
  VoteTable lines, csv;
  ASSERT_TRUE(read(kJsonLines, lines));
  const std::string text =
      "\xEF\xBB\xBFmodel_a,model_b,winner,category,tstamp,voter\r\n"
      "a,b,model_a,portrait,1,\"someone, with a comma\"\r\n"
      "\"a\",c,tie (bothbad),\"x; y\",2.5,\"multi\nline\"\r\n"
      "\n"
      "b,c,tie,,3,\"say \"\"hi\"\"\"\n"
      "c,a,model_b,[],,";
  auto r = read(text, csv, {}, "votes.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 4);
  EXPECT_EQ(r->format, "csv");
  EXPECT_EQ(dump(csv), dump(lines));
}

TEST(ReadVoteLog, GzipIsRecognisedByItsMagicBytes) {
  VoteTable plain, compressed;
  ASSERT_TRUE(read(kJsonLines, plain));
  auto r = read(gzip(kJsonLines), compressed, {}, "votes.jsonl.gz");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "jsonl (gzip)");
  EXPECT_EQ(dump(compressed), dump(plain));
  // Two gzip members one after the other are one stream, as gzip itself reads them.
  VoteTable twice;
  ASSERT_TRUE(read(gzip(kJsonLines) + gzip(kJsonLines), twice));
  EXPECT_EQ(twice.size(), 8u);
}

TEST(ReadVoteLog, TruncatedGzipIsAnError) {
  const std::string z = gzip(kJsonLines);
  const auto e = error_of(z.substr(0, z.size() / 2));
  EXPECT_NE(e.find("io_error"), std::string::npos) << e;
  EXPECT_NE(e.find("gzip"), std::string::npos) << e;
}

TEST(ReadVoteLog, EmptyInputsHaveNoVotes) {
  for (const char* empty : {"", "\n\n  \n", "model_a,model_b,winner\n", "[]"}) {
    VoteTable t;
    auto r = read(empty, t);
    ASSERT_TRUE(r) << empty << ": " << r.error().message;
    EXPECT_EQ(t.size(), 0u);
  }
}

struct BadInput {
  const char* name;
  std::string bytes;
  std::string expected;  // in the message
};

TEST(ReadVoteLog, EveryKindOfBadRecordNamesFileLineAndProblem) {
  const std::string ok = "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\"}\n";
  const std::vector<BadInput> cases{
      {"votes.jsonl", ok + ok + "{\"model_a\": \"a\", \n", "votes.jsonl:3: malformed JSON"},
      {"votes.jsonl", ok + "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"draw\"}\n",
       "votes.jsonl:2: unknown winner \"draw\""},
      {"votes.jsonl", "{\"model_a\":\"a\",\"model_b\":\"a\",\"winner\":\"tie\"}\n",
       "votes.jsonl:1: self-match"},
      {"votes.jsonl", ok + "{\"model_a\":\"a\",\"model_b\":\"b\"}\n",
       "votes.jsonl:2: missing \"winner\""},
      {"votes.jsonl", "{\"model_b\":\"b\",\"winner\":\"tie\"}\n", "missing \"model_a\""},
      {"votes.jsonl", "{\"model_a\":7,\"model_b\":\"b\",\"winner\":\"tie\"}\n",
       "votes.jsonl:1: \"model_a\" is not a string"},
      {"votes.jsonl", "{\"model_a\":\"\",\"model_b\":\"b\",\"winner\":\"tie\"}\n",
       "empty \"model_a\""},
      {"votes.jsonl", "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"category\":3}\n",
       "\"category\" is not a string or a list of strings"},
      {"votes.jsonl",
       "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"category\":[\"x\",1]}\n",
       "\"category\" is not a string or a list of strings"},
      {"votes.jsonl", "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"tstamp\":true}\n",
       "\"tstamp\" is not a number"},
      {"votes.jsonl", "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"track\":[]}\n",
       "\"track\" is not a string"},
      {"votes.jsonl", ok + "[1,2]\n", "votes.jsonl:2: record is not a JSON object"},
      {"votes.jsonl",
       ok + ok + ok + "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\"} {}\n",
       "votes.jsonl:4: malformed JSON"},
      {"votes.json", "[\n" + ok + ",\n{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"nope\"}]",
       "votes.json:4: unknown winner \"nope\""},
      {"votes.json", "[\n" + ok + ",\n{\"model_a\":\"a\",,}]", "votes.json:4: malformed JSON"},
      {"votes.json", "[1]", "votes.json:1: record is not a JSON object"},
      {"votes.json", "[" + ok + "] x", "votes.json:1: malformed JSON"},
      {"votes.csv", "model_a,model_b\na,b\n",
       "votes.csv:1: the CSV header has no \"winner\" column"},
      {"votes.csv", "model_a,model_b,winner\na,b,model_a\na,b\n", "votes.csv:3: expected 3 fields"},
      {"votes.csv", "model_a,model_b,winner\na,b,\"model_a\n",
       "votes.csv:2: quoted field is not closed"},
      {"votes.csv", "model_a,model_b,winner,tstamp\na,b,model_a,soon\n",
       "votes.csv:2: \"tstamp\" is not a number"},
      {"votes.csv", "model_a,model_b,winner,category\na,b,model_a,\"[1]\"\n",
       "votes.csv:2: \"category\""},
      {"votes.csv", "model_a,model_b,winner\nx,x,tie\n", "votes.csv:2: self-match"},
  };
  for (const auto& c : cases) {
    const auto e = error_of(c.bytes, {}, c.name);
    EXPECT_NE(e.find("bad_vote_log: "), std::string::npos) << c.bytes;
    EXPECT_NE(e.find(c.expected), std::string::npos) << "got: " << e << "\nwanted: " << c.expected;
  }
}

TEST(ReadVoteLog, SkipInvalidCountsWhyAndKeepsTheRest) {
  const std::string text =
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\"}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"draw\"}\n"
      "not json\n"
      "{\"model_a\":\"a\",\"model_b\":\"a\",\"winner\":\"tie\"}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"maybe\"}\n"
      "{\"model_a\":\"b\",\"model_b\":\"a\",\"winner\":\"tie\"}\n";
  ReadOptions o;
  o.skip_invalid = true;
  VoteTable t;
  auto r = read(text, t, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(r->records, 6);
  EXPECT_EQ(r->skipped, 4);
  EXPECT_EQ(r->skipped_by_reason.at("unknown winner"), 2);
  EXPECT_EQ(r->skipped_by_reason.at("malformed JSON"), 1);
  EXPECT_EQ(r->skipped_by_reason.at("self-match"), 1);
  EXPECT_EQ(r->skipped_summary(),
            "skipped 4 invalid records: 2 unknown winner, 1 malformed JSON, 1 self-match");
  ASSERT_EQ(r->examples.size(), 4u);
  EXPECT_NE(r->examples[0].find("votes.jsonl:2:"), std::string::npos);
  EXPECT_NE(r->examples[3].find("votes.jsonl:5:"), std::string::npos);
}

std::string many_lines(int lines, int bad_line) {
  std::string text;
  for (int i = 1; i <= lines; ++i) {
    if (i == bad_line) {
      text += "{\"model_a\":\"m1\",\"model_b\":\"m2\",\"winner\":\"bad\"}\n";
    } else {
      text += "{\"model_a\":\"m" + std::to_string(i % 7) + "\",\"model_b\":\"n" +
              std::to_string(i % 5) + "\",\"winner\":\"" + (i % 3 ? "model_a" : "tie") +
              "\",\"category\":\"c" + std::to_string(i % 4) + "\",\"tstamp\":" + std::to_string(i) +
              "}\n";
    }
  }
  return text;
}

TEST(ReadVoteLog, LineNumbersAreExactAcrossParallelChunks) {
  const std::string text = many_lines(60000, 43210);
  for (int threads : {1, 3}) {
    ReadOptions o;
    o.threads = threads;
    o.chunk_bytes = 64 * 1024;
    const auto e = error_of(text, o);
    EXPECT_NE(e.find("votes.jsonl:43210: unknown winner \"bad\""), std::string::npos) << e;
  }
}

TEST(ReadVoteLog, ThreadCountDoesNotChangeTheTable) {
  const std::string text = many_lines(30000, 0);
  std::vector<std::vector<std::string>> tables;
  for (int threads : {1, 2, 4}) {
    ReadOptions o;
    o.threads = threads;
    o.chunk_bytes = 32 * 1024;
    VoteTable t;
    auto r = read(text, t, o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->added, 30000);
    tables.push_back(dump(t));
  }
  EXPECT_EQ(tables[0], tables[1]);
  EXPECT_EQ(tables[0], tables[2]);
}

TEST(ReadVoteLog, FiltersByTrackTimeAndCategory) {
  const std::string text =
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"track\":\"t2v\",\"tstamp\":10,"
      "\"category\":\"p\"}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"track\":\"i2v\",\"tstamp\":20,"
      "\"category\":\"p\"}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"tstamp\":30,\"category\":["
      "\"q\",\"p\"]}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"track\":\"t2v\",\"category\":"
      "\"q\"}\n";
  auto count = [&](ReadOptions o) {
    VoteTable t;
    auto r = read(text, t, o);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->added + r->filtered, 4);
    return t.size();
  };
  ReadOptions o;
  o.track = "t2v";
  EXPECT_EQ(count(o), 2u);
  o = {};
  o.filter.since = 15;
  o.filter.until = 30;
  EXPECT_EQ(count(o), 1u);
  o = {};
  o.filter.categories = {"p"};
  EXPECT_EQ(count(o), 3u);
}

TEST(ReadVoteLog, ErrorsLeaveTheTableAsItWas) {
  VoteTable t;
  ASSERT_TRUE(read(kJsonLines, t));
  const std::string bad =
      std::string(kJsonLines) + "{\"model_a\":\"z\",\"model_b\":\"z\",\"winner\":\"tie\"}\n";
  EXPECT_FALSE(read(bad, t));
  EXPECT_EQ(t.size(), 4u);
  ASSERT_TRUE(read(kJsonLines, t));  // appends
  EXPECT_EQ(t.size(), 8u);
}

TEST(ReadVoteLog, FilesAndTheirErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "paddock_votelog_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "votes.jsonl.gz").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << gzip(kJsonLines);
  }
  VoteTable t;
  auto r = read_vote_log(path, {}, t);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(t.size(), 4u);
  auto missing = read_vote_log((dir / "nope.jsonl").string(), {}, t);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "io_error");
  EXPECT_NE(missing.error().message.find("nope.jsonl: cannot open"), std::string::npos);
  auto directory = read_vote_log(dir.string(), {}, t);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, "io_error");
  std::filesystem::remove_all(dir);
}

TEST(WriteVoteLog, JsonLinesAndCsvReadBackToTheSameVotes) {
  const std::vector<std::string> cats{"portrait", "text, in \"video\""};
  const std::vector<std::string> none;
  const ExtraField extra[] = {{"vote_id", int64_t{42}},
                              {"prompt", std::string_view("a \"quoted\"\nprompt")},
                              {"decision_s", 1.25}};
  const std::vector<VoteRecord> records{
      {"Seedance 2.0",
       "HappyHorse-1.0",
       Outcome::AWins,
       cats,
       1764213600.123,
       "t2v",
       extra,
       {},
       {}},
      {"mod\u00e9le", "b,c", Outcome::BothBad, none, std::nullopt, "", extra, {}, {}},
      {"x", "y\"z", Outcome::Tie, cats, 5.0, "t2v", extra, {}, {}},
  };
  for (auto format : {OutputFormat::JsonLines, OutputFormat::Csv}) {
    std::string out;
    if (format == OutputFormat::Csv) {
      const std::string_view names[] = {"vote_id", "prompt", "decision_s"};
      out = csv_header(names);
    }
    for (const auto& r : records) append_vote_record(out, format, r);
    VoteTable t;
    auto r = read(out, t, {}, "written");
    ASSERT_TRUE(r) << r.error().message << "\n" << out;
    const auto d = dump(t);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0],
              "Seedance 2.0|HappyHorse-1.0|model_a|portrait;text, in \"video\";|1764213600.123000");
    EXPECT_EQ(d[1], "mod\u00e9le|b,c|tie (bothbad)||nan");
    EXPECT_EQ(d[2], "x|y\"z|tie|portrait;text, in \"video\";|5.000000");
    ReadOptions o;
    o.track = "t2v";
    VoteTable only;
    ASSERT_TRUE(read(out, only, o));
    EXPECT_EQ(only.size(), 2u);
  }
}

TEST(WriteVoteLog, CsvGuardsFormulaLikeNamesAndReadsThemBack) {
  const std::vector<std::string> cats{"=cmd|' /C calc'!A0", "-portrait"};
  const std::vector<VoteRecord> records{
      {"-model", "@team", Outcome::AWins, cats, 1.0, "t2v", {}},
      {"+1", "-2", Outcome::BWins, {}, 2.0, "t2v", {}},
  };
  std::string out = csv_header({});
  for (const auto& r : records) append_vote_record(out, OutputFormat::Csv, r);
  // A spreadsheet sees text, not formulas; a negative number stays a number.
  EXPECT_EQ(out,
            "model_a,model_b,winner,category,tstamp,track\n"
            "'-model,'@team,model_a,'=cmd|' /C calc'!A0;-portrait,1,t2v\n"
            "'+1,-2,model_b,,2,t2v\n");
  VoteTable t;
  auto r = read(out, t, {}, "written");
  ASSERT_TRUE(r) << r.error().message;
  const auto d = dump(t);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "-model|@team|model_a|-portrait;=cmd|' /C calc'!A0;|1.000000");
  EXPECT_EQ(d[1], "+1|-2|model_b||2.000000");
}

TEST(WriteVoteLog, JsonLinesLooksLikeTheCommonFormat) {
  const std::vector<std::string> cats{"portrait"};
  std::string out;
  append_vote_record(out, OutputFormat::JsonLines,
                     {"a", "b", Outcome::BothBad, cats, 1700000000.5, "t2v", {}, {}, {}});
  EXPECT_EQ(out,
            "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie (bothbad)\",\"category\":"
            "[\"portrait\"],\"tstamp\":1700000000.5,\"track\":\"t2v\"}\n");
}

TEST(WriteVoteLog, LanguageAndClipFeaturesReadBack) {
  const std::vector<std::string> none;
  const ClipFeature features[] = {{"duration", 8, 4}, {"motion", 0.25, rating::kNoFeature}};
  VoteRecord r{"a", "b", Outcome::AWins, none, 10.0, "", {}, {}, {}};
  r.language = "de";
  r.features = features;
  std::string out;
  append_vote_record(out, OutputFormat::JsonLines, r);
  EXPECT_NE(out.find("\"language\":\"de\",\"features_a\":{\"duration\":8,\"motion\":0.25},"
                     "\"features_b\":{\"duration\":4,\"motion\":null}"),
            std::string::npos)
      << out;
  const std::string csv =
      "model_a,model_b,winner,language,features_a.duration,features_b.duration\n"
      "a,b,model_a,de,8,4\n"
      "b,a,tie,,5,\n";
  for (const std::string& text : {out + out, csv}) {
    VoteTable t;
    ASSERT_TRUE(read(text, t, {}, "features"));
    ASSERT_EQ(t.size(), 2u);
    const auto duration = t.find_feature("duration");
    ASSERT_TRUE(duration);
    EXPECT_EQ(t.feature_a(*duration, 0), 8);
    EXPECT_EQ(t.feature_b(*duration, 0), 4);
    EXPECT_EQ(t.language_names()[t.language(0)], "de");
    if (text == csv) {
      EXPECT_EQ(t.feature_a(*duration, 1), 5);
      EXPECT_TRUE(std::isnan(t.feature_b(*duration, 1)));
      EXPECT_EQ(t.language(1), VoteTable::kNoLanguage);
    } else {
      EXPECT_TRUE(std::isnan(t.feature_b(*t.find_feature("motion"), 0)));
    }
  }
  // Many chunks, several parser threads: every vote keeps its own features and language.
  std::string many;
  for (int k = 0; k < 5000; ++k) {
    const ClipFeature f[] = {{"duration", static_cast<double>(k), -static_cast<double>(k)}};
    VoteRecord v{"a", "b", Outcome::AWins, none, static_cast<double>(k), "", {}, {}, {}};
    v.language = k % 2 == 0 ? "en" : "ja";
    v.features = f;
    append_vote_record(many, OutputFormat::JsonLines, v);
  }
  ReadOptions o;
  o.threads = 3;
  o.chunk_bytes = 4096;
  VoteTable t;
  ASSERT_TRUE(read(many, t, o, "many"));
  ASSERT_EQ(t.size(), 5000u);
  const uint32_t d = *t.find_feature("duration");
  for (std::size_t v = 0; v < t.size(); ++v) {
    ASSERT_EQ(t.feature_a(d, v), t.tstamp()[v]) << v;
    ASSERT_EQ(t.feature_b(d, v), -t.tstamp()[v]) << v;
    ASSERT_EQ(t.language_names()[t.language(v)],
              static_cast<int64_t>(t.tstamp()[v]) % 2 == 0 ? "en" : "ja");
  }
}

TEST(ReadVoteLog, FeaturesOfTheWrongTypeAreNamed) {
  VoteTable t;
  auto r = read(
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"features_a\":{\"duration\":"
      "\"long\"}}\n",
      t, {}, "bad");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"features_a\" is not an object of numbers"), std::string::npos)
      << r.error().message;
}

TEST(ReadVoteLog, WeightsReadFromEveryFormat) {
  // The fast scanner (plain lines), simdjson (a line with an escape), a JSON array and CSV.
  const std::string lines =
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"weight\":0.25}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_b\",\"weight\":null}\n"
      "{\"model_a\":\"\\u0061\",\"model_b\":\"b\",\"winner\":\"tie\",\"weight\":0.5}\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"weight\":1}\n";
  const std::string array =
      "[{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\",\"weight\":0.25},\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_b\"},\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"weight\":5e-1},\n"
      "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"weight\":1.0}]\n";
  const std::string csv =
      "model_a,model_b,winner,weight\na,b,model_a,0.25\na,b,model_b,\na,b,tie, 0.5 \na,b,tie,1\n";
  for (const auto& [text, name] : {std::pair{lines, "votes.jsonl"}, std::pair{array, "votes.json"},
                                   std::pair{csv, "votes.csv"}}) {
    VoteTable t;
    auto r = read(text, t, {}, name);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    ASSERT_EQ(t.size(), 4u) << name;
    EXPECT_EQ(t.weight(0), 0.25) << name;
    EXPECT_EQ(t.weight(1), 1.0) << name;
    EXPECT_EQ(t.weight(2), 0.5) << name;
    EXPECT_EQ(t.weight(3), 1.0) << name;
    EXPECT_EQ(t.weight_values().size(), 3u) << name;  // 1, 0.25, 0.5
  }
  // A log without weights has none.
  VoteTable plain;
  ASSERT_TRUE(read(kJsonLines, plain));
  EXPECT_FALSE(plain.has_weights());
}

TEST(ReadVoteLog, BadWeightsNameTheLine) {
  const std::string ok = "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"model_a\"}\n";
  auto line = [](std::string_view weight) {
    return "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"tie\",\"weight\":" +
           std::string(weight) + "}\n";
  };
  const std::vector<BadInput> cases{
      {"votes.jsonl", ok + line("0"), "votes.jsonl:2: weight 0 is not in (0, 1]"},
      {"votes.jsonl", ok + ok + line("-0.5"), "votes.jsonl:3: weight -0.5 is not in (0, 1]"},
      {"votes.jsonl", line("1.5"), "votes.jsonl:1: weight 1.5 is not in (0, 1]"},
      {"votes.jsonl", line("1e400"), "votes.jsonl:1:"},
      {"votes.jsonl", line("\"0.5\""), "votes.jsonl:1: \"weight\" is not a number in (0, 1]"},
      {"votes.jsonl", line("true"), "votes.jsonl:1: \"weight\" is not a number"},
      {"votes.json", "[\n" + ok + ",\n" + line("2") + "]",
       "votes.json:4: weight 2 is not in (0, 1]"},
      {"votes.json", "[" + line("[1]") + "]", "votes.json:1: \"weight\" is not a number"},
      {"votes.csv", "model_a,model_b,winner,weight\na,b,tie,0.5\na,b,tie,heavy\n",
       "votes.csv:3: \"weight\" is not a number in (0, 1]"},
      {"votes.csv", "model_a,model_b,winner,weight\na,b,tie,0\n",
       "votes.csv:2: weight 0 is not in (0, 1]"},
      {"votes.csv", "model_a,model_b,winner,weight\na,b,tie,nan\n",
       "votes.csv:2: \"weight\" is not a number"},
      {"votes.csv", "model_a,model_b,winner,weight\na,b,tie,inf\n",
       "votes.csv:2: weight inf is not in (0, 1]"},
  };
  for (const auto& c : cases) {
    const auto e = error_of(c.bytes, {}, c.name);
    EXPECT_NE(e.find("bad_vote_log: "), std::string::npos) << c.bytes;
    EXPECT_NE(e.find(c.expected), std::string::npos) << "got: " << e << "\nwanted: " << c.expected;
  }
  // With --skip-invalid they are counted as bad weights.
  ReadOptions o;
  o.skip_invalid = true;
  VoteTable t;
  auto r = read(ok + line("0") + ok, t, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(r->skipped_by_reason["bad weight"], 1);
}

TEST(WriteVoteLog, AWeightFieldReadsBack) {
  // The export writes the weight as a field of its own (JSON) or column (CSV).
  const votelog::ExtraField weight[] = {{"weight", 0.25}};
  const std::string_view names[] = {"weight"};
  VoteRecord r;
  r.model_a = "a";
  r.model_b = "b";
  r.outcome = Outcome::AWins;
  r.tstamp = 12.5;
  r.extra = weight;
  for (const auto format : {OutputFormat::JsonLines, OutputFormat::Csv}) {
    std::string out = format == OutputFormat::Csv ? csv_header(names) : "";
    append_vote_record(out, format, r);
    VoteTable t;
    auto read_back = read(out, t, {}, format == OutputFormat::Csv ? "v.csv" : "v.jsonl");
    ASSERT_TRUE(read_back) << read_back.error().message << "\n" << out;
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.weight(0), 0.25) << out;
  }
}

}  // namespace
}  // namespace paddock::votelog
