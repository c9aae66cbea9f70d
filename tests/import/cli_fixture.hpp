#pragma once
// What the import and admin tests share: a working folder with a catalog of real clips,
// and running `paddock` in it.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace paddock::import_test {

// The model name planted in the metadata of every clip of the standard catalog.
inline constexpr const char* kPlantedName = "HappyHorse-Secret-Build-7";

class CliTest : public ::testing::Test {
 protected:
  // Runs `paddock ARGS...` in the working folder.
  paddock::testing::ProcessResult paddock(const std::vector<std::string>& args) const;

  // Writes `lines` to `name` in the working folder.
  void write(const std::string& name, const std::string& text) const;

  // The standard catalog: two tracks (t2v: sound, 2 s, 320x180; i2v: silent, 2 s, 320x180,
  // with a PNG source), three models (ma anonymous, mb public, mc hidden), clips for every
  // model on both tracks, each carrying kPlantedName in its title, comment, encoder,
  // handler name and (H.264) SEI. Returns the manifest's file name.
  std::string write_standard_catalog() const;

  // Opens the SQLite database the commands wrote (paddock.db in the working folder).
  std::unique_ptr<store::Store> open_db() const;

  // Every regular file under the media folder, relative to it, sorted.
  std::vector<std::string> media_files() const;

  paddock::testing::TempDir dir_;
};

}  // namespace paddock::import_test
