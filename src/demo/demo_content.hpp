#pragma once
// What the demo arena holds: its tracks, entrants, prompts, and the true strengths the
// simulated voters judge by. Plain data, the same on every run; docs/demo.md tells where
// the numbers come from. Changing anything here that changes the built arena must also
// raise kDemoContentVersion, so that existing demo folders are rebuilt.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::demo {

// Raised whenever the content or the way it is built changes (2: clips made through paddock
// generate; 3: clips stored in the house encoding instead of remuxed).
inline constexpr int kDemoContentVersion = 3;

// The model revealed as the last setup step (anonymous until then).
inline constexpr std::string_view kRevealedModel = "happyhorse-1.0";

struct DemoModel {
  std::string_view id;
  std::string_view display_name;
  std::string_view organization;
  std::string_view codename;  // non-empty: imported as anonymous under this name
  int debut_day;              // day of the demo's timeline its first battle happens (0..)
};

struct DemoPrompt {
  std::string_view id;
  std::string_view text;
  std::vector<std::string_view> categories;
  std::string_view subject;  // the glyph drawn as the clip's moving subject
  std::string_view motion;   // "bob", "cross", "fall", "orbit", "flicker", "drift"
};

// One entrant of one track: the rating it would get from infinitely many votes on this
// track, and its extra edge on portrait prompts (balanced by a handicap elsewhere, so that
// the as-voted mix of 60% portraits still lands on `rating`).
struct DemoEntry {
  std::string_view model;
  double rating;
  double portrait_edge = 0;
};

struct DemoTrack {
  std::string_view id;
  std::string_view name;
  std::string_view task;  // "text-to-video" or "image-to-video"
  bool audio;
  int votes;  // simulated votes on this track
  std::vector<DemoPrompt> prompts;
  std::vector<DemoEntry> entries;  // best first: the order the boards must show
};

// Clip settings shared by every track.
inline constexpr int kClipWidth = 320;
inline constexpr int kClipHeight = 180;
inline constexpr int kClipFps = 12;
inline constexpr double kClipSeconds = 3;

// Length of the simulated timeline, in days, ending shortly before the demo is built.
inline constexpr int kTimelineDays = 42;

std::span<const DemoModel> demo_models();
std::span<const DemoTrack> demo_tracks();

// Whether a prompt is in the "portrait" category (talking heads and portraits).
bool is_portrait(const DemoPrompt& p);

// The share of portrait prompts among a track's prompts.
double portrait_share(const DemoTrack& track);

// True strength of an entrant on a prompt. Without a portrait edge, its rating. With one,
// the edge above a centre on portrait prompts and edge * share / (1 - share) below it on
// the rest, the centre chosen so that the as-voted mix still earns `rating` against the
// track's field.
double true_rating(const DemoTrack& track, const DemoEntry& entry, const DemoPrompt& prompt);

}  // namespace paddock::demo
