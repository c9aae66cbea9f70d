-- wrk script: GET byte ranges of clips, the URLs listed one per line in the file given as the
-- first argument: $PADDOCK_RANGE_BYTES bytes (default 262144) at a random offset up to
-- $PADDOCK_RANGE_MAX_START. The same script drives paddock and nginx. No response() hook,
-- so wrk does not copy bodies into Lua: both servers are measured by wrk's own counters.
local range_bytes = tonumber(os.getenv("PADDOCK_RANGE_BYTES") or "262144")
local max_start = tonumber(os.getenv("PADDOCK_RANGE_MAX_START") or "0")

function init(args)
  urls = {}
  for line in io.lines(args[1]) do urls[#urls + 1] = line end
  math.randomseed(os.time() + #urls)
end

function request()
  local url = urls[math.random(#urls)]
  local start = 0
  if max_start > 0 then start = math.random(0, max_start) end
  return wrk.format("GET", url, {["Range"] = "bytes=" .. start .. "-" .. (start + range_bytes - 1)})
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("range responses: %d (%.0f/s), %.1f MB/s, non-2xx: %d\n",
                         summary.requests, summary.requests / seconds,
                         summary.bytes / seconds / 1e6, summary.errors.status))
end
