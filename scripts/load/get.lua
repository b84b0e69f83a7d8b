-- wrk script of scripts/load-wrk.sh: GETs the paths listed in a file (one a line) round robin,
-- each thread starting at its own offset; the requests are formatted once, in init().
-- Reports one JSON line prefixed "LOAD " (bytes: all bytes read, headers included).
--
-- Statuses: by default wrk does not parse replies for Lua (a response() callback copies every
-- body into a Lua string, which costs the client more than a tile costs the server), so the
-- line counts "2xx/3xx" and "4xx/5xx" from wrk's own count of replies with a status above 399.
-- With a second argument "statuses", response() counts each status exactly.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  reqs = {}
  for line in io.lines(args[1]) do reqs[#reqs + 1] = wrk.format("GET", line) end
  n = id * 7919
  statuses = {}
  if args[2] ~= "statuses" then response = nil end
end

function request()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end

function response(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  if next(total) == nil then
    total["2xx/3xx"] = summary.requests - summary.errors.status
    total["4xx/5xx"] = summary.errors.status
  end
  local parts = {}
  for k, v in pairs(total) do
    if v > 0 then parts[#parts + 1] = string.format('"%s":%d', k, v) end
  end
  io.write(string.format(
    'LOAD {"requests":%d,"bytes":%d,"seconds":%.3f,"p50_ms":%.2f,"p99_ms":%.2f,"statuses":{%s}}\n',
    summary.requests, summary.bytes, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    table.concat(parts, ",")))
end
