// The phone's search in node (run by tests/it/offline_search.rs): loads /m/search.js and
// /m/search-index from the server at BASE_URL as a browser would, builds the index, ranks every
// query given on stdin (a JSON array of strings) and prints one JSON object: per query the top
// five ids and the clear_match flag, and the timings (index build, each query).
'use strict';
const vm = require('node:vm');
const { performance } = require('node:perf_hooks');

async function get(path) {
  const r = await fetch(process.env.BASE_URL + path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return r;
}

async function main() {
  const queries = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const code = await (await get('/m/search.js')).text();
  const raw = await (await get('/m/search-index')).text();
  // As in a page: a global `self`, no module system.
  const page = vm.createContext({});
  vm.runInContext(code, page, { filename: 'search.js' });
  const started = performance.now();
  const index = page.PenaltySearch.build(JSON.parse(raw));
  const buildMs = performance.now() - started;
  // Warm up (the JIT), then time each query once.
  for (const q of queries.slice(0, 50)) index.search(q, 5);
  const results = [];
  const times = [];
  for (const q of queries) {
    const t0 = performance.now();
    const page = index.search(q, 5);
    times.push(performance.now() - t0);
    results.push({ q, ids: page.items.map((h) => h.id), clear: page.clear_match, units: page.items.map((h) => h.unit) });
  }
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(JSON.stringify({
    index_bytes: Buffer.byteLength(raw),
    build_ms: buildMs,
    median_ms: at(0.5),
    p99_ms: at(0.99),
    max_ms: times[times.length - 1],
    results,
  }));
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
