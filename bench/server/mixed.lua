-- wrk script: what voters do: POST /api/battles, then POST /api/votes on a ticket received,
-- and (with $PADDOCK_PAUSE_MS > 0) a pause before each battle. The connections of a wrk
-- thread share one queue of tickets, so each battle is followed by one vote, though not
-- always on the same connection. Battles and votes share the database, as they do in use:
-- the battle recorder's transactions and the vote writer's group commits take turns. wrk's
-- latency figures mix both kinds of request; /metrics has each route's own.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "voter.lua")

function init(args)
  use_session_headers()
  battle_body = '{"track":"' .. track .. '"}'
  tickets = {}
  created = 0
  stored = 0
  refused = 0
end

if pause_ms then
  -- Pause only before a battle (no ticket is waiting for its vote).
  function delay()
    if #tickets == 0 then return pause_ms end
    return 0
  end
end

function request()
  local t = table.remove(tickets)
  if t then
    return wrk.format("POST", "/api/votes", nil,
      '{"ticket":"' .. t .. '","choice":"left","left_watch_ms":5000,"right_watch_ms":5100,' ..
      '"decision_ms":12000}')
  end
  return wrk.format("POST", "/api/battles", nil, battle_body)
end

function response(status, headers, body)
  if status == 201 and body:find('"ticket"', 1, true) then
    created = created + 1
    tickets[#tickets + 1] = body:match('"ticket":"([^"]+)"')
  elseif status == 201 then
    stored = stored + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local c, s, r = total("created"), total("stored"), total("refused")
  local secs = summary.duration / 1e6
  io.write(string.format("battles created: %d (%.0f/s), votes stored: %d (%.0f/s), refused: %d\n",
                         c, c / secs, s, s / secs, r))
end
