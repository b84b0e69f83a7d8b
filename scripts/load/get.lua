-- wrk script of scripts/load-wrk.sh: GETs the paths listed in a file (one a line) round robin,
-- each thread starting at its own offset. Reports one JSON line prefixed "LOAD "
-- (bytes: all bytes read, headers included).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  n = id * 7919
  statuses = {}
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  io.write(string.format(
    'LOAD {"requests":%d,"bytes":%d,"seconds":%.3f,"p50_ms":%.2f,"p99_ms":%.2f,"statuses":{%s}}\n',
    summary.requests, summary.bytes, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    table.concat(parts, ",")))
end
