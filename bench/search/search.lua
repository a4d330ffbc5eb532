-- wrk script: GET request paths read from the file in env URLS, round robin per thread, offset by thread.
local paths = {}
for line in io.lines(os.getenv("URLS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
-- Every /fhir request needs a token (BENCH_TOKEN); empty for a server without the trust layer.
local token = os.getenv("BENCH_TOKEN")
local headers = { ["Accept"] = "application/fhir+json" }
if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
request = function()
  counter = counter + 1
  local p = paths[((counter + (offset or 0)) % #paths) + 1]
  return wrk.format("GET", p, headers)
end
local errors = 0
response = function(status)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency)
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p90=%.1fms p99=%.1fms max=%.1fms non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
