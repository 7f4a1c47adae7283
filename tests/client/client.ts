// A client of the service generated from openapi/openapi.json: the types by openapi-typescript
// (generated/api.d.ts), the calls by openapi-fetch. Type-checked with `tsc --strict`, then run by
// node against a server (tests/it/client.rs): one calculation as an inspector, one case review
// as a reviewer. Prints one JSON line with what the server answered, for the Rust test to check.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type CalcRequest = components["schemas"]["CalcRequest"];
type ReviewCase = components["schemas"]["ReviewCase"];

declare const process: { env: Record<string, string | undefined> };

const baseUrl = process.env.BASE_URL;
const inspector = process.env.INSPECTOR_TOKEN;
const reviewer = process.env.REVIEWER_TOKEN;
if (!baseUrl || !inspector || !reviewer) {
  throw new Error("BASE_URL, INSPECTOR_TOKEN and REVIEWER_TOKEN are needed");
}

const client = createClient<paths>({ baseUrl });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const calcRequest: CalcRequest = {
  matter_id: "ZHZF-019",
  party: "individual",
  facts: { stall_area: "1.5" },
  act_date: "2026-11-01",
  case_ref: "生成客户端测试〔2026〕1号",
};
const calc = await client.POST("/api/v1/calculate", {
  body: calcRequest,
  headers: bearer(inspector),
});
if (calc.error || !calc.data) {
  throw new Error(`calculate: ${calc.response.status} ${JSON.stringify(calc.error)}`);
}
// Typed fields: a misspelt one would not compile.
const receipt: string = calc.data.receipt;
const outcome: "penalty" | "no_penalty" | "time_barred" = calc.data.outcome;
const tierLevel = calc.data.tier?.level ?? null;
const fine = calc.data.fine ?? null;

const reviewCase: ReviewCase = {
  case_ref: "生成客户端测试〔2026〕2号",
  party: "organisation",
  inspector: "王五",
  act_date: "2026-05-01",
  decision_date: "2026-06-01",
  acts: [
    {
      matter_id: "ZHZF-001",
      facts: { construction_cost: "1000000", illegal_area: "45" },
    },
  ],
  proposed: { fine: "1" },
};
const review = await client.POST("/api/v1/reviews", {
  body: reviewCase,
  headers: bearer(reviewer),
});
if (review.error || !review.data) {
  throw new Error(`review: ${review.response.status} ${JSON.stringify(review.error)}`);
}
const verdict: "conforms" | "deviates" | "unlawful" = review.data.verdict;
const firstAct = review.data.acts[0];

// A refusal comes back typed as the documented ErrorBody.
const refused = await client.POST("/api/v1/calculate", {
  body: { ...calcRequest, matter_id: "NO-SUCH-MATTER" },
  headers: bearer(inspector),
});
const refusal = refused.error?.error.code ?? null;

console.log(
  JSON.stringify({
    calculation: { receipt, outcome, tier: tierLevel, fine },
    review: {
      receipt: review.data.receipt,
      verdict,
      act_verdict: firstAct?.verdict ?? null,
      standard_fine: firstAct?.standard.fine ?? null,
    },
    refusal: { status: refused.response.status, code: refusal },
  }),
);
