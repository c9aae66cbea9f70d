#include "store/records.hpp"

#include <array>

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

std::string_view to_string(JobState s) {
  switch (s) {
    case JobState::Planned:
      return "planned";
    case JobState::Submitting:
      return "submitting";
    case JobState::Submitted:
      return "submitted";
    case JobState::Downloading:
      return "downloading";
    case JobState::Stored:
      return "stored";
    case JobState::Refused:
      return "refused";
    case JobState::Failed:
      return "failed";
    case JobState::InDoubt:
      return "in_doubt";
  }
  return "planned";
}

std::optional<JobState> parse_job_state(std::string_view s) {
  for (JobState j :
       {JobState::Planned, JobState::Submitting, JobState::Submitted, JobState::Downloading,
        JobState::Stored, JobState::Refused, JobState::Failed, JobState::InDoubt}) {
    if (to_string(j) == s) return j;
  }
  return std::nullopt;
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

namespace {
constexpr std::array<std::pair<ModelEventKind, std::string_view>, 5> kEventKinds = {{
    {ModelEventKind::Added, "added"},
    {ModelEventKind::Revealed, "revealed"},
    {ModelEventKind::Retired, "retired"},
    {ModelEventKind::Withdrawn, "withdrawn"},
    {ModelEventKind::Restored, "restored"},
}};
}  // namespace

std::string_view to_string(ModelEventKind kind) {
  for (const auto& [k, name] : kEventKinds) {
    if (k == kind) return name;
  }
  return "added";
}

std::optional<ModelEventKind> parse_model_event_kind(std::string_view name) {
  for (const auto& [k, n] : kEventKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace paddock::store
