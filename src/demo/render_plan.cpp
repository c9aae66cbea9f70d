#include "demo/render_plan.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <system_error>

#include "demo/demo_content.hpp"

namespace paddock::demo {
namespace {

using media::filter_value;

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kClipCaption = "DEMO PLACEHOLDER \u00B7 not a real model output";
constexpr std::string_view kSourceCaption = "DEMO SOURCE IMAGE \u00B7 placeholder";
constexpr size_t kLineChars = 54;
constexpr double kStill =
    1e-5;  // the slowest the gradients source moves  // what fits across 320 px at the caption size

// Each entrant's look: a lavfi source (with {s} size, {r} rate, {seed}) and a subject colour.
// Cheap sources only: the whole demo renders a few hundred of these.
struct Look {
  std::string_view background;
  std::string_view colour;
};
constexpr Look kLooks[] = {
    {"gradients=s={s}:r={r}:seed={seed}:speed=0.02:nb_colors=3:c0=0x2a1b3d:c1=0xd4a373:"
     "c2=0x44a1a0",
     "0xfff3d6"},
    {"testsrc2=s={s}:r={r},hue=h=200:s=0.5", "0xffffff"},
    {"mandelbrot=s={s}:r={r}:maxiter=40:start_scale=3:end_scale=1.5:end_pts=90", "0xfff07a"},
    {"life=s={s}:r={r}:seed={seed}:ratio=0.12:mold=6:life_color=0x7fd1ff:"
     "death_color=0x1a2a4a:mold_color=0x0a1830",
     "0xffb3c6"},
    {"cellauto=s={s}:r={r}:rule=30:seed={seed},format=rgb24,"
     "colorchannelmixer=rr=0.9:gg=0.45:bb=0.15",
     "0x9ef0ff"},
    {"smptehdbars=s={s}:r={r},scroll=h=0.004", "0x202020"},
    {"rgbtestsrc=s={s}:r={r},scroll=v=0.01,hue=h=20:s=0.7", "0xffffff"},
    {"testsrc=s={s}:r={r},hue=s=0", "0xff5a36"},
    {"gradients=s={s}:r={r}:seed={seed}:speed=0.05:nb_colors=2:c0=0x0b3d2e:c1=0xf2e8cf",
     "0xc0392b"},
    {"life=s={s}:r={r}:seed={seed}:ratio=0.3:mold=0:life_color=0xffc04d:"
     "death_color=0x3a1f5d",
     "0xffffff"},
    {"mandelbrot=s={s}:r={r}:maxiter=40:start_x=-0.7436438870:start_y=0.1318259042:"
     "start_scale=0.6:end_scale=0.1:end_pts=90",
     "0xb8ff9e"},
};

// A prompt's own picture for image-to-video: its source image, and the start of every clip.
constexpr std::array<std::array<std::string_view, 3>, 4> kSourcePalettes = {{
    {"0x3d2c8d", "0xf4a261", "0x2a9d8f"},
    {"0x1d3557", "0xe63946", "0xf1faee"},
    {"0x283618", "0xdda15e", "0xfefae0"},
    {"0x14213d", "0xfca311", "0xe5e5e5"},
}};

size_t codepoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) {
      lines.emplace_back();
    }
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
    start = end + 1;
  }
  return lines;
}

std::string frame_size() {
  return fmt::format("{}x{}", kClipWidth, kClipHeight);
}

// drawtext with the caption font and the given (already escaped) extra options.
std::string drawtext(const fs::path& font, std::string_view text, std::string_view options) {
  return fmt::format("drawtext=fontfile={}:text={}:expansion=none:{}", filter_value(font.string()),
                     filter_value(text), options);
}

// The moving subject: where it is at time t, by the prompt's kind of motion, played at
// the entrant's own pace and phase so every take differs.
std::string subject(const fs::path& font, const DemoPrompt& p, int look, std::string_view colour) {
  const std::string T = fmt::format("(t*{:.2f}+{:.2f})", 0.85 + 0.04 * look, 0.37 * look);
  std::string x, y, alpha = "1";
  if (p.motion == "cross") {
    x = fmt::format("-tw+(w+tw)*mod({},3)/3", T);
    y = fmt::format("h*0.55-th/2-10*abs(sin(PI*2*{}))", T);
  } else if (p.motion == "fall") {
    x = fmt::format("w*0.25+30*{}", T);
    y = fmt::format("min(h-th-30,24+22*mod({},2.5)*mod({},2.5))", T, T);
  } else if (p.motion == "orbit") {
    x = fmt::format("(w-tw)/2+50*cos(2*{})", T);
    y = fmt::format("(h-th)/2+22*sin(2*{})", T);
  } else if (p.motion == "drift") {
    x = fmt::format("(w-tw)/2-30+20*mod({},3)", T);
    y = fmt::format("(h-th)/2+3*sin(3*{})", T);
  } else if (p.motion == "flicker") {
    x = "(w-tw)/2";
    y = "(h-th)/2";
    alpha = fmt::format("if(lt(mod({},0.8),0.45),1,0.3)", T);
  } else {  // bob
    x = fmt::format("(w-tw)/2+{}", (look % 5 - 2) * 12);
    y = fmt::format("(h-th)/2+8*sin(2*PI*1.1*{})", T);
  }
  const int size = codepoints(p.subject) > 3 ? 30 : 56 + (look % 3) * 4;
  return drawtext(font, p.subject,
                  fmt::format("fontsize={}:fontcolor={}:borderw=2:bordercolor=black@0.7:x={}:"
                              "y={}:alpha={}",
                              size, colour, filter_value(x), filter_value(y), filter_value(alpha)));
}

// The top banner and the prompt's text at the bottom.
std::string captions(const fs::path& font, std::string_view banner, std::string_view text) {
  std::string chain = "drawbox=x=0:y=0:w=iw:h=16:color=black@0.6:t=fill,";
  chain += drawtext(font, banner, "fontsize=10:fontcolor=0xffd84d:x=5:y=3");
  auto lines = wrap(text, kLineChars);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t from_bottom = lines.size() - i;
    chain += ",";
    chain += drawtext(font, lines[i],
                      fmt::format("fontsize=10:fontcolor=white:box=1:boxcolor=black@0.6:"
                                  "boxborderw=2:x=5:y=h-{}",
                                  from_bottom * 14 + 2));
  }
  return chain;
}

std::string look_background(int look, int seed) {
  return fmt::format(fmt::runtime(kLooks[look].background), fmt::arg("s", frame_size()),
                     fmt::arg("r", kClipFps), fmt::arg("seed", seed));
}

std::string source_background(int prompt_index, double speed) {
  const auto& c = kSourcePalettes[static_cast<size_t>(prompt_index) % kSourcePalettes.size()];
  return fmt::format("gradients=s={}:r={}:seed={}:speed={:g}:nb_colors=3:c0={}:c1={}:c2={}",
                     frame_size(), kClipFps, 101 + prompt_index, speed, c[0], c[1], c[2]);
}

// A talking, singing or roaring tone: a note per prompt, a timbre and syllable rate per
// entrant, faded in and out.
std::string tone(int prompt_index, int look) {
  constexpr double kNotes[] = {220.0, 246.94, 261.63, 293.66, 329.63, 196.0};
  const double f = kNotes[prompt_index % 6];
  const std::string expr = fmt::format(
      "0.3*min(1,t*8)*min(1,({}-t)*8)*(0.6+0.4*sin(2*PI*{:.2f}*t))*(sin(2*PI*{:.2f}*t)+{:.2f}*"
      "sin(4*PI*{:.2f}*t)+{:.2f}*sin(6*PI*{:.2f}*t))",
      kClipSeconds, 3 + 0.4 * look, f, 0.1 * (look % 4), f, 0.08 * (look % 3), f);
  return fmt::format(
      "aevalsrc=exprs={}:s=22050:c=mono:d={},aformat=sample_fmts=fltp:sample_rates=22050:"
      "channel_layouts=mono",
      filter_value(expr), kClipSeconds);
}

int look_of(std::string_view model) {
  auto models = demo_models();
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].id == model) return static_cast<int>(i % std::size(kLooks));
  }
  return 0;
}

// The generation config of every demo entrant: the placeholder provider, for each task.
json placeholder_generation() {
  return {{"provider", std::string(kPlaceholderProvider)},
          {"model", {{"text-to-video", "placeholder"}, {"image-to-video", "placeholder"}}}};
}

}  // namespace

RenderPlan plan_render(const fs::path& render_dir, const fs::path& font) {
  RenderPlan plan;
  std::string& m = plan.manifest;
  auto line = [&m](const json& record) { m += record.dump() + "\n"; };

  for (const auto& t : demo_tracks()) {
    line({{"kind", "track"},
          {"id", t.id},
          {"name", t.name},
          {"task", t.task},
          {"audio", t.audio},
          {"duration_s", kClipSeconds},
          {"width", kClipWidth},
          {"height", kClipHeight},
          {"fps", kClipFps}});
  }
  for (const auto& model : demo_models()) {
    json record{{"kind", "model"},
                {"id", model.id},
                {"display_name", model.display_name},
                {"organization", model.organization},
                {"status", model.codename.empty() ? "public" : "anonymous"},
                {"generation", placeholder_generation()}};
    if (!model.codename.empty()) record["codename"] = model.codename;
    line(record);
  }

  int prompt_index = 0;
  for (const auto& t : demo_tracks()) {
    const bool image_to_video = t.task == "image-to-video";
    for (const auto& p : t.prompts) {
      ++prompt_index;
      json record{{"kind", "prompt"}, {"track", t.id},    {"id", p.id},
                  {"text", p.text},   {"language", "en"}, {"categories", p.categories}};
      if (image_to_video) {
        const std::string source = fmt::format("sources/{}-{}.png", t.id, p.id);
        record["source"] = source;
        RenderJob job;
        job.out = render_dir / source;
        job.image = true;
        job.label = fmt::format("{}/{} source", t.id, p.id);
        job.recipe.video = source_background(prompt_index, kStill) + "," +
                           subject(font, p, 0, "0xffffff") + "," +
                           captions(font, kSourceCaption, p.text) + ",format=rgb24";
        plan.jobs.push_back(std::move(job));
      }
      line(record);
    }
  }
  return plan;
}

Result<media::ClipRecipe> clip_recipe(std::string_view track_id, std::string_view prompt_id,
                                      std::string_view model_id, const fs::path& font) {
  int prompt_index = 0;
  for (const auto& t : demo_tracks()) {
    const bool image_to_video = t.task == "image-to-video";
    for (const auto& p : t.prompts) {
      ++prompt_index;
      if (t.id != track_id || p.id != prompt_id) continue;
      const int look = look_of(model_id);
      // Image to video starts from the prompt's picture; each entrant animates it its own
      // way (pace, colour drift). Text to video: each entrant has its own look.
      std::string background = image_to_video
                                   ? source_background(prompt_index, 0.01 + 0.004 * look) +
                                         fmt::format(",hue=h={}", look * 7 - 35)
                                   : look_background(look, prompt_index * 16 + look);
      media::ClipRecipe recipe;
      recipe.video = background + "," +
                     subject(font, p, look, image_to_video ? "0xffffff" : kLooks[look].colour) +
                     "," + captions(font, kClipCaption, p.text) + ",format=yuv420p";
      if (t.audio) recipe.audio = tone(prompt_index, look);
      recipe.seconds = kClipSeconds;
      return recipe;
    }
  }
  return fail("unsupported", fmt::format("{}/{} is not a demo prompt", track_id, prompt_id));
}

}  // namespace paddock::demo
