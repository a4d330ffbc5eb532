-- wrk script: the server team's create workload (bench/http/create.lua) plus the shared report.
dofile("bench/http/create.lua")
dofile("bench/harness/report.lua")
