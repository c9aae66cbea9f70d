#pragma once
// Who works on a generation job: an owner id names the host and the process, so a run that
// finds a job held by a process of this host that no longer exists takes it over at once
// instead of waiting for its lease to end (docs/generate.md, "Exactly once").

#include <string>
#include <string_view>

namespace paddock::generate {

// "<host>/<pid>/<random>" for this process; the same for the whole process.
const std::string& this_process_owner();

// True if `owner` names a process of this host that is not running. Owners of other hosts,
// and ids that do not parse, are never taken for dead: their leases decide.
bool owner_is_dead(std::string_view owner);

// `bytes` random bytes as lowercase hex (client references, placeholder task ids).
std::string random_hex(std::size_t bytes);

}  // namespace paddock::generate
