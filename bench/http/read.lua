-- wrk script: GET one of the pre-loaded patients bench-0 .. bench-(N-1) at random.
-- The server requires a token: bench/run.sh and bench/http/run.sh fetch one from /dev/token (--dev-identity).
local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
local n = tonumber(os.getenv("BENCH_READ_IDS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/fhir/Patient/bench-" .. math.random(0, n - 1))
end
