-- Shared by the wrk scripts that act as a voter (battles.lua, votes.lua, mixed.lua), which
-- load it with dofile: the session and track they use, the pause of a paced run, and the
-- per-thread counters their done() reports.
--   $PADDOCK_COOKIE    the voter's session cookie
--   $PADDOCK_TRACK     the track battles are asked for (default "bench")
--   $PADDOCK_PAUSE_MS  > 0: a paced run, each connection pausing that long between an answer
--                      and its next request (delay(); a script may define its own)
cookie = os.getenv("PADDOCK_COOKIE") or ""
track = os.getenv("PADDOCK_TRACK") or "bench"
pause_ms = tonumber(os.getenv("PADDOCK_PAUSE_MS") or "")
if pause_ms and pause_ms <= 0 then pause_ms = nil end
if pause_ms then
  function delay() return pause_ms end
end

local threads = {}
local counter = 0

-- Runs in wrk's main Lua state, once per thread: numbers the threads (as `id`, for file
-- names) and keeps them for total().
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- The sum over every wrk thread of one of its global counters (for done()).
function total(name)
  local sum = 0
  for _, t in ipairs(threads) do sum = sum + t:get(name) end
  return sum
end

-- The headers of a JSON request made in the voter's session.
function use_session_headers()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = cookie
end
