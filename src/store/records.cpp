#include "store/records.hpp"

namespace paddock::store {
std::string_view to_string(Task t) {
  switch (t) {
    case Task::TextToVideo:
      return "text-to-video";
    case Task::ImageToVideo:
      return "image-to-video";
    case Task::VideoEdit:
      return "video-edit";
  }
  return "text-to-video";
}

std::string_view to_string(ModelStatus s) {
  switch (s) {
    case ModelStatus::Hidden:
      return "hidden";
    case ModelStatus::Anonymous:
      return "anonymous";
    case ModelStatus::Public:
      return "public";
    case ModelStatus::Retired:
      return "retired";
  }
  return "hidden";
}

std::string_view to_string(Upsert u) {
  switch (u) {
    case Upsert::Inserted:
      return "inserted";
    case Upsert::Updated:
      return "updated";
    case Upsert::Unchanged:
      return "unchanged";
  }
  return "unchanged";
}

std::string_view to_string(Choice c) {
  switch (c) {
    case Choice::Left:
      return "left";
    case Choice::Right:
      return "right";
    case Choice::Tie:
      return "tie";
    case Choice::BothBad:
      return "both_bad";
  }
  return "tie";
}

std::optional<Task> parse_task(std::string_view s) {
  for (Task t : {Task::TextToVideo, Task::ImageToVideo, Task::VideoEdit}) {
    if (to_string(t) == s) return t;
  }
  return std::nullopt;
}

std::optional<ModelStatus> parse_model_status(std::string_view s) {
  for (ModelStatus m :
       {ModelStatus::Hidden, ModelStatus::Anonymous, ModelStatus::Public, ModelStatus::Retired}) {
    if (to_string(m) == s) return m;
  }
  return std::nullopt;
}

std::optional<Choice> parse_choice(std::string_view s) {
  for (Choice c : {Choice::Left, Choice::Right, Choice::Tie, Choice::BothBad}) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

}  // namespace paddock::store
