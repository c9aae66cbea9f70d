#include "generate/provider.hpp"

namespace paddock::generate {

std::string_view to_string(TaskState state) {
  switch (state) {
    case TaskState::Queued:
      return "queued";
    case TaskState::Running:
      return "running";
    case TaskState::Succeeded:
      return "succeeded";
    case TaskState::Failed:
      return "failed";
    case TaskState::Expired:
      return "expired";
    case TaskState::Canceled:
      return "canceled";
  }
  return "queued";
}

}  // namespace paddock::generate
