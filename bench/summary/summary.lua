-- wrk script: GET Patient/{id}/$summary (or the Patient, OP=read) for the ids in the file in env IDS, round robin per thread (offset by
-- thread), with the bearer token in env BENCH_TOKEN. Prints one RESULT line with the latency percentiles.
local ids = {}
for line in io.lines(os.getenv("IDS")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local token = os.getenv("BENCH_TOKEN")
-- OP=read requests the Patient itself instead (the server's floor on the same machine and data).
local suffix = os.getenv("OP") == "read" and "" or "/$summary"
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  local id = ids[((counter + (offset or 0)) % #ids) + 1]
  return wrk.format("GET", "/fhir/Patient/" .. id .. suffix,
    { ["Accept"] = "application/fhir+json", ["Authorization"] = "Bearer " .. token })
end
done = function(summary, latency)
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p90=%.1fms p99=%.1fms max=%.1fms non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status, summary.requests))
end
