#pragma once
// The track's settings mapped onto one vendor's parameters (a protocol's [settings], see
// task_protocol.hpp): the values the body templates place, and in words every setting the
// vendor cannot honour as asked — said in the plan, before anything is paid for.
//
//   duration   the nearest value the API takes ("duration 5 s sent as 6 s (...)"), or refused
//              when the protocol says not to round; per resolution where the API ties them
//              (Veo: 1080p needs 8 s; MiniMax: 1080P only 6 s)
//   resolution the track's tier ("720p", from the shorter side) to the vendor's value
//   aspect     "16:9" as a ratio, or the pixel size "1280:720" / "1280*720"; a pixel size
//              the API lacks becomes an allowed one of the same ratio (a deviation)
//   audio      a boolean or two spellings; "always on" / "none" are deviations when the
//              track asks otherwise
//   watermark  always asked off; an API that cannot switch it off is a deviation
//   seed       within the API's range (a seed outside it is folded in, a deviation)
// Only settings whose variables the task's body uses are mapped: Kling's image-to-video has
// no aspect_ratio, so the track's aspect is neither sent nor refused there.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "generate/price.hpp"
#include "generate/protocol_template.hpp"
#include "generate/provider.hpp"
#include "generate/task_protocol.hpp"

namespace paddock::generate {

struct MappedSettings {
  TemplateVars vars;  // duration, resolution, aspect, audio, watermark, seed: those sent
  std::vector<std::string> deviations;
  PricedClip clip;  // what the clip will be, for the price table
};

// The track's resolution tier from its size: the shorter side, "720p", "1080p"; 2160 is
// "4k". "" when the size is unknown.
std::string resolution_tier(int width, int height);

// Maps `request`'s settings. `used`: the variables the task's body template uses. `vendor`
// names the API in deviations. Errors: "unsupported" naming the setting, the value asked
// and the values the API takes.
Result<MappedSettings> map_settings(const SettingsSpec& settings, const GenerationRequest& request,
                                    const std::set<std::string>& used, std::string_view vendor);

}  // namespace paddock::generate
