-- wrk script of scripts/bench-alerts.sh: logged calculations that keep the alert rules busy.
-- Each pair of requests asks about one case number on different facts, the second lighter
-- (fact shopping): every second calculation raises a `repeated_case` alert, stored, broadcast.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
function request()
  n = n + 1
  local case = "压测" .. os.time() % 100000 .. "-" .. tostring(id) .. "-" .. math.ceil(n / 2)
  local area = (n % 2 == 1) and "85" or "45"
  local body = '{"matter_id":"ZHZF-001","party":"organisation","facts":{"construction_cost":"1234567.89","illegal_area":"'
    .. area .. '"},"circumstances":["confessed"],"act_date":"2026-06-01","discovered_date":"2026-07-01","case_ref":"' .. case .. '"}'
  return wrk.format(nil, nil, nil, body)
end
