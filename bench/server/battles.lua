-- wrk script: POST /api/battles as one voter session (the cookie comes from $PADDOCK_COOKIE).
-- With `-- mint FILE`, every ticket received is also written to FILE.<thread>, for votes.lua.
-- $PADDOCK_PAUSE_MS > 0: each connection waits that long between an answer and its next
-- request (a paced load, not saturation).
local cookie = os.getenv("PADDOCK_COOKIE") or ""
local track = os.getenv("PADDOCK_TRACK") or "bench"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/battles"
  wrk.body = '{"track":"' .. track .. '"}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = cookie
  created = 0
  if args[1] == "mint" then
    out = io.open(args[2] .. "." .. id, "w")
  end
end

local pause = tonumber(os.getenv("PADDOCK_PAUSE_MS") or "")
if pause and pause > 0 then
  function delay() return pause end
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    if out then
      local ticket = body:match('"ticket":"([^"]+)"')
      if ticket then out:write(ticket, "\n") end
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("created") end
  io.write(string.format("battles created: %d (%.0f/s)\n", total,
                         total / (summary.duration / 1e6)))
end
