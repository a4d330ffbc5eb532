-- wrk script: GET a random path from the file named by BENCH_PATHS (one path per line).
-- The server requires a token: bench/run.sh and bench/http/run.sh fetch one from /dev/token (--dev-identity).
local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
wrk.headers["Accept"] = "application/fhir+json"
local seeded = false
request = function()
  if not seeded then math.randomseed(os.time() + math.floor(os.clock() * 1e6)); seeded = true end
  return wrk.format("GET", paths[math.random(1, #paths)])
end
dofile("bench/harness/report.lua")
