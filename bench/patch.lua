-- wrk: PATCH one element of 0.weight (PATCH /models/{id}/parameters/0.weight given as the URL),
-- a new value each request so every commit stores a changed tensor
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"index": [%d, %d], "value": %d.5}', n % 8, n % 4, n % 1000))
end
