-- wrk script of the load benchmarks: one logged calculation (ZHZF-001, a percent fine with one
-- 从轻 ground) with the inspector token in $TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"matter_id":"ZHZF-001","party":"organisation","facts":{"construction_cost":"1234567.89","illegal_area":"85"},"circumstances":["confessed"],"act_date":"2026-06-01","discovered_date":"2026-07-01"}'
