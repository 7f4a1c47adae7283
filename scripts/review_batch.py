"""Writes the benchmark's review batch: 1,000 cases, one act under two provisions (第二十九条)
with a deviating proposal, every tenth case with an unknown matter (an error entry).
Used by bench-load.sh and bench-review.sh:  python3 scripts/review_batch.py OUT.json"""
import json
import sys

case = {"party": "organisation", "act_date": "2026-06-01", "decision_date": "2026-11-20",
        "circumstances": ["confessed"],
        "acts": [{"matter_id": "STHJ-001", "facts": {"refusal_form": "refused"},
                  "also_violates": [{"matter_id": "STHJ-028", "facts": {"method": "refuse_entry"}}]}],
        "proposed": {"fine": "150000", "measures": ["责令改正"]}}
cases = []
for i in range(1000):
    c = json.loads(json.dumps(case))
    c["case_ref"] = f"龙环罚〔2026〕{i}号"
    if i % 10 == 9:
        c["acts"][0]["matter_id"] = "NOPE-1"
    cases.append(c)
json.dump({"cases": cases}, open(sys.argv[1], "w"), ensure_ascii=False)
