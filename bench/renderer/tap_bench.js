// Tap to updated page, in Chromium, chosa's renderer in `chosa kiosk` against SurveyJS's own
// renderer (survey-js-ui), on the same questionnaires, in the same browser and the same run,
// the sides alternating tap by tap. bench/renderer/run.sh runs it; BENCHMARKS.md has the results.
//
//   node tap_bench.js --chosa BIN --forms DIR --checklist JSON --out DIR [--taps 120] [--warmup 6]
//                     [--quiet-ms 250] [--timeout-ms 15000] [--only control,checklist,form2000]
//                     [--chosa-alt BIN] [--phases 1]
//
// DIR holds form_2000.{chosa,surveyjs}.json (bench/generate_forms.py) and checklist.surveyjs.json
// (checklist_surveyjs.py). The clock is instrument.js (the same in every page; read it for the
// definition). Actions, each repeated --taps times per side after --warmup unmeasured ones:
//   control:   tap    a button whose click handler changes one text node (control.html): the floor
//                     of the clock itself, what waiting for the next frame costs any page
//   checklist: cell   a cell of the 25-row matrix (rows in turn, the column moving one each pass,
//                     so that every tap changes that row's answer and the total)
//   form2000:  hub    a tile of the hub, a select_one that 9 questions of page 1 (and 373 of the
//                     form) show or hide by (a, b, c in turn)
//              tile   a tile of q00008, a 4-point scale that shows or hides q00025 (4 and 1 in turn)
//              type   "40" typed into the empty integer q00006, committed by Tab (start: the Tab's
//                     keydown); then, unmeasured, cleared and committed again for the next one
// --chosa-alt BIN adds a third side, chosa_alt: the same pages served by another build of chosa
// (a candidate fix), in its own kiosks, in the same rounds.
// --phases 1 adds phases.js (marks of chosa's page: reply parsed, form redrawn): diagnostics only.
// Writes OUT/taps.json (every tap of both sides) and OUT/meta.json; prints progress on stderr.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');

const HERE = __dirname;
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const required of ['chosa', 'forms', 'checklist', 'out']) {
  if (!args[required]) {
    console.error('usage: node tap_bench.js --chosa BIN --forms DIR --checklist JSON --out DIR [--taps N] [--warmup N] [--quiet-ms MS] [--timeout-ms MS] [--only control,checklist,form2000] [--chosa-alt BIN] [--phases 1]');
    process.exit(2);
  }
}
const TAPS = parseInt(args.taps || '120', 10);
const WARMUP = parseInt(args.warmup || '6', 10);
const QUIET = parseInt(args['quiet-ms'] || '250', 10);
const TIMEOUT = parseInt(args['timeout-ms'] || '15000', 10);
const ONLY = (args.only || 'control,checklist,form2000').split(',');
const PHASES = args.phases === '1';
const INSTRUMENT = fs.readFileSync(path.join(HERE, 'instrument.js'), 'utf8');
const log = (...a) => console.error('tap_bench:', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- SurveyJS's side: a static page on loopback, its files from node_modules ------------------

function serveSurveyJs(formsDir) {
  const modules = path.join(HERE, 'node_modules');
  const files = {
    '/surveyjs.html': [path.join(HERE, 'surveyjs.html'), 'text/html; charset=utf-8'],
    '/surveyjs_page.js': [path.join(HERE, 'surveyjs_page.js'), 'text/javascript'],
    '/control.html': [path.join(HERE, 'control.html'), 'text/html; charset=utf-8'],
    '/lib/survey-core.fontless.min.css': [path.join(modules, 'survey-core/survey-core.fontless.min.css'), 'text/css'],
    '/lib/survey.core.min.js': [path.join(modules, 'survey-core/survey.core.min.js'), 'text/javascript'],
    '/lib/japanese.min.js': [path.join(modules, 'survey-core/i18n/japanese.min.js'), 'text/javascript'],
    '/lib/survey-js-ui.min.js': [path.join(modules, 'survey-js-ui/survey-js-ui.min.js'), 'text/javascript'],
    '/forms/checklist.surveyjs.json': [path.join(formsDir, 'checklist.surveyjs.json'), 'application/json'],
    '/forms/form_2000.surveyjs.json': [path.join(formsDir, 'form_2000.surveyjs.json'), 'application/json'],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url.split('?')[0]];
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': file[1], 'Cache-Control': 'no-store' });
    res.end(fs.readFileSync(file[0]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, files })));
}

// ---- chosa's side: a kiosk per form, each with a fresh store ---------------------------------

async function startKiosk(form, dir, name, binary) {
  const portFile = path.join(dir, name + '.port');
  const child = spawn(binary || args.chosa, ['kiosk', form, '--store', path.join(dir, name + '.sqlite'), '--listen', '127.0.0.1:0',
    '--port-file', portFile, '--enumerator', 'bench'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) {
      return { child, port: parseInt(fs.readFileSync(portFile, 'utf8'), 10) };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error('chosa kiosk did not start: ' + stderr);
}

// Messages sent by the test itself (the page's own transport, its token) to put the draft where
// the taps happen; then the page is reloaded and resumes there (docs/web-renderer.md: `view`).
async function actions(page, list) {
  return page.evaluate(async (list) => {
    const token = document.querySelector('meta[name="chosa-token"]').getAttribute('content');
    const replies = [];
    let id = 100000;
    for (const message of list) {
      const response = await fetch('/api/action', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chosa-Token': token },
        body: JSON.stringify(Object.assign({ v: 1, id: ++id }, message)),
      });
      const reply = await response.json();
      if (!reply.ok) throw new Error(JSON.stringify(message) + ' -> ' + JSON.stringify(reply.error));
      replies.push(reply);
    }
    return replies.length;
  }, list);
}

// ---- one tap ---------------------------------------------------------------------------------

// Scrolls the target to the middle of the viewport (outside the measurement) and returns the
// point to tap, checked to hit the target.
async function aim(page, selector) {
  const point = await page.evaluate((selector) => {
    const element = document.querySelector(selector);
    if (!element) return { error: 'no element ' + selector };
    const box0 = element.getBoundingClientRect();
    if (box0.top < 120 || box0.bottom > innerHeight - 120) element.scrollIntoView({ block: 'center' });
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(element === hit || element.contains(hit) || hit.contains(element))) {
      return { error: 'the point of ' + selector + ' hits ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing') };
    }
    return { x, y };
  }, selector);
  if (point.error) throw new Error(point.error);
  return point;
}

async function measuredClick(page, selector) {
  const { x, y } = await aim(page, selector);
  await sleep(60);  // a scroll's own work settles before the clock is armed
  await page.evaluate(() => window.__tapBench.arm('click'));
  await sleep(Math.random() * 17);  // a tap comes at any moment of a 60 Hz frame, not just after one
  await page.mouse.click(x, y);
  return page.evaluate(([q, t]) => window.__tapBench.settle(q, t), [QUIET, TIMEOUT]);
}

async function measuredTyping(page, selector, text) {
  const { x, y } = await aim(page, selector);
  await page.mouse.click(x, y);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.evaluate(() => window.__tapBench.arm('key'));
  await sleep(Math.random() * 17);
  await page.keyboard.press('Tab');
  const result = await page.evaluate(([q, t]) => window.__tapBench.settle(q, t), [QUIET, TIMEOUT]);
  // Put it back (unmeasured): cleared and committed, so the next one types into an empty field.
  await page.mouse.click(x, y);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.evaluate(() => window.__tapBench.arm('key'));
  await page.keyboard.press('Tab');
  await page.evaluate(([q, t]) => window.__tapBench.settle(q, t), [QUIET, TIMEOUT]);
  return result;
}

// ---- the two sides' pages --------------------------------------------------------------------

// Targets by the answer's value: the same choice on both sides.
const SELECT = {
  chosa: {
    cell: (row, value) => `.mx-row[data-path="${row}"] label.mx-cell:has(> input[value="${value}"])`,
    tile: (name, value) => `fieldset[data-path="${name}"] label.tile:has(> input[value="${value}"])`,
    field: (name) => `[data-path="${name}"] input`,
  },
  get chosa_alt() { return this.chosa; },
  surveyjs: {
    cell: (row, value) => `[data-name="checklist"] label:has(> input[name$="_${row}"][value="${value}"])`,
    tile: (name, value) => `[data-name="${name}"] label:has(> input[value="${value}"])`,
    field: (name) => `[data-name="${name}"] input`,
  },
};

async function openChosa(context, port, setup, waitFor) {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.chosaRenderer && document.querySelector('#main').children.length > 0);
  await actions(page, setup);
  await page.reload();
  await page.waitForSelector(waitFor);
  await page.waitForFunction(() => window.chosaRenderer.pending() === 0);
  return page;
}

async function openSurveyJs(context, port, form, waitFor) {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/surveyjs.html?form=${form}`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  await page.waitForSelector(waitFor);
  return page;
}

// ---- main ------------------------------------------------------------------------------------

(async () => {
  fs.mkdirSync(args.out, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chosa-rbench-'));
  const kiosks = [];
  const sjs = await serveSurveyJs(args.forms);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const taps = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    await context.addInitScript({ content: INSTRUMENT });
    if (PHASES) await context.addInitScript({ content: fs.readFileSync(path.join(HERE, 'phases.js'), 'utf8') });
    const sides = {};

    if (ONLY.includes('control')) {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${sjs.port}/control.html`);
      await page.waitForFunction(() => window.benchReady === true);
      sides.control = { control: page };
    }
    const CHECKLIST_SETUP = [
      { op: 'start', form_id: 'coordinator_checklist', language: 'ja' },
      { op: 'answer', path: 'ward', text: '271276' }, { op: 'answer', path: 'hire_month', text: '2024-04-01' },
      { op: 'answer', path: 'year_in_post', text: '1' }, { op: 'answer', path: 'milestone', text: '3' },
      { op: 'answer', path: 'briefing', text: 'yes' }, { op: 'answer', path: 'checklist_mindset', text: 'mindful' },
      { op: 'next' },
    ];
    // chosa's sides: the binary measured, and optionally another build of it (--chosa-alt).
    const chosaSides = [['chosa', args.chosa]];
    if (args['chosa-alt']) chosaSides.push(['chosa_alt', args['chosa-alt']]);
    if (ONLY.includes('checklist')) {
      sides.checklist = {};
      for (const [side, binary] of chosaSides) {
        const kiosk = await startKiosk(args.checklist, dir, 'checklist_' + side, binary);
        kiosks.push(kiosk.child);
        sides.checklist[side] = await openChosa(context, kiosk.port, CHECKLIST_SETUP, '.mx-row[data-path="c25"]');
      }
      sides.checklist.surveyjs = await openSurveyJs(context, sjs.port, 'checklist', '[data-name="checklist"] tbody tr:nth-child(25)');
    }
    if (ONLY.includes('form2000')) {
      sides.form2000 = {};
      for (const [side, binary] of chosaSides) {
        const kiosk = await startKiosk(path.join(args.forms, 'form_2000.chosa.json'), dir, 'form2000_' + side, binary);
        kiosks.push(kiosk.child);
        sides.form2000[side] = await openChosa(context, kiosk.port, [{ op: 'start', form_id: 'bench_2000', language: 'ja' }], 'fieldset[data-path="hub"]');
      }
      sides.form2000.surveyjs = await openSurveyJs(context, sjs.port, 'form_2000', '[data-name="hub"]');
    }
    for (const [form, pages] of Object.entries(sides)) {
      for (const [side, page] of Object.entries(pages)) {
        const state = await page.evaluate(() => ({ visible: document.visibilityState, nodes: document.querySelectorAll('*').length }));
        log(form, side, 'ready:', JSON.stringify(state));
      }
    }

    // The actions: [form, action, measure(page, side, i)].
    const plan = [];
    if (sides.control) plan.push(['control', 'tap', (page) => measuredClick(page, '#tap')]);
    if (sides.checklist) {
      plan.push(['checklist', 'cell', (page, side, i) => {
        const row = 'c' + String((i % 25) + 1).padStart(2, '0');
        const value = String(4 - ((Math.floor(i / 25) + (i % 25)) % 4));  // another column each pass over the rows
        return measuredClick(page, SELECT[side].cell(row, value));
      }]);
    }
    if (sides.form2000) {
      plan.push(['form2000', 'hub', (page, side, i) => measuredClick(page, SELECT[side].tile('hub', 'abc'[i % 3]))]);
      plan.push(['form2000', 'tile', (page, side, i) => measuredClick(page, SELECT[side].tile('q00008', i % 2 === 0 ? '4' : '1'))]);
      plan.push(['form2000', 'type', (page, side) => measuredTyping(page, SELECT[side].field('q00006'), '40')]);
    }

    const started = Date.now();
    const load = [];
    const sampleLoad = () => load.push(fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number));
    sampleLoad();
    const sampler = setInterval(sampleLoad, 5000);
    for (const [form, action, measure] of plan) {
      const pages = sides[form];
      let failures = 0;
      for (let i = 0; i < WARMUP + TAPS; i++) {
        // The sides alternate: chosa first on even taps, SurveyJS first on odd ones.
        const names = Object.keys(pages);
        const order = i % 2 === 0 ? names : names.slice().reverse();
        for (const side of order) {
          const page = pages[side];
          await page.bringToFront();
          const result = await measure(page, side, i);
          if (!result.ok) {
            failures++;
            log(form, action, side, 'tap', i, 'not measured:', result.why);
            if (failures > 20) throw new Error('too many taps not measured');
          }
          taps.push(Object.assign({ form, action, side, i, warmup: i < WARMUP, order: order.indexOf(side) }, result));
        }
        if ((i + 1) % 20 === 0) log(form, action, i + 1 - WARMUP, 'taps per side', Math.round((Date.now() - started) / 1000) + ' s');
      }
    }
    clearInterval(sampler);
    sampleLoad();
    for (const [form, pages] of Object.entries(sides)) {
      for (const [side, page] of Object.entries(pages)) {
        await page.screenshot({ path: path.join(args.out, `${form}_${side}.png`) });
      }
    }
    fs.writeFileSync(path.join(args.out, 'taps.json'), JSON.stringify(taps));
    fs.writeFileSync(path.join(args.out, 'meta.json'), JSON.stringify({
      chromium: browser.version(), taps: TAPS, warmup: WARMUP, quietMs: QUIET, viewport: '1280x800',
      seconds: Math.round((Date.now() - started) / 1000), load, phases: PHASES, chosaAlt: args['chosa-alt'] || null,
    }, null, 1));
  } finally {
    await browser.close();
    sjs.server.close();
    for (const child of kiosks) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
