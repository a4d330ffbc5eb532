-- wrk script: GET one of the pre-loaded patients bench-0 .. bench-(N-1) at random.
local n = tonumber(os.getenv("BENCH_READ_IDS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/fhir/Patient/bench-" .. math.random(0, n - 1))
end
