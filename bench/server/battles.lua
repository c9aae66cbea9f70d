-- wrk script: POST /api/battles as one voter session (the cookie comes from $PADDOCK_COOKIE).
-- With `-- mint FILE`, every ticket received is also written to FILE.<thread>, for votes.lua.
-- $PADDOCK_PAUSE_MS > 0: each connection waits that long between an answer and its next
-- request (a paced load, not saturation).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "voter.lua")

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/battles"
  wrk.body = '{"track":"' .. track .. '"}'
  use_session_headers()
  created = 0
  if args[1] == "mint" then
    out = io.open(args[2] .. "." .. id, "w")
  end
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
  local created = total("created")
  io.write(string.format("battles created: %d (%.0f/s)\n", created,
                         created / (summary.duration / 1e6)))
end
