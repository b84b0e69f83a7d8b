-- wrk script of scripts/load.sh: POSTs each pre-signed statement of a bodies file once
-- (ledger-bench load-prepare), thread k taking lines k, k+T, k+2T, ...; a thread stops when
-- its share is sent. Optional third argument: a delay in ms before each request on a
-- connection (to run below the peak rate). Optional fourth: a file prefix; each thread then
-- writes "<index> <leafHash>" for every 2xx reply to <prefix>.<thread> (the acknowledged
-- entries that a crash must not lose). Reports status counts and latency percentiles
-- as one JSON line prefixed "LOAD ".
local threads = {}
local counter = 0

-- Seconds since boot from /proc/uptime (10 ms resolution): wrk's summary.duration is the
-- configured duration even when every thread stopped early, after sending its share.
local function uptime()
  local f = io.open("/proc/uptime")
  local t = tonumber(f:read("*n"))
  f:close()
  return t
end

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  pause = tonumber(args[3] or "0")
  if args[4] then acks = io.open(args[4] .. "." .. id, "a") end
  bodies = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then bodies[#bodies + 1] = line end
    i = i + 1
  end
  sent, answered, statuses = 0, 0, {}
  started, finished = uptime(), nil
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  return pause
end

function request()
  sent = sent + 1
  -- Past the share, repeat the last body: the server answers 409 (a duplicate), counted apart.
  local body = bodies[math.min(sent, #bodies)]
  return wrk.format("POST", "/api/v1/entries", nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  local key = tostring(status)
  if answered > #bodies then key = "overrun" end
  statuses[key] = (statuses[key] or 0) + 1
  if acks and status >= 200 and status < 300 then
    local index = body:match('"index":(%d+)')
    local leaf = body:match('"leafHash":"([^"]+)"')
    acks:write(index, " ", leaf, "\n")
    acks:flush()
  end
  if answered >= #bodies then
    finished = uptime()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = {}
  -- The run's real length: from the first thread's start to the last thread's stop, or the
  -- configured duration when a thread ran to the end.
  local first, last = nil, nil
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    local s, f = t:get("started"), t:get("finished")
    if first == nil or s < first then first = s end
    if f == nil then last = math.huge elseif last == nil or f > last then last = f end
  end
  local seconds = summary.duration / 1e6
  if first and last and last ~= math.huge then seconds = math.min(seconds, math.max(last - first, 0.01)) end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  io.write(string.format(
    'LOAD {"requests":%d,"seconds":%.3f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, seconds, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, table.concat(parts, ",")))
end
