-- wrk script of the report benchmark: logged calculations, each with its own case number and a
-- stall area that varies (so the tiers vary), with the inspector token in $TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local n = 0
local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end
function request()
  n = n + 1
  local area = (n % 7) * 0.8 + 0.2
  local body = string.format('{"matter_id":"ZHZF-019","party":"individual","case_ref":"龙综执罚〔2026〕%d-%d号",' ..
    '"facts":{"stall_area":"%.1f","in_bridge_or_underpass":false},"act_date":"2026-06-01"}', id, n, area)
  return wrk.format(nil, nil, nil, body)
end
