-- wrk: a mixed workload over several models (MODELS, comma-separated ids, from the environment):
-- 70% reads of a parameter, 20% eval forwards, 10% one-element writes, each on a random model.
-- The URL given to wrk is the API base (http://host:port/api/v1). Prints p50/p99 and the answers by status.
local models = {}
for id in string.gmatch(os.getenv("MODELS") or "", "[^,]+") do models[#models + 1] = id end
local statuses = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  counts = {}
end

function request()
  local m = models[math.random(#models)]
  local path = wrk.path .. "/models/" .. m
  local r = math.random()
  if r < 0.7 then
    return wrk.format("GET", path .. "/parameters/0.weight")
  elseif r < 0.9 then
    return wrk.format("POST", path .. "/forward", {["Content-Type"] = "application/json"},
      '{"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}')
  end
  local body = string.format('{"index": [%d, %d], "value": %f}', math.random(0, 7), math.random(0, 3), math.random())
  return wrk.format("PATCH", path .. "/parameters/0.weight", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local by = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts")) do by[status] = (by[status] or 0) + n end
  end
  local text = ""
  for status, n in pairs(by) do text = text .. status .. ":" .. n .. " " end
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, text))
end
