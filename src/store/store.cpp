#include "store/store.hpp"

#include <fmt/core.h>

#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

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

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  return open_store(location, StoreOptions{});
}

Result<std::unique_ptr<Store>> open_store(const std::string& location,
                                          const StoreOptions& options) {
  std::string_view where = location;
  if (where.starts_with("postgresql://") || where.starts_with("postgres://")) {
    return open_postgres_store(location, options);
  }
  if (where.starts_with("sqlite:")) where.remove_prefix(7);
  if (where.find("://") != std::string_view::npos) {
    return fail("invalid_argument",
                fmt::format("{}: unknown kind of database; give a SQLite file path or a "
                            "postgresql:// URL",
                            location));
  }
  return open_sqlite_store(std::string(where), options);
}

}  // namespace paddock::store
