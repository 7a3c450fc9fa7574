// The results of tap_bench.js as Markdown (bench/renderer/run.sh prints it; BENCHMARKS.md has it).
//
//   node report.js OUT_DIR [--commit SHA]
//
// Percentiles are nearest-rank (p95 of 120 taps: the 114th smallest). Warm-up taps are left out.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const dir = process.argv[2];
const commitAt = process.argv.indexOf('--commit');
const commit = commitAt > 0 ? process.argv[commitAt + 1] : '?';
const taps = JSON.parse(fs.readFileSync(path.join(dir, 'taps.json'), 'utf8')).filter((t) => !t.warmup);
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const ROOT = path.resolve(__dirname, '../..');

const pct = (values, p) => {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (v) => (Number.isNaN(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x = (v) => (Number.isNaN(v) ? '-' : v >= 10 ? v.toFixed(0) + 'x' : v.toFixed(2) + 'x');
const kib = (bytes) => (bytes / 1024).toFixed(1) + ' KiB';
const select = (form, action, side) => taps.filter((t) => t.form === form && (!action || t.action === action) && t.side === side);
const stat = (rows, field) => ({ p50: pct(rows.map((r) => r[field]), 50), p95: pct(rows.map((r) => r[field]), 95), n: rows.length });

const SIDE = {
  chosa: 'chosa (kiosk)',
  chosa_alt: 'chosa, the other build (--chosa-alt)',
  surveyjs: 'SurveyJS survey-js-ui 2.5.38',
  control: 'control page (no work)',
};
const ACTION = {
  'control tap': 'one text node changed in the click handler',
  'checklist cell': 'checklist: a cell of the 25-row matrix',
  'form2000 hub': '2,000 questions, page 1: a hub tile (9 questions of the page show or hide by it)',
  'form2000 tile': '2,000 questions, page 1: a scale tile (1 question shows or hides)',
  'form2000 type': '2,000 questions, page 1: "40" typed in an integer, committed by Tab',
};
const failed = JSON.parse(fs.readFileSync(path.join(dir, 'taps.json'), 'utf8')).filter((t) => !t.warmup && !t.ok);
const ok = (rows) => rows.filter((r) => r.ok);

const out = [];
const say = (line) => out.push(line === undefined ? '' : line);

// ---- the machine ------------------------------------------------------------------------------
let cpu = '?';
for (const line of fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
  if (line.startsWith('model name')) { cpu = line.split(':')[1].trim(); break; }
}
const loads = meta.load || [];
const one = loads.map((l) => l[0]);
say(`Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; Linux ${os.release()}; ` +
  `Chromium ${meta.chromium} (Debian, headless, driven by playwright-core 1.65.1); Node ${process.version}; chosa ${commit} ` +
  `(Release); survey-js-ui and survey-core 2.5.38; viewport ${meta.viewport}; ${meta.taps} taps per side and action after ` +
  `${meta.warmup} unmeasured ones, the sides alternating tap by tap; ${meta.seconds} s` +
  (one.length ? `; load average (1 min) during the run ${Math.min(...one).toFixed(2)}-${Math.max(...one).toFixed(2)}, ` +
    `median ${pct(one, 50).toFixed(2)} (sampled every 5 s).` : '.'));
if (failed.length) say(`Taps not measured (left out): ${failed.length} (${failed.map((t) => t.form + ' ' + t.action + ' ' + t.side + ': ' + t.why).join('; ')}).`);
say();

// ---- the main table ---------------------------------------------------------------------------
say('Tap to updated page, milliseconds; `drawn`: the end of the main-thread rendering of the first frame that draws the ' +
  'last DOM mutation the tap caused; `rAF`: the first requestAnimationFrame timestamp at or after that mutation; ' +
  '`DOM`: the last mutation itself; `frame`: which frame after the tap draws it (1: the first frame that ran after the ' +
  'input event) (bench/renderer/instrument.js).');
say();
say('| action | side | taps | drawn p50 | drawn p95 | rAF p50 | rAF p95 | DOM p50 | DOM p95 | frame p50 | frame p95 |');
say('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const groups = [['control', 'tap'], ['checklist', 'cell'], ['form2000', 'hub'], ['form2000', 'tile'], ['form2000', 'type'], ['form2000', null]];
for (const [form, action] of groups) {
  for (const side of ['chosa', 'chosa_alt', 'surveyjs', 'control']) {
    const rows = ok(select(form, action, side));
    if (!rows.length) continue;
    const d = stat(rows, 'drawn');
    const r = stat(rows, 'raf');
    const w = stat(rows, 'work');
    const f = stat(rows, 'frame');
    const label = action ? ACTION[form + ' ' + action] : '2,000 questions, page 1: the three actions together';
    const bold = side === 'chosa' ? (s) => '**' + s + '**' : (s) => s;
    say(`| ${label} | ${SIDE[side]} | ${rows.length} | ${bold(ms(d.p50))} | ${bold(ms(d.p95))} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(w.p50)} | ${ms(w.p95)} | ${f.p50} | ${f.p95} |`);
  }
}
say();

// ---- ratios -----------------------------------------------------------------------------------
say('SurveyJS / chosa (how many times faster chosa is; above 1: chosa faster), on `drawn`, and on `DOM` (the page\'s ' +
  'own work up to its last change, without the wait for the next frame that any page pays):');
say();
say('| action | drawn p50 | drawn p95 | the other build: drawn p50 | p95 | DOM p50 | DOM p95 |');
say('|---|---:|---:|---:|---:|---:|---:|');
const ratios = {};
for (const [form, action] of groups.slice(1)) {
  const s = stat(ok(select(form, action, 'surveyjs')), 'drawn');
  const c = stat(ok(select(form, action, 'chosa')), 'drawn');
  const a = stat(ok(select(form, action, 'chosa_alt')), 'drawn');
  const key = form + ' ' + (action || 'all');
  const sw = stat(ok(select(form, action, 'surveyjs')), 'work');
  const cw = stat(ok(select(form, action, 'chosa')), 'work');
  ratios[key] = { p50: s.p50 / c.p50, p95: s.p95 / c.p95, altP50: s.p50 / a.p50, altP95: s.p95 / a.p95,
    workP50: sw.p50 / cw.p50, workP95: sw.p95 / cw.p95 };
  const label = action ? ACTION[form + ' ' + action] : '2,000 questions, page 1: the three actions together';
  say(`| ${label} | ${x(ratios[key].p50)} | ${x(ratios[key].p95)} | ${x(ratios[key].altP50)} | ${x(ratios[key].altP95)} | ` +
    `${x(ratios[key].workP50)} | ${x(ratios[key].workP95)} |`);
}
say();

// ---- where chosa's time goes ------------------------------------------------------------------
const phaseRows = [];
for (const [form, action] of groups.slice(1, 5)) {
  for (const side of ['chosa', 'chosa_alt']) {
    const rows = ok(select(form, action, side)).filter((t) => t.requests.length === 1);
    if (!rows.length) continue;
    const q = (f) => ms(pct(rows.map(f), 50)) + ' / ' + ms(pct(rows.map(f), 95));
    const req = (t) => t.requests[0];
    phaseRows.push(`| ${ACTION[form + ' ' + action]} | ${SIDE[side]} | ${q((t) => req(t).start)} | ${q((t) => req(t).requestStart - req(t).start)} | ` +
      `${q((t) => req(t).responseStart - req(t).requestStart)} | ${q((t) => req(t).responseEnd - req(t).responseStart)} | ` +
      `${q((t) => t.work - req(t).responseEnd)} | ${q((t) => t.drawn - t.work)} | ${q((t) => t.drawn)} |`);
  }
}
if (phaseRows.length) {
  say("chosa's taps in phases, milliseconds, p50 / p95 of each phase (Resource Timing of the one `POST /api/action` per tap):");
  say();
  say('| action | side | tap → request made | → request sent | → first byte of the reply (the kiosk: engine, store, HTTP) | → last byte | → DOM updated (reply handed to the page, parsed, drawn) | → frame drawn | total |');
  say('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of phaseRows) say(row);
  say();
}
const marked = taps.filter((t) => t.ok && t.marks && t.marks.length && t.requests.length === 1);
if (marked.length) {
  say('With --phases (phases.js): the reply on its way into the page, and the page\'s own work, p50 / p95 (`fetch()` resolves ' +
    'in the page once the headers are there; `response.json()` waits for the body and parses it):');
  say();
  say('| action | side | first byte (network process) → fetch() resolved in the page | response.json() | → redraw starts | redraw (Page.draw) |');
  say('|---|---|---:|---:|---:|---:|');
  for (const [form, action] of groups.slice(1, 5)) {
    for (const side of ['chosa', 'chosa_alt']) {
      const rows = marked.filter((t) => t.form === form && t.action === action && t.side === side);
      if (!rows.length) continue;
      const m = (t, name) => { const f = t.marks.find((k) => k[0] === name); return f ? f[1] : null; };
      const q = (f) => ms(pct(rows.map(f), 50)) + ' / ' + ms(pct(rows.map(f), 95));
      say(`| ${ACTION[form + ' ' + action]} | ${SIDE[side]} | ${q((t) => m(t, 'json<') - t.requests[0].responseStart)} | ${q((t) => m(t, 'json>') - m(t, 'json<'))} | ` +
        `${q((t) => m(t, 'draw<') - m(t, 'json>'))} | ${q((t) => m(t, 'draw>') - m(t, 'draw<'))} |`);
    }
  }
  say();
}

// ---- assets -----------------------------------------------------------------------------------
const sizes = (files) => files.reduce((acc, f) => {
  const bytes = fs.readFileSync(f);
  return { raw: acc.raw + bytes.length, gz: acc.gz + zlib.gzipSync(bytes, { level: 9 }).length };
}, { raw: 0, gz: 0 });
const web = path.join(ROOT, 'platform/web');
const chosaFiles = fs.readdirSync(web).filter((f) => /\.(html|css|js)$/.test(f)).map((f) => path.join(web, f));
const nm = path.join(__dirname, 'node_modules');
const sjsFiles = ['survey-core/survey.core.min.js', 'survey-js-ui/survey-js-ui.min.js', 'survey-core/survey-core.fontless.min.css',
  'survey-core/i18n/japanese.min.js'].map((f) => path.join(nm, f));
const cs = sizes(chosaFiles);
const ss = sizes(sjsFiles);
say(`Renderer assets, uncompressed (gzip -9): chosa platform/web/*.{html,css,js}, ${chosaFiles.length} files: ` +
  `${cs.raw.toLocaleString('en')} bytes = ${kib(cs.raw)} (${kib(cs.gz)}); SurveyJS as its page loads it (survey.core.min.js, ` +
  `survey-js-ui.min.js, survey-core.fontless.min.css, i18n/japanese.min.js): ${ss.raw.toLocaleString('en')} bytes = ` +
  `${kib(ss.raw)} (${kib(ss.gz)}), ${(ss.raw / cs.raw).toFixed(0)}x.`);
say();

// ---- targets ----------------------------------------------------------------------------------
const yes = (b) => (b ? 'yes' : '**NO**');
const c1 = stat(ok(select('checklist', 'cell', 'chosa')), 'drawn');
const c2 = stat(ok(select('form2000', null, 'chosa')), 'drawn');
const c1r = stat(ok(select('checklist', 'cell', 'chosa')), 'raf');
const c2r = stat(ok(select('form2000', null, 'chosa')), 'raf');
const ctl = stat(ok(select('control', 'tap', 'control')), 'drawn');
const ctlr = stat(ok(select('control', 'tap', 'control')), 'raf');
const r2 = ratios['form2000 all'];
const r1 = ratios['checklist cell'];
say('| target | measured (drawn; rAF) | met |');
say('|---|---:|:---:|');
say(`| chosa p95 under 16 ms, checklist | ${ms(c1.p95)} ms; ${ms(c1r.p95)} ms | ${yes(c1.p95 < 16)} |`);
say(`| chosa p95 under 16 ms, 2,000 questions page 1 | ${ms(c2.p95)} ms; ${ms(c2r.p95)} ms | ${yes(c2.p95 < 16)} |`);
say(`| (the control page, no work at all, for reference) | ${ms(ctl.p95)} ms; ${ms(ctlr.p95)} ms | |`);
const f1 = stat(ok(select('checklist', 'cell', 'chosa')), 'frame');
const f2 = stat(ok(select('form2000', null, 'chosa')), 'frame');
const fc = stat(ok(select('control', 'tap', 'control')), 'frame');
say(`| drawn by the first frame after the tap, p95 (the frame, as the control page: ${fc.p95}), checklist; 2,000 questions | ` +
  `frame ${f1.p95}; ${f2.p95} | ${yes(f1.p95 <= fc.p95 && f2.p95 <= fc.p95)} |`);
const w1 = stat(ok(select('checklist', 'cell', 'chosa')), 'work');
const w2 = stat(ok(select('form2000', null, 'chosa')), 'work');
say(`| the page updated (DOM) within one frame, p95, checklist; 2,000 questions | ${ms(w1.p95)} ms; ${ms(w2.p95)} ms | ` +
  `${yes(w1.p95 < 16 && w2.p95 < 16)} |`);
say(`| at least 10x faster than SurveyJS at 2,000 questions, drawn (p50; p95) | ${x(r2.p50)}; ${x(r2.p95)} | ${yes(r2.p50 >= 10 && r2.p95 >= 10)} |`);
say(`| the same on the page's own work, DOM (p50; p95) | ${x(r2.workP50)}; ${x(r2.workP95)} | ${yes(r2.workP50 >= 10 && r2.workP95 >= 10)} |`);
say(`| faster than SurveyJS at the checklist's size (p50; p95) | ${x(r1.p50)}; ${x(r1.p95)} | ${yes(r1.p50 > 1 && r1.p95 > 1)} |`);
say(`| renderer assets at most 100 KiB uncompressed | ${kib(cs.raw)} (SurveyJS ${kib(ss.raw)}) | ${yes(cs.raw <= 100 * 1024)} |`);

console.log(out.join('\n'));
