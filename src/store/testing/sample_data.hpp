#pragma once
// Test support: small, valid catalog rows, battles and votes, for tests and benchmarks that
// need a filled store.

#include <string>
#include <vector>

#include "store/records.hpp"

namespace paddock::store::test_support {

inline Track sample_track(std::string id, Task task = Task::TextToVideo) {
  Track t;
  t.id = std::move(id);
  t.name = "Track " + t.id;
  t.task = task;
  t.audio = false;
  t.duration_s = 5;
  t.aspect = "16:9";
  t.width = 1280;
  t.height = 720;
  t.fps = 24;
  return t;
}

inline Model sample_model(std::string id, ModelStatus status = ModelStatus::Public) {
  Model m;
  m.id = std::move(id);
  m.display_name = "Model " + m.id;
  m.organization = "Org " + m.id;
  m.status = status;
  m.codename = status == ModelStatus::Anonymous ? "Codename-" + m.id : "";
  return m;
}

inline Prompt sample_prompt(std::string track_id, std::string id,
                            std::vector<std::string> categories = {"animals", "motion"}) {
  Prompt p;
  p.track_id = std::move(track_id);
  p.id = std::move(id);
  p.text = "A horse gallops along a beach at dawn (" + p.id + ")";
  p.language = "en";
  p.categories = std::move(categories);
  return p;
}

inline Clip sample_clip(std::string track_id, std::string prompt_id, std::string model_id) {
  Clip c;
  c.track_id = std::move(track_id);
  c.prompt_id = std::move(prompt_id);
  c.model_id = std::move(model_id);
  c.hash = "h-" + c.track_id + "-" + c.prompt_id + "-" + c.model_id;
  c.mime = "video/mp4";
  c.duration_s = 5.005;
  c.width = 1280;
  c.height = 720;
  c.fps = 30000.0 / 1001.0;
  c.video_codec = "h264";
  c.bytes = 1234567;
  return c;
}

inline Battle sample_battle(std::string id, std::string track_id = "t2v",
                            int64_t issued_at_ms = 1764213600000) {
  Battle b;
  b.id = std::move(id);
  b.track_id = std::move(track_id);
  b.prompt_id = "p1";
  b.left_model = "alpha";
  b.right_model = "beta";
  b.left_clip = "h-left";
  b.right_clip = "h-right";
  b.session = "session-1";
  b.address = "192.0.2.1";
  b.issued_at_ms = issued_at_ms;
  b.expires_at_ms = issued_at_ms + 3600000;
  return b;
}

inline Vote sample_vote(std::string battle_id, std::string track_id = "t2v",
                        std::string session = "session-1", std::string address = "192.0.2.1") {
  Vote v;
  v.battle_id = std::move(battle_id);
  v.track_id = std::move(track_id);
  v.prompt_id = "p1";
  v.left_model = "alpha";
  v.right_model = "beta";
  v.categories = {"animals", "motion"};
  v.choice = Choice::Left;
  v.left_watch_ms = 5200;
  v.right_watch_ms = 5100;
  v.decision_ms = 14000;
  v.session = std::move(session);
  v.address = std::move(address);
  v.created_at_ms = 1764213601000;
  return v;
}

}  // namespace paddock::store::test_support
