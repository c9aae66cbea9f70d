#pragma once
// A temporary arena for end-to-end tests: a SQLite database holding a small catalog of real
// clips (made with ffmpeg, normalized into a media folder by paddock's media layer) and a
// web root with a stand-in front end, ready for `paddock serve`.
//
// Every clip carries its model's identity in its container metadata (title, comment,
// encoder, artist, handler names) and in an H.264 SEI message, so tests can prove that none
// of it reaches a voter.

#include <filesystem>
#include <string>
#include <vector>

#include "paddock_server.hpp"
#include "store/records.hpp"
#include "support/temp_dir.hpp"

namespace paddock::testing {

struct TestModel {
  std::string id;
  std::string display_name;
  std::string organization;
  store::ModelStatus status;
  std::string codename;
};

inline constexpr const char* kAdminToken = "test-admin-token-0123456789";

class TestArena {
 public:
  // Tracks "t2v" (three prompts, every model has a clip for each), "i2v" (one prompt with a
  // source image, clips of the three matchable models) and "solo" (one prompt, one model: no
  // battle possible); models: two public, one anonymous, one hidden, one retired.
  TestArena();

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path db() const { return dir_ / "paddock.db"; }
  std::filesystem::path media() const { return dir_ / "media"; }
  std::filesystem::path web_root() const { return dir_ / "web"; }

  // Options for PaddockServer: this arena's files, the admin token, generous rate limits
  // (tests of the limits pass their own), fast board updates, and `extra` flags.
  PaddockServer::Options server_options(std::vector<std::string> extra = {}) const;

  // One vote written straight into the database, as if voted on the first t2v prompt.
  struct SeededVote {
    std::string left_model;
    std::string right_model;
    bool left_wins = true;
    std::string session = "seeder";
    std::string address = "127.0.0.1";
    // What the page reported (watch_weighting_test.cpp); 0 as from a page that played nothing.
    int64_t left_watch_ms = 0;
    int64_t right_watch_ms = 0;
    int64_t decision_ms = 0;
    std::string prompt_id = "";  // a t2v prompt, whose categories the vote gets; empty: the
                                 // track's first prompt, without categories
  };
  // Stores `votes` in order (ids and times follow it) and returns the last vote's id.
  int64_t seed_votes(const std::vector<SeededVote>& votes) const;

  static const std::vector<TestModel>& models();
  // The uploaded (not yet normalized) clip files, with their model ids.
  const std::vector<std::pair<std::string, std::filesystem::path>>& uploads() const {
    return uploads_;
  }
  // Every string that names a model (ids, real names, organizations, codenames): none may
  // reach a voter before the vote.
  static std::vector<std::string> identities();

 private:
  static void build(const std::filesystem::path& dir);

  TempDir dir_;
  std::vector<std::pair<std::string, std::filesystem::path>> uploads_;
};

}  // namespace paddock::testing
