#include "demo/demo_content.hpp"

#include <algorithm>

#include "rating/scale.hpp"

namespace paddock::demo {
namespace {

constexpr std::string_view kPortrait = "portrait";

// Entrants. Names are today's public video models; the organizations are as reported
// publicly. HappyHorse-1.0 entered the public arena under that very name with its maker
// undisclosed, and was attributed weeks later.
const DemoModel kModels[] = {
    {"happyhorse-1.0", "HappyHorse-1.0", "Alibaba (Taotian Group)", "HappyHorse-1.0", 28},
    {"seedance-2.0", "Seedance 2.0", "ByteDance", "", 9},
    {"skyreels-v4", "SkyReels V4", "Skywork AI", "", 4},
    {"kling-3.0", "Kling 3.0", "Kuaishou", "", 0},
    {"grok-imagine-video", "grok-imagine-video", "xAI", "", 0},
    {"veo-3.1", "Veo 3.1", "Google DeepMind", "", 0},
    {"wan-2.5", "Wan 2.5", "Alibaba (Tongyi Lab)", "", 0},
    {"runway-gen-4.5", "Runway Gen-4.5", "Runway", "", 0},
    {"hailuo-2.3", "Hailuo 2.3", "MiniMax", "", 0},
    {"pika-2.2", "Pika 2.2", "Pika", "", 0},
    {"sora-2", "Sora 2", "OpenAI", "", 0},
};

// HappyHorse-1.0's extra strength on portrait prompts (and the matching handicap on the
// rest): the suspicion that a portrait-heavy prompt mix flatters it.
constexpr double kPortraitEdge = 45;

std::vector<DemoTrack> make_tracks() {
  std::vector<DemoTrack> tracks;
  // Published (Artificial Analysis Video Arena, April 2026): HappyHorse-1.0 1379, Seedance
  // 2.0 106 points below, then SkyReels V4 and Kling 3.0. The rest are placed below.
  tracks.push_back(DemoTrack{
      .id = "t2v",
      .name = "Text to video",
      .task = "text-to-video",
      .audio = false,
      .votes = 9000,
      .prompts =
          {
              {"p01",
               "A woman in a red coat speaks to the camera on a rainy street at night",
               {"portrait"},
               "\u263A",
               "bob"},
              {"p02",
               "An old fisherman laughs while he tells a story in close-up",
               {"portrait"},
               "\u263B",
               "bob"},
              {"p03",
               "A news anchor reads the evening headlines straight to camera",
               {"portrait"},
               "\u263A",
               "drift"},
              {"p04",
               "A girl blows out the candles on her birthday cake and grins",
               {"portrait"},
               "\u263A",
               "bob"},
              {"p05",
               "A violinist plays on a dim stage as the camera slowly pushes in",
               {"portrait", "motion"},
               "\u266B",
               "orbit"},
              {"p06",
               "Two friends talk and laugh over coffee by a window",
               {"portrait", "multi-subject"},
               "\u263A \u263B",
               "bob"},
              {"p07",
               "Drone flight over a misty pine forest at sunrise",
               {"landscape"},
               "\u25B2\u25B2\u25B2",
               "drift"},
              {"p08",
               "A horse gallops along a beach at dawn",
               {"animals", "motion"},
               "\u265E",
               "cross"},
              {"p09",
               "A glass of water tips over and spills across a wooden table",
               {"motion"},
               "\u25CF",
               "fall"},
              {"p10",
               "A neon sign flickers on and spells OPEN LATE",
               {"text"},
               "OPEN LATE",
               "flicker"},
          },
      .entries =
          {
              {"happyhorse-1.0", 1379, kPortraitEdge},
              {"seedance-2.0", 1273},
              {"skyreels-v4", 1245},
              {"kling-3.0", 1228},
              {"veo-3.1", 1206},
              {"grok-imagine-video", 1190},
              {"runway-gen-4.5", 1175},
              {"hailuo-2.3", 1152},
              {"sora-2", 1138},
              {"wan-2.5", 1120},
              {"pika-2.2", 1015},
          },
  });
  // Published: HappyHorse-1.0 1411, Seedance 2.0 1356, grok-imagine-video 1331.
  tracks.push_back(DemoTrack{
      .id = "i2v",
      .name = "Image to video",
      .task = "image-to-video",
      .audio = false,
      .votes = 9000,
      .prompts =
          {
              {"q01",
               "The woman in the photo turns toward the camera and smiles",
               {"portrait"},
               "\u263A",
               "bob"},
              {"q02",
               "The chef in the picture starts to talk about the dish",
               {"portrait"},
               "\u263B",
               "drift"},
              {"q03",
               "The grandfather in the portrait nods and waves",
               {"portrait"},
               "\u263A",
               "bob"},
              {"q04",
               "The dancer in the picture starts to spin",
               {"portrait", "motion"},
               "\u263A",
               "orbit"},
              {"q05",
               "The singer in the picture starts to sing into the microphone",
               {"portrait"},
               "\u266A",
               "bob"},
              {"q06",
               "The cat in the photo stretches and jumps off the sofa",
               {"animals", "motion"},
               "=^.^=",
               "fall"},
              {"q07",
               "Waves roll onto the beach in the photo as clouds drift by",
               {"landscape"},
               "\u2248\u2248\u2248",
               "drift"},
              {"q08",
               "The city skyline in the photo lights up at dusk",
               {"landscape", "multi-subject"},
               "\u2590\u258C\u2590",
               "flicker"},
          },
      .entries =
          {
              {"happyhorse-1.0", 1411, kPortraitEdge},
              {"seedance-2.0", 1356},
              {"grok-imagine-video", 1331},
              {"kling-3.0", 1310},
              {"skyreels-v4", 1290},
              {"veo-3.1", 1275},
              {"hailuo-2.3", 1240},
              {"runway-gen-4.5", 1225},
              {"wan-2.5", 1190},
              {"pika-2.2", 1080},
          },
  });
  // Published: with sound, Seedance 2.0 slightly ahead of HappyHorse-1.0.
  tracks.push_back(DemoTrack{
      .id = "t2v-audio",
      .name = "Text to video with audio",
      .task = "text-to-video",
      .audio = true,
      .votes = 6000,
      .prompts =
          {
              {"a01",
               "A man tells a joke to camera and the audience laughs",
               {"portrait"},
               "\u263A",
               "bob"},
              {"a02", "A woman sings the first line of a lullaby", {"portrait"}, "\u266A", "drift"},
              {"a03",
               "A teacher explains a chess opening while pointing at the board",
               {"portrait"},
               "\u265B",
               "bob"},
              {"a04",
               "Two people argue about the weather at a bus stop",
               {"portrait", "multi-subject"},
               "\u263A \u263B",
               "bob"},
              {"a05",
               "Rain drums on a tin roof during a thunderstorm",
               {"landscape"},
               "\u2602",
               "fall"},
              {"a06", "A dog barks at a passing train", {"animals", "motion"}, "WOOF", "cross"},
          },
      .entries =
          {
              {"seedance-2.0", 1222},
              {"happyhorse-1.0", 1204, kPortraitEdge},
              {"veo-3.1", 1176},
              {"sora-2", 1150},
              {"kling-3.0", 1121},
              {"grok-imagine-video", 1086},
              {"wan-2.5", 1050},
          },
  });
  return tracks;
}

// The centre `base` of an entrant with a portrait edge, such that against this track's
// field its expected score over the prompt mix (share portraits at base + edge, the rest
// at base - edge * share / (1 - share)) is what a single rating of entry.rating would
// earn. Without this the logistic curve pulls the fitted rating a few points below the
// intended one. Found by bisection; the score only grows with base.
double edge_base(const DemoTrack& track, const DemoEntry& entry, double share) {
  const double high = entry.portrait_edge;
  const double low = entry.portrait_edge * share / (1 - share);
  auto score = [&](double base) {
    double target = 0, mixed = 0;
    for (const auto& other : track.entries) {
      if (other.model == entry.model) continue;
      target += rating::win_probability(entry.rating, other.rating);
      mixed += share * rating::win_probability(base + high, other.rating) +
               (1 - share) * rating::win_probability(base - low, other.rating);
    }
    return mixed - target;
  };
  double lo = entry.rating - 100, hi = entry.rating + 100;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (score(mid) < 0 ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

bool is_portrait(const DemoPrompt& p) {
  return std::find(p.categories.begin(), p.categories.end(), kPortrait) != p.categories.end();
}

std::span<const DemoModel> demo_models() {
  return kModels;
}

std::span<const DemoTrack> demo_tracks() {
  static const std::vector<DemoTrack> tracks = make_tracks();
  return tracks;
}

double portrait_share(const DemoTrack& track) {
  if (track.prompts.empty()) return 0;
  auto n = std::count_if(track.prompts.begin(), track.prompts.end(), is_portrait);
  return static_cast<double>(n) / static_cast<double>(track.prompts.size());
}

double true_rating(const DemoTrack& track, const DemoEntry& entry, const DemoPrompt& prompt) {
  if (entry.portrait_edge == 0) return entry.rating;
  const double share = portrait_share(track);
  const double base = edge_base(track, entry, share);
  return is_portrait(prompt) ? base + entry.portrait_edge
                             : base - entry.portrait_edge * share / (1 - share);
}

}  // namespace paddock::demo
