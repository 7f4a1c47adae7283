// Browser tests, as a person uses the pages: Debian's chromium driven by playwright-core.
// Run by tests/it/browser.rs, which starts the server and passes BASE_URL, the tokens and
// SCREENSHOT_DIR. Each step asserts; the first failure exits non-zero with its message.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const BASE = process.env.BASE_URL;
const INSPECTOR = process.env.INSPECTOR_TOKEN;
const SUPERVISOR = process.env.SUPERVISOR_TOKEN;
const PUBLISHER = process.env.PUBLISHER_TOKEN;
const SHOTS = process.env.SCREENSHOT_DIR;
mkdirSync(SHOTS, { recursive: true });

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const laptop = { viewport: { width: 1280, height: 860 }, locale: 'zh-CN' };
const RECEIPT = /^\d+-[0-9A-F]{4}$/;
const STREET_VENDING = 'ZHZF-019'; // 占用人行道…设摊经营、兜售物品

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack || e}`);
    await browser.close();
    process.exit(1);
  }
}
async function api(path, token) {
  const r = await fetch(BASE + path, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
}

async function calculateOnPage(page, facts) {
  await page.fill('#q', 'ZHZF-001');
  await page.click('#search-form button[type=submit]');
  await page.locator('button.hit[data-id="ZHZF-001"]').click();
  for (const [key, value] of Object.entries(facts)) await page.fill(`input[name=fact_${key}]`, value);
  // The party is chosen, never pre-ticked.
  assert.equal(await page.locator('input[name=party]:checked').count(), 0, 'no party pre-ticked');
  await page.check('input[name=party][value=organisation]');
  // The act date is the inspector's to enter: the form never assumes it.
  await page.fill('input[name=act_date]', '2026-11-02');
  await page.click('#calc');
}

// ---- the inspector's page on a phone: search → pick → form → receipt ----
const ctx = await browser.newContext(phone);
const page = await ctx.newPage();
let firstLoadBytes = 0;
page.on('requestfinished', async (req) => {
  const s = await req.sizes().catch(() => null);
  if (s) firstLoadBytes += s.responseBodySize + s.responseHeadersSize;
});

await step('the page loads under 150 KB transferred', async () => {
  await page.goto(BASE + '/m', { waitUntil: 'networkidle' });
  assert.ok(firstLoadBytes > 0 && firstLoadBytes < 150 * 1024, `first load ${firstLoadBytes} bytes`);
  console.log(`     first load: ${firstLoadBytes} bytes`);
  await page.locator('#login').waitFor({ state: 'visible' });
});

await step('signing in keeps the unit\'s standards on the device', async () => {
  await page.fill('#token', INSPECTOR);
  await page.click('#login-form button');
  await page.locator('#who').filter({ hasText: '综合行政执法' }).waitFor();
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('pst_pack')).matters.length);
  assert.ok(kept > 50, `matters kept: ${kept}`);
});

await step('a colloquial search finds the matter', async () => {
  await page.fill('#q', '没批就建');
  await page.locator('#hits button.hit').first().waitFor();
  const ids = await page.locator('#hits button.hit').evaluateAll((bs) => bs.map((b) => b.dataset.id));
  assert.ok(ids.slice(0, 5).some((id) => id === 'ZHZF-001' || id === 'ZHZF-002'), `hits: ${ids}`);
});

// Issue 16: what the phone finds offline is what the server finds online. First hits online,
// compared offline below.
const SAME_OFFLINE = ['违章搭建', 'zdjy', '店门口占道经营'];
const onlineFirst = {};
async function firstHit(q) {
  await page.evaluate(() => { document.querySelector('#hits').innerHTML = ''; });
  await page.fill('#q', q);
  const first = page.locator('#hits button.hit').first();
  await first.waitFor();
  const unit = (await first.locator('.unit').textContent()).trim();
  assert.ok(unit, `${q}: the hit shows its unit`);
  return first.getAttribute('data-id');
}
await step('online: the first hits the phone must also find offline', async () => {
  for (const q of SAME_OFFLINE) onlineFirst[q] = await firstHit(q);
});

let onlineReceipt;
await step('the form computes, logs and shows the receipt', async () => {
  await calculateOnPage(page, { construction_cost: '1000000', illegal_area: '45' });
  await page.locator('#receipt').filter({ hasText: RECEIPT }).waitFor();
  onlineReceipt = (await page.textContent('#receipt')).trim();
  assert.match(await page.textContent('#amount'), /元/);
  const fontSize = await page.$eval('#receipt', (e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(fontSize >= 28, `receipt font ${fontSize}px`);
  await page.screenshot({ path: `${SHOTS}/m-result-phone.png`, fullPage: true });
  const entry = await api(`/api/v1/queries/${onlineReceipt}`, SUPERVISOR);
  assert.equal(entry.client, 'mobile');
  assert.equal(entry.offline, false);
});

await step('the general circumstances are folded: the button is reached past no checkbox', async () => {
  assert.equal(await page.locator('details#circ').getAttribute('open'), null);
  assert.equal(await page.locator('input[name=circ]:visible').count(), 0);
  assert.ok(await page.locator('input[name=circ]').count() >= 10, 'the circumstances are there, folded');
  const order = await page.$$eval('#form fieldset legend, #form details summary, #calc',
    (els) => els.map((e) => e.textContent.slice(0, 4)));
  assert.deepEqual(order.slice(-2).map((t) => t.slice(0, 2)), ['从轻', '计算'], `${order}`);
});

await step('a numeric fact gets the numeric keyboard and its unit', async () => {
  const mode = await page.getAttribute('input[name=fact_illegal_area]', 'inputmode');
  assert.equal(mode, 'decimal');
  assert.match(await page.textContent('#form'), /平方米/);
});

// ---- the offline path: computed on the device, queued, logged when the network returns ----
await step('offline: the page reloads from the device and computes provisionally', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload({ waitUntil: 'networkidle' }); // now controlled by the service worker
  // The page fetched the search index through the service worker, which keeps it.
  await page.waitForFunction(async () => {
    for (const k of await caches.keys()) if (await (await caches.open(k)).match('/m/search-index')) return true;
    return false;
  });
  await ctx.setOffline(true);
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.locator('#app').waitFor({ state: 'visible' });
  // The device's copy answers a colloquial search through the kept vocabulary.
  await page.fill('#q', '路边摆摊');
  await page.locator('#search-note').filter({ hasText: '离线' }).waitFor();
  const offlineHits = await page.locator('#hits button.hit').evaluateAll((bs) => bs.map((b) => b.dataset.id));
  assert.ok(offlineHits.includes(STREET_VENDING), `offline hits: ${offlineHits}`);
  // The same ranking as online, over every matter (not only the unit's).
  for (const q of SAME_OFFLINE) assert.equal(await firstHit(q), onlineFirst[q], `${q} offline`);
  assert.match(await page.textContent('#search-note'), /离线/);
  // Another unit's matter is found, but its details are not on the device.
  assert.equal(await firstHit('大气法 99条'), 'STHJ-004');
  await page.locator('button.hit[data-id="STHJ-004"]').click();
  await page.locator('#search-note').filter({ hasText: '离线时只能查本单位事项' }).waitFor();
  await calculateOnPage(page, { construction_cost: '2000000', illegal_area: '120' });
  await page.locator('.receipt.provisional').waitFor();
  assert.equal((await page.textContent('#receipt')).trim(), '待提交');
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('pst_queue')).length);
  assert.equal(queued, 1);
  await page.locator('#net').waitFor({ state: 'visible' });
  await page.screenshot({ path: `${SHOTS}/m-offline-phone.png`, fullPage: true });
});

await step('back online: the queued calculation is logged, marked offline', async () => {
  await ctx.setOffline(false);
  await page.locator('#receipt').filter({ hasText: RECEIPT }).waitFor({ timeout: 20000 });
  const receipt = (await page.textContent('#receipt')).trim();
  assert.notEqual(receipt, onlineReceipt);
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('pst_queue')).length);
  assert.equal(queued, 0);
  const entry = await api(`/api/v1/queries/${receipt}`, SUPERVISOR);
  assert.equal(entry.offline, true);
  assert.ok(entry.request.offline_at, 'the time it was made offline is logged');
  // The offline notice is gone once the queue is through; the queue says it was synced.
  await page.locator('#net').waitFor({ state: 'hidden' });
  assert.doesNotMatch(await page.textContent('#search-note'), /离线/);
  assert.match(await page.textContent('#queue'), /已补录/);
  assert.doesNotMatch(await page.textContent('#queue'), /待提交/);
  await page.screenshot({ path: `${SHOTS}/m-synced-phone.png`, fullPage: true });
});

await step('the inspector opens their own past receipts', async () => {
  await page.click('#mine-open');
  await page.locator('#mine-list button.mine').first().waitFor();
  const mine = await page.locator('#mine-list button.mine').evaluateAll((bs) => bs.map((b) => b.dataset.receipt));
  assert.ok(mine.length >= 2 && mine.includes(onlineReceipt), `mine: ${mine}`);
  await page.locator(`#mine-list button.mine[data-receipt="${onlineReceipt}"]`).click();
  await page.locator('#mine-detail').filter({ hasText: onlineReceipt }).waitFor();
  const text = await page.textContent('#mine-detail');
  assert.match(text, /违法行为发生日期/);
  assert.match(text, /年\d+月\d+日/, 'the time written the Chinese way');
  assert.doesNotMatch(text, /construction_cost|illegal_area/, 'facts by their labels, not field names');
});
await step('online, the phone replaces a superseded copy of the standards', async () => {
  const current = await page.evaluate(() => JSON.parse(localStorage.getItem('pst_pack')).version);
  await page.evaluate(() => {
    const p = JSON.parse(localStorage.getItem('pst_pack'));
    p.version = '2000.1';
    localStorage.setItem('pst_pack', JSON.stringify(p));
  });
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.locator('#who').filter({ hasText: `裁量基准 ${current}` }).waitFor();
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('pst_pack')).version);
  assert.equal(kept, current);
});

await ctx.close();

// ---- the published table ----
const pub = await browser.newContext(laptop);
const pp = await pub.newPage();
await step('the published standards and a matter\'s tier table', async () => {
  await pp.goto(BASE + '/standards');
  assert.match(await pp.textContent('body'), /899/);
  await pp.screenshot({ path: `${SHOTS}/standards-laptop.png`, fullPage: false });
  await pp.goto(BASE + '/standards/matters/STHJ-001');
  const body = await pp.textContent('body');
  assert.match(body, /中华人民共和国大气污染防治法》第九十八条/);
  const rows = await pp.locator('table tbody tr').count();
  assert.ok(rows >= 5, `tier rows: ${rows}`);
  await pp.screenshot({ path: `${SHOTS}/matter-laptop.png`, fullPage: true });
  await pp.emulateMedia({ media: 'print' });
  const navShown = await pp.$eval('header.site', (e) => getComputedStyle(e).display);
  assert.equal(navShown, 'none', 'the print stylesheet hides navigation');
  await pp.pdf({ path: `${SHOTS}/matter-a4.pdf`, format: 'A4' });
  await pp.emulateMedia({ media: 'screen' });
});
await pub.close();

// ---- the supervision dashboard: supervisor, then an inspector ----
for (const [name, device] of [['laptop', laptop], ['phone', phone]]) {
  const c = await browser.newContext(device);
  const p = await c.newPage();
  await step(`the dashboard for a supervisor (${name})`, async () => {
    const r = await p.goto(BASE + '/supervision');
    assert.equal(r.status(), 401);
    await p.fill('input[name=token]', SUPERVISOR);
    await p.click('form button[type=submit]');
    await p.locator('#total').waitFor();
    assert.ok(Number(await p.textContent('#total')) >= 2);
    assert.ok((await p.locator('svg.chart').count()) >= 2, 'charts drawn');
    await p.screenshot({ path: `${SHOTS}/supervision-${name}.png`, fullPage: true });
    await p.locator('#inspectors a').first().click();
    await p.locator('#entries tbody tr').first().waitFor();
    assert.ok(Number(await p.textContent('#entry-total')) >= 1);
  });
  await c.close();
}
const ic = await browser.newContext(laptop);
const ip = await ic.newPage();
await step('the dashboard refuses an inspector', async () => {
  await ip.goto(BASE + '/supervision');
  await ip.fill('input[name=token]', INSPECTOR);
  const [resp] = await Promise.all([
    ip.waitForNavigation(),
    ip.click('form button[type=submit]'),
  ]);
  assert.equal(resp.status(), 403);
  assert.match(await ip.textContent('body'), /无权查看/);
});
await ic.close();

// ---- supervision alerts (issue 17): a new alert reaches the open page without reload ----
await step('a new alert reaches the open alerts page (server-sent events); disposition from the page', async () => {
  const c = await browser.newContext(laptop);
  const p = await c.newPage();
  await p.goto(BASE + '/supervision/alerts');
  await p.fill('input[name=token]', SUPERVISOR);
  await p.click('form button[type=submit]');
  await p.goto(BASE + '/supervision/alerts');
  await p.locator('#alerts').waitFor();
  // Give the page a moment to open its event stream, then ask twice on one case, lighter.
  await p.waitForTimeout(500);
  const ask = (area) => fetch(BASE + '/api/v1/calculate', {
    method: 'POST',
    headers: { Authorization: `Bearer ${INSPECTOR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ matter_id: STREET_VENDING, party: 'individual', facts: { stall_area: area },
      act_date: '2026-11-01', case_ref: '浏览器预警1' }),
  });
  assert.equal((await ask('1.5')).status, 200);
  assert.equal((await ask('0.5')).status, 200);
  const shown = p.locator('#live .new-alert').filter({ hasText: '同案反复查询' });
  await shown.first().waitFor({ timeout: 10000 });
  await p.screenshot({ path: `${SHOTS}/alerts-live.png`, fullPage: true });
  // Its entry, one click away.
  await shown.first().locator('a').click();
  await p.locator('h1').filter({ hasText: '记录' }).waitFor();
  // A disposition from the page.
  await p.goto(BASE + '/supervision/alerts?kind=repeated_case');
  const row = p.locator('#alerts tbody tr').filter({ hasText: '浏览器预警1' }).first();
  await row.locator('select[name=status]').selectOption('explained');
  await row.locator('input[name=text]').fill('已核实：第二次查询更正了测量面积');
  await row.locator('button[type=submit]').click();
  await p.locator('#alerts tbody tr').filter({ hasText: '已核实：第二次查询更正了测量面积' }).first().waitFor();
  await c.close();
});

// ---- the legal office publishes a version (issue 13) ----
await step('the legal office publishes a version; a broken one is refused with every problem', async () => {
  const office = await (await browser.newContext(laptop)).newPage();
  await office.goto(BASE + '/publish');
  await office.fill('input[name=token]', PUBLISHER);
  await office.fill('input[name=effective_date]', process.env.EFFECTIVE_LATER);
  await office.fill('input[name=note]', '较轻阶次调整');
  await office.setInputFiles('input[name=files]', process.env.BROKEN_STANDARDS);
  await office.click('#publish button[type=submit]');
  await office.locator('#refused').waitFor();
  const problems = await office.locator('#problems li').allTextContents();
  assert.ok(problems.some((p) => p.includes('ZHZF-019')), `problems: ${problems}`);
  await office.setInputFiles('input[name=files]', process.env.GOOD_STANDARDS);
  await office.click('#publish button[type=submit]');
  await office.locator('#published').filter({ hasText: '2026.8' }).waitFor();
  await office.locator('#versions tbody tr').filter({ hasText: '待施行' }).waitFor();
  await office.screenshot({ path: `${SHOTS}/publish.png`, fullPage: true });
});

// ---- the API documentation (issue 16): "Try it out" opens on every operation ----
await step('Swagger UI: "Try it out" opens on every operation, and a GET executes', async () => {
  const spec = await (await fetch(BASE + '/openapi.json')).json();
  const ids = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
  assert.ok(ids.length >= 20, `operations in the spec: ${ids.length}`);
  const docs = await (await browser.newContext(laptop)).newPage();
  await docs.goto(BASE + '/docs/');
  await docs.locator('.opblock').first().waitFor();
  const blocks = docs.locator('.opblock');
  assert.equal(await blocks.count(), ids.length, 'one block per operation');
  for (const id of ids) {
    // Swagger UI names each block after its tag and operation id (unique: a test asserts it).
    const block = docs.locator(`.opblock[id$="-${id}"]`);
    assert.equal(await block.count(), 1, `one block for ${id}`);
    await block.locator('.opblock-summary').first().click();
    const tryOut = block.locator('button.try-out__btn').first();
    await tryOut.waitFor({ timeout: 5000 }).catch(() => { throw new Error(`no "Try it out" on ${id}`); });
    assert.match(await tryOut.textContent(), /Try it out/, `${id}: the button offers "Try it out"`);
    await tryOut.click();
    // Opened: the form is editable, with Execute, and the button turns to Cancel.
    await block.locator('button.execute').waitFor({ timeout: 5000 })
      .catch(() => { throw new Error(`"Try it out" did not open on ${id}`); });
    await block.locator('button.try-out__btn.cancel').waitFor({ timeout: 5000 })
      .catch(() => { throw new Error(`${id}: no Cancel after "Try it out"`); });
  }
  // Execute one GET that needs no parameter and read the answer shown.
  const units = docs.locator('.opblock[id$="-units"]');
  await units.locator('button.execute').click();
  // The live answer: status 200 and the units in its body.
  await units.locator('.live-responses-table .response-col_status').filter({ hasText: /^\s*200\s*$/ })
    .first().waitFor({ timeout: 10000 });
  const shown = await units.locator('.live-responses-table').first().textContent();
  assert.match(shown, /ZHZF/, `the answer shown: ${shown.slice(0, 300)}`);
  await docs.screenshot({ path: `${SHOTS}/docs-try-it-out.png` });
  console.log(`     "Try it out" opened on ${ids.length} operations`);
});

await browser.close();
console.log(`${passed} passed, 0 failed`);
