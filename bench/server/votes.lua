-- wrk script: POST /api/votes with tickets minted beforehand by battles.lua (FILE.<thread>),
-- each used once, so every 201 is one durable vote. Counts 201s; reuses tickets (409) only
-- if they run out, which the summary reports. `-- FILE FIRST` starts at ticket FIRST (1-based),
-- so a second run can use tickets the first did not. $PADDOCK_PAUSE_MS > 0: each connection
-- waits that long between a vote's answer and its next vote (a paced load, not saturation).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "voter.lua")

function init(args)
  tickets = {}
  for line in io.lines(args[1] .. "." .. id) do tickets[#tickets + 1] = line end
  next_ticket = tonumber(args[2] or "1")
  if next_ticket > #tickets then next_ticket = 1 end
  stored = 0
  refused = 0
  use_session_headers()
  local choices = {"left", "right", "tie", "left", "right"}
  choice = choices
end

function request()
  local t = tickets[next_ticket]
  local c = choice[(next_ticket % #choice) + 1]
  next_ticket = next_ticket + 1
  if next_ticket > #tickets then next_ticket = 1 end
  return wrk.format("POST", "/api/votes", nil,
    '{"ticket":"' .. t .. '","choice":"' .. c ..
    '","left_watch_ms":5000,"right_watch_ms":5100,"decision_ms":12000}')
end

function response(status, headers, body)
  if status == 201 then stored = stored + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local s, r = total("stored"), total("refused")
  io.write(string.format("votes stored: %d (%.0f/s), refused: %d\n", s,
                         s / (summary.duration / 1e6), r))
end
