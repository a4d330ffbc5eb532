-- wrk script: POST a small Patient (server-assigned id) on every request.
-- The server requires a token: bench/run.sh and bench/http/run.sh fetch one from /dev/token (--dev-identity).
local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.body = [[{"resourceType":"Patient","active":true,"identifier":[{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"14038512405"}],"name":[{"use":"official","family":"Nordmann","given":["Kari","Marie"]}],"gender":"female","birthDate":"1985-03-14","address":[{"line":["Storgata 1"],"postalCode":"0155","city":"Oslo","country":"NO"}]}]]
