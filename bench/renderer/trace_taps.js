// Where a chosa tap's time goes, from a Chromium performance trace (DevTools protocol Tracing,
// through playwright's browser.startTracing): taps on one tile of page 1 of the 2,000-question
// form in `chosa kiosk`, and for each tap the renderer's main-thread tasks from the click to the
// frame that draws the answer, the request as the renderer sees it (devtools.timeline's
// ResourceSendRequest / ResourceReceiveResponse / ResourceFinish), and each task's wall time
// against its thread time (a task whose wall time is well above its CPU time was waiting for a
// core: another process had it).
//
//   node trace_taps.js --chosa BIN --form FORM_2000.chosa.json --out DIR [--taps 12]
//
// Writes DIR/trace.json (open it in chrome://tracing or Perfetto) and prints one line per event.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.chosa || !args.form || !args.out) {
  console.error('usage: node trace_taps.js --chosa BIN --form FORM_2000.chosa.json --out DIR [--taps 12]');
  process.exit(2);
}
const TAPS = parseInt(args.taps || '12', 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  fs.mkdirSync(args.out, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chosa-rtrace-'));
  const portFile = path.join(dir, 'port');
  const kiosk = spawn(args.chosa, ['kiosk', args.form, '--store', path.join(dir, 's.sqlite'), '--listen', '127.0.0.1:0', '--port-file', portFile],
    { stdio: 'ignore' });
  while (!fs.existsSync(portFile) || !fs.readFileSync(portFile, 'utf8').trim()) await sleep(50);
  const port = parseInt(fs.readFileSync(portFile, 'utf8'), 10);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    await context.addInitScript({ content: fs.readFileSync(path.join(__dirname, 'instrument.js'), 'utf8') });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.chosaRenderer && document.querySelector('#main').children.length > 0);
    await page.evaluate(async () => {
      const token = document.querySelector('meta[name="chosa-token"]').getAttribute('content');
      await fetch('/api/action', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chosa-Token': token },
        body: JSON.stringify({ v: 1, id: 9000, op: 'start', form_id: 'bench_2000', language: 'ja' }) });
    });
    await page.reload();
    await page.waitForSelector('fieldset[data-path="q00008"]');
    const target = (v) => `fieldset[data-path="q00008"] label.tile:has(> input[value="${v}"])`;
    await page.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'center' }), target('4'));
    for (let i = 0; i < 4; i++) {  // warm up
      const box = await page.locator(target(i % 2 ? '1' : '4')).boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await sleep(300);
    }
    const tracePath = path.join(args.out, 'trace.json');
    await browser.startTracing(page, {
      path: tracePath,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink.user_timing', 'v8.execute', 'loading'],
    });
    const results = [];
    for (let i = 0; i < TAPS; i++) {
      const box = await page.locator(target(i % 2 ? '1' : '4')).boundingBox();
      await page.evaluate(() => window.__tapBench.arm('click'));
      await sleep(Math.random() * 17);
      await page.evaluate((i) => performance.mark('tap-' + i), i);
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      results.push(await page.evaluate(() => window.__tapBench.settle(250, 10000)));
    }
    await browser.stopTracing();
    fs.writeFileSync(path.join(args.out, 'taps.json'), JSON.stringify(results));

    // The analysis: the renderer main thread of the page, its top-level tasks after each click.
    const events = JSON.parse(fs.readFileSync(tracePath, 'utf8')).traceEvents;
    const threadNames = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.pid + ':' + e.tid, e.args.name]));
    const clicks = events.filter((e) => e.name === 'EventDispatch' && e.args && e.args.data && e.args.data.type === 'click').sort((a, b) => a.ts - b.ts);
    if (!clicks.length) throw new Error('no click in the trace');
    const main = clicks[0].pid + ':' + clicks[0].tid;
    // One click event per tap on the label, one on the input it activates: the first of each pair.
    const taps = [];
    for (const c of clicks) if (!taps.length || c.ts - taps[taps.length - 1].ts > 50000) taps.push(c);
    const summary = [];
    taps.forEach((click, k) => {
      const r = results[k];
      const until = click.ts + ((r && r.drawn) || 40) * 1000 + 2000;
      const mine = events.filter((e) => e.ts >= click.ts - 500 && e.ts <= until);
      console.log(`\ntap ${k}: drawn ${r && r.drawn !== null ? r.drawn.toFixed(1) : '?'} ms, DOM ${r && r.work !== null ? r.work.toFixed(1) : '?'} ms (instrument's clock, from the click's timeStamp)`);
      let busyWall = 0;
      let busyCpu = 0;
      for (const e of mine) {
        const thread = threadNames.get(e.pid + ':' + e.tid) || e.tid;
        const at = ((e.ts - click.ts) / 1000).toFixed(2).padStart(7);
        if (e.pid + ':' + e.tid === main && e.name === 'RunTask' && e.ph === 'X' && e.dur >= 100) {
          const inner = mine.filter((f) => f.pid === e.pid && f.tid === e.tid && f.ph === 'X' && f.ts >= e.ts && f.ts + f.dur <= e.ts + e.dur &&
            f !== e && f.dur >= 100 && ['FunctionCall', 'EventDispatch', 'UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize',
              'FireAnimationFrame', 'ResourceReceiveResponse', 'ResourceFinish', 'v8.run', 'RunMicrotasks', 'TimerFire', 'ParseHTML',
              'HitTest', 'UpdateLayer', 'Commit', 'BeginMainThreadFrame'].includes(f.name))
            .map((f) => f.name + (f.name === 'EventDispatch' ? '(' + f.args.data.type + ')' : '') + ' ' + (f.dur / 1000).toFixed(2));
          busyWall += e.dur;
          busyCpu += e.tdur || 0;
          console.log(`${at} ms  main  task ${(e.dur / 1000).toFixed(2)} ms wall, ${((e.tdur || 0) / 1000).toFixed(2)} ms cpu: ${inner.slice(0, 8).join(', ')}`);
        } else if (/^Resource(SendRequest|ReceiveResponse|Finish)$/.test(e.name)) {
          console.log(`${at} ms  ${thread}  ${e.name}${e.name === 'ResourceReceiveResponse' && e.args.data.timing ? '' : ''}`);
        }
      }
      summary.push({ tap: k, drawn: r && r.drawn, work: r && r.work, mainWallMs: busyWall / 1000, mainCpuMs: busyCpu / 1000 });
    });
    console.log('\n' + JSON.stringify(summary));
  } finally {
    await browser.close();
    kiosk.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
