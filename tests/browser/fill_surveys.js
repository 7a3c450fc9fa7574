// The example surveys filled in `chosa kiosk` in Debian's headless Chromium, as a person fills
// them: tapping the choices by their visible labels (role and name queries), typing text and
// numbers, pressing next, back, the language button, "+ add", "remove", the review and finish.
//
//   node fill_surveys.js CHOSA SOURCE_DIR OUT_DIR SUITE
//
// SUITE: checklist | medical | older | ward | workshop (one example survey each, driven by the
// steps of one or two of its scenario files in schemas/examples/scenarios/FORM/) or loop (the
// event kiosk, `chosa kiosk --loop`). Each suite starts its own kiosk on a free port with a fresh
// store (made for device "test-device") in a temporary directory, and checks:
// - every `set` of the scenario done by taps and typing, every `next`, `back`, `language`, `add`,
//   `remove` by its button; the scenario's expectations that a person can see checked on the page:
//   questions shown and hidden (skip logic), required marks, the page's heading, note texts (live
//   totals), the number of repeat instances, required messages after a blocked `next`;
// - a blocked `next` on the first page: every required question shows its message, the first is
//   focused; the matrix's live total after each row tapped;
// - before leaving each page: the answers given on it are shown; switching language and back keeps
//   every answer; reloading the page resumes every answer; axe-core's WCAG 2.1 A/AA rules find
//   nothing (in both languages; the matrix also at 800 px); and on the review, the confirmation,
//   the saved screen;
// - the review lists exactly what is sent (every answered question's label and answer, as the
//   submission's answers say in the form's words);
// - the submission in the outbox (`chosa outbox --show`) is the one the C++ API makes from the
//   same steps: `chosa test --print-submission` replays the scenario (its expectations left out,
//   the clock set to now, the kiosk's enumerator) and everything but the UUID and the times must
//   be the same bytes;
// - loop: after finalize and after the idle time, nothing of the previous person in the DOM, no
//   checked input, no filled field, no history entry, back goes nowhere; autocomplete off on every
//   field; no drafts button; the abandoned draft stays in the store.
// Screenshots (first page, matrix pages, review: 1280x800 and 800x1280, Japanese and English) go to
// OUT_DIR. Prints each failed check; the last line counts checks and faults; exit status 1 on a
// fault.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { spawn, spawnSync } = require('child_process');

let chromium;
let axeSource;
try {
  ({ chromium } = require('playwright-core'));
  axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (error) {
  console.error('playwright-core or axe-core is not installed: run npm ci --prefix tests/browser (' + error.message + ')');
  process.exit(1);
}

const [CHOSA, SOURCE, OUT, SUITE] = process.argv.slice(2);
if (!CHOSA || !SOURCE || !OUT || !SUITE) {
  console.error('usage: node fill_surveys.js CHOSA SOURCE_DIR OUT_DIR checklist|medical|older|ward|workshop|loop');
  process.exit(2);
}
const EXAMPLES = path.join(SOURCE, 'schemas/examples');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// The engine's own required message (engine/src/session/messages.cpp), for items without one.
const REQUIRED = { ja: 'この質問は回答が必要です。', en: 'This question requires an answer.' };
const LANG_NAMES = { ja: '日本語', en: 'English' };
// The renderer's own words (its buttons and headings), read from its source.
const WORDS = (() => {
  const sandbox = { window: {} };
  vm.runInNewContext(fs.readFileSync(path.join(SOURCE, 'platform/web/chosa-words.js'), 'utf8'), sandbox);
  return sandbox.window.CHOSA_WORDS;
})();

// ---- checks -----------------------------------------------------------------------------------

let checks = 0;
const faults = [];
let axeScreens = 0;
let shots = 0;
const VERBOSE = !!process.env.CHOSA_BROWSER_VERBOSE;  // print every check, not only the failed ones
function check(ok, what, detail) {
  checks++;
  if (ok && VERBOSE) console.log('ok   ' + what);
  if (!ok) {
    const line = what + (detail === undefined ? '' : ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)));
    faults.push(line);
    console.log('FAIL ' + line);
  }
  return ok;
}
const esc = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nfkc = (text) => String(text).normalize('NFKC');
// "now" in Tokyo as a scenario's fixed clock: "2026-12-07T09:21:33+09:00".
const tokyoNow = () => new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 19) + '+09:00';

function run(args, input) {
  const result = spawnSync(CHOSA, args, { input: input || '', encoding: 'utf8', env: Object.assign({}, process.env, { TZ: 'Asia/Tokyo' }) });
  return { status: result.status, stdout: result.stdout || '', stderr: result.stderr || '' };
}

// ---- the forms, as the test reads them (labels and choices in both languages) ------------------

class Form {
  constructor(id) {
    this.file = path.join(EXAMPLES, id + '.json');
    this.json = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    this.id = this.json.id;
    this.lists = {};
    for (const [name, list] of Object.entries(this.json.choice_lists || {})) {
      this.lists[name] = Array.isArray(list) ? list
        : JSON.parse(fs.readFileSync(path.resolve(path.dirname(this.file), list.$ref), 'utf8')).choices;
    }
    this.items = new Map();
    this.pages = [];
    const index = (items, context) => {
      for (const item of items || []) {
        const entry = Object.assign({}, item, context);
        this.items.set(item.name, entry);
        if (item.type === 'page') this.pages.push(entry);
        if (item.type === 'matrix') {
          for (const row of item.rows) this.items.set(row.name, Object.assign({}, row, context, { type: 'row', list: item.list, matrix: item.name }));
        }
        const inner = Object.assign({}, context);
        if (item.type === 'page') inner.page = item.name;
        if (item.type === 'repeat') inner.repeat = item.name;
        index(item.items, inner);
      }
    };
    index(this.json.items, {});
  }
  text(value, lang) {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : (value[lang] !== undefined ? value[lang] : value[this.json.languages[0]]);
  }
  item(p) {
    const item = this.items.get(p.split('/').pop().replace(/\[\d+\]$/, ''));
    if (!item) throw new Error(`${this.id}: no item ${p}`);
    return item;
  }
  choices(item) { return this.lists[item.list] || []; }
  choiceLabel(item, value, lang) {
    const choice = this.choices(item).find((c) => String(c.value) === String(value));
    if (!choice) throw new Error(`${item.name}: no choice ${value}`);
    return this.text(choice.label, lang);
  }
  // The note after a matrix that shows its sum (`sum(${matrix})` in a calculate it interpolates).
  totalOf(matrixName) {
    for (const [name, item] of this.items) {
      if (item.type !== 'calculate' || item.calculation !== `sum(\${${matrixName}})`) continue;
      for (const note of this.items.values()) {
        if (note.type === 'note' && this.text(note.label, 'ja').includes(`\${${name}}`)) return { calculate: name, note };
      }
    }
    return null;
  }
}

// ---- the kiosk --------------------------------------------------------------------------------

const kiosks = new Set();
process.on('exit', () => { for (const kiosk of kiosks) kiosk.process.kill('SIGKILL'); });

class Kiosk {
  // A fresh store for device "test-device" (the device `chosa test` stamps), then the kiosk on it.
  static async start(dir, forms, extra, port) {
    const store = path.join(dir, 'store.sqlite');
    if (!fs.existsSync(store)) {
      // `q` leaves the draft it made (exit status 3), which goes at once.
      const made = run(['fill', forms[0], '--device-id', 'test-device', '--store', store], 'q\n');
      const emptied = run(['drafts', '--store', store, '--delete', '1']);
      if (!fs.existsSync(store) || emptied.status !== 0) throw new Error('cannot make the store: ' + made.stderr + emptied.stderr);
    }
    const portFile = path.join(dir, 'port-' + Date.now());
    const child = spawn(CHOSA, ['kiosk', ...forms, '--store', store, '--listen', '127.0.0.1:' + (port || 0), '--port-file', portFile, ...(extra || [])],
      { stdio: ['ignore', 'ignore', 'pipe'], env: Object.assign({}, process.env, { TZ: 'Asia/Tokyo' }) });
    const kiosk = new Kiosk();
    kiosk.process = child;
    kiosk.store = store;
    kiosk.stderr = '';
    child.stderr.on('data', (data) => { kiosk.stderr += data; });
    kiosk.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    kiosks.add(kiosk);
    for (let i = 0; i < 1000 && !fs.existsSync(portFile) && child.exitCode === null; i++) await sleep(10);
    if (!fs.existsSync(portFile)) throw new Error('the kiosk did not start: ' + kiosk.stderr);
    kiosk.url = `http://127.0.0.1:${parseInt(fs.readFileSync(portFile, 'utf8'), 10)}/`;
    return kiosk;
  }
  outbox() {
    const listed = run(['outbox', '--store', this.store]);
    const uuid = /^\s*\d+\s+finalized\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s/;
    return listed.stdout.split('\n').filter((line) => uuid.test(line)).map((line) => uuid.exec(line)[1]);
  }
  show(uuid) {
    const shown = run(['outbox', '--store', this.store, '--show', uuid]);
    if (shown.status !== 0) throw new Error('chosa outbox --show ' + uuid + ': ' + shown.stderr);
    return JSON.parse(shown.stdout);
  }
  async stop() {
    this.process.kill('SIGTERM');
    const { code } = await this.exited;
    kiosks.delete(this);
    check(code === 0, 'the kiosk stops with exit status 0 on SIGTERM', `status ${code}: ${this.stderr}`);
  }
}

// ---- a person at the tablet -------------------------------------------------------------------

class Person {
  constructor(page, form, name) {
    this.page = page;
    this.form = form;
    this.name = name;
    this.lang = 'ja';
    this.full = true;          // axe, language switches and reloads on every page
    this.shots = true;         // screenshots of the first page, matrix pages and the review
    this.given = new Map();    // path -> value answered on the page shown
    this.rows = new Map();     // matrix row path -> value, for the live total
    this.pageNumber = 0;
  }
  t(key, ...args) { return WORDS[this.lang][key].replace(/\{(\d)\}/g, (m, i) => String(args[i])); }
  label(item) { return this.form.text(item.label, this.lang); }
  // A question's accessible name: its label, and the required mark when it has one.
  nameOf(item, required) {
    const mark = esc(this.t('required'));
    return new RegExp('^\\s*' + esc(this.label(item)) + '\\s*' + (required === true ? mark : required === false ? '' : '(?:' + mark + ')?') + '\\s*$');
  }
  where() { return `${this.name} p${this.pageNumber} (${this.lang})`; }

  async settle() {
    // Nothing waiting for the engine, and next and back take taps again (a moment after a page
    // changes, as a person looks at the new page before tapping).
    await this.page.waitForFunction(() => window.chosaRenderer && window.chosaRenderer.pending() === 0 &&
      window.chosaRenderer.navReady(), null, { timeout: 15000 });
  }
  async heading() { return (await this.page.locator('#page-h').innerText()).trim(); }
  button(name) { return this.page.getByRole('button', { name, exact: true }); }
  async tap(input) {
    // The radio or checkbox is drawn inside its label (the tile, the cell): a person taps that.
    await input.locator('xpath=ancestor::label[1]').click();
  }

  // Where an item of a repeat instance is: the instance's section, named by its heading.
  scope(p) {
    const m = /^(\w+)\[(\d+)\]\//.exec(p);
    if (!m) return this.page.locator('main');
    return this.page.getByRole('region', { name: this.t('instance', this.label(this.form.items.get(m[1])), m[2]), exact: true });
  }
  // The control of a question by its role and accessible name.
  async control(p, required) {
    const item = this.form.item(p);
    const scope = this.scope(p);
    const name = this.nameOf(item, required);
    switch (item.type) {
      case 'row': return { kind: 'row', item, loc: scope.getByRole('radiogroup', { name: this.label(item), exact: true }) };
      case 'select_one': {
        const combo = scope.getByRole('combobox', { name });
        if (await combo.count()) return { kind: 'combo', item, loc: combo };
        return { kind: 'tiles', item, loc: scope.getByRole('group', { name }) };
      }
      case 'select_multiple': return { kind: 'checks', item, loc: scope.getByRole('group', { name }) };
      case 'group': case 'repeat': return { kind: 'section', item, loc: scope.getByRole('region', { name: this.label(item), exact: true }) };
      case 'matrix': return { kind: 'section', item, loc: scope.getByRole('region', { name }) };
      case 'note': return { kind: 'note', item, loc: scope.getByText(this.label(item), { exact: true }) };
      default: return { kind: 'field', item, loc: scope.getByLabel(name) };
    }
  }
  async shown(p, required) {
    const { loc } = await this.control(p, required);
    return (await loc.count()) > 0 && loc.first().isVisible();
  }
  // The texts an input or group is described by (its hint and the errors shown).
  async description(loc) {
    return loc.first().evaluate((el) => (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {}).textContent || '').join(' '));
  }
  requiredMessage(item) { return this.form.text(item.required_message, this.lang) || REQUIRED[this.lang]; }

  // ---- answering ----

  async set(p, value) {
    const { kind, item, loc } = await this.control(p);
    const text = value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
    if (kind === 'row' || kind === 'tiles') {
      if (kind === 'row') await this.probeFirstFrame();
      if (text === '') await loc.getByRole('button', { name: this.t('clearAnswer'), exact: true }).click();
      else await this.tap(loc.getByRole('radio', { name: this.form.choiceLabel(item, text, this.lang), exact: true }));
    } else if (kind === 'checks') {
      const wanted = new Set(text.split(' ').filter(Boolean));
      for (const choice of this.form.choices(item)) {
        const box = loc.getByRole('checkbox', { name: this.form.text(choice.label, this.lang), exact: true });
        if (!(await box.count())) continue;  // filtered out
        if ((await box.isChecked()) !== wanted.has(String(choice.value))) await this.tap(box);
      }
    } else if (kind === 'combo') {
      const label = text ? this.form.choiceLabel(item, text, this.lang) : '';
      await loc.click();
      if (label) {
        await loc.pressSequentially(label.slice(0, 2));  // filters the list as one types
        await this.page.getByRole('option', { name: label, exact: true }).click();
      } else {
        await loc.press('Control+A');
        await loc.press('Backspace');
        await loc.press('Tab');
      }
    } else if (kind === 'field' && item.type === 'date') {
      await loc.fill(/month-year/.test(item.appearance || '') ? text.slice(0, 7) : text);  // the native picker's value
      await loc.press('Tab');
    } else if (kind === 'field') {
      await loc.click();
      await loc.press('Control+A');
      if (text) await loc.pressSequentially(text); else await loc.press('Backspace');
      if (this.reloadWhileTyping === p) {
        // Reloaded before the answer was sent (the page sends 400 ms after the last key or on
        // leaving the field; it sends what is waiting when the page goes): not lost.
        if ((await this.page.evaluate(() => window.chosaRenderer.pending())) === 0) console.log(`note: ${p} was sent before the reload`);
        await this.page.reload();
        await this.settle();
        const after = await (await this.control(p)).loc.inputValue();
        check(after === text, `${this.where()}: ${p} typed and reloaded at once keeps "${text}"`, `shows "${after}"`);
        if (after !== text) await this.set(p, value);
        this.given.set(p, value);
        return;
      }
      await loc.press('Tab');
    } else {
      throw new Error(`${p}: cannot answer a ${item.type}`);
    }
    await this.settle();
    this.given.set(p, value);
    if (kind === 'row') await this.liveTotal(item, p, text);
  }

  // What the page holds when the first animation frame after the next tap starts: the kiosk's
  // transport is synchronous, so the engine's reply is drawn in the tap's own task and that frame
  // already shows everything the answer changed (docs/web-renderer.md "Transport").
  async probeFirstFrame() {
    await this.page.evaluate(() => {
      window.__firstFrameText = null;
      window.addEventListener('click', () => requestAnimationFrame(() => {
        window.__firstFrameText = document.querySelector('main').innerText;
      }), { capture: true, once: true });
    });
  }

  // The matrix's total, drawn from the engine's note, follows each row tapped, in the first frame.
  async liveTotal(item, p, value) {
    this.rows.set(p, value);
    const total = this.form.totalOf(item.matrix);
    if (!total) return;
    let sum = 0;
    for (const [row, v] of this.rows) if (this.form.item(row).matrix === item.matrix && v !== '') sum += Number(v);
    const expected = this.form.text(total.note.label, this.lang).replace(`\${${total.calculate}}`, String(sum));
    const shown = this.page.getByText(expected, { exact: true });
    check((await shown.count()) === 1 && (await shown.isVisible()), `${this.where()}: after ${p} the total reads "${expected}"`,
      await this.page.locator('main').innerText().then((t) => t.match(/.*\d+ \/ \d+.*/g)));
    // The frame comes when the browser draws next, which a loaded machine may delay: waited for,
    // then what it showed is checked.
    await this.page.waitForFunction(() => window.__firstFrameText !== null, null, { timeout: 15000 }).catch(() => {});
    const firstFrame = await this.page.evaluate(() => window.__firstFrameText);
    check(firstFrame !== null && firstFrame.includes(expected), `${this.where()}: after ${p} the first frame shows "${expected}"`,
      firstFrame === null ? 'no frame' : firstFrame.match(/.*\d+ \/ \d+.*/g));
  }

  // What the page shows as answered: checked values and field texts by item path.
  async snapshot() {
    return this.page.evaluate(() => {
      const out = {};
      for (const el of document.querySelectorAll('main input, main textarea')) {
        const q = el.closest('[data-path]');
        if (!q) continue;
        const key = q.dataset.path;
        if (el.type === 'radio' || el.type === 'checkbox') {
          if (!(key in out)) out[key] = [];
          if (el.checked) out[key].push(el.value);
        } else if (el.getAttribute('role') === 'combobox') {
          const selected = document.querySelector('#' + CSS.escape(el.getAttribute('aria-controls')) + ' [aria-selected=true]');
          out[key] = selected ? selected.dataset.value : '';
          out[key + ' (shown)'] = el.value;
        } else {
          out[key] = el.value;
        }
      }
      return out;
    });
  }
  // The answers given on this page are shown (those of items hidden since are not).
  async checkGiven(snap, when) {
    for (const [p, value] of this.given) {
      if (!(p in snap)) {
        check(!(await this.shown(p)), `${this.where()} ${when}: ${p} has no input, so it is hidden`);
        continue;
      }
      this.shows(snap, p, value, when);
    }
  }
  // The snapshot shows `value` (as a scenario writes it) for the item at `p`.
  shows(snap, p, value, when) {
    const item = this.form.item(p);
    const text = value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
    let expected = text;
    let ok;
    if (Array.isArray(snap[p])) {  // checked values, in the list's order
      if (item.type === 'select_multiple') expected = this.form.choices(item).map((c) => String(c.value)).filter((v) => text.split(' ').includes(v)).join(' ');
      ok = snap[p].join(' ') === expected;
    } else if (p + ' (shown)' in snap) {  // a combobox: the value selected, its label in the field
      expected = text ? this.form.choiceLabel(item, text, this.lang) : '';
      ok = snap[p] === text && snap[p + ' (shown)'] === expected;
    } else if (item.type === 'date' && /month-year/.test(item.appearance || '')) {
      expected = text.slice(0, 7);
      ok = snap[p] === expected;
    } else {  // typed: full-width digits come back as the engine stored them
      ok = nfkc(snap[p]) === nfkc(text);
    }
    check(ok, `${this.where()} ${when}: ${p} shows "${expected}"`, snap[p]);
  }
  same(a, b, what) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !k.endsWith(' (shown)'));
    const differ = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    check(differ.length === 0, `${this.where()}: ${what}`, differ.map((k) => `${k}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`).join('; '));
  }

  // ---- looking at the page ----

  async axe(what) {
    if (!(await this.page.evaluate(() => !!window.axe))) {
      // Through the DevTools protocol: the kiosk's Content-Security-Policy refuses an injected script.
      await this.page.evaluate(axeSource);
    }
    const result = await this.page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
    axeScreens++;
    check(result.passes.length > 0, `axe ran its rules on ${what}`);
    check(result.violations.length === 0, `axe finds nothing on ${what}`, result.violations.map((v) =>
      `${v.id} (${v.impact}) ${v.nodes.length}x: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('; '));
  }
  async shoot(name, sizes) {
    for (const [width, height] of sizes || [[1280, 800], [800, 1280]]) {
      await this.page.setViewportSize({ width, height });
      // From the top, as the page is when one arrives at it.
      await this.page.evaluate(() => new Promise((resolve) => { window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(resolve)); }));
      await this.page.screenshot({ path: path.join(OUT, `${name}-${this.lang}-${width}x${height}.png`) });
      shots++;
    }
    await this.page.setViewportSize({ width: 1280, height: 800 });
  }
  async switchLanguage() {
    const to = this.lang === 'ja' ? 'en' : 'ja';
    await this.button(LANG_NAMES[to]).click();
    await this.settle();
    this.lang = to;
    const seen = await this.page.evaluate(() => ({ lang: document.documentElement.lang, screen: document.body.dataset.screen,
      header: document.getElementById('app-title').textContent, title: document.title }));
    check(seen.lang === to, `${this.where()}: the page's lang is ${to}`, seen.lang);
    if (seen.screen === 'form' || seen.screen === 'review') {
      const title = this.form.text(this.form.json.title, to);
      check(seen.header === title && seen.title === title, `${this.where()}: the ${seen.screen}'s header and title are the form's title in ${to}`, seen);
    }
  }
  async reload() {
    const before = await this.heading();
    await this.page.reload();
    await this.settle();
    check((await this.heading()) === before, `${this.where()}: reloading stays on "${before}"`, await this.heading());
  }

  // Before leaving a page: the answers are shown, and stay through a language switch and a reload.
  async pageChecks() {
    const snap = await this.snapshot();
    await this.checkGiven(snap, 'as answered');
    await this.progressChecks();
    await this.countRuleChecks();
    if (!this.full) return;
    const tag = `${this.name}-p${this.pageNumber}`;
    const matrix = await this.page.locator('.matrix').count();
    for (let i = 0; i < 2; i++) {
      await this.axe(`${this.name} page ${this.pageNumber} "${await this.heading()}" (${this.lang})`);
      if (this.shots && this.pageNumber === 1) await this.shoot(`${tag}-first`);
      if (matrix) {
        if (this.shots) await this.shoot(`${tag}-grid`);
        await this.page.setViewportSize({ width: 800, height: 1280 });
        await this.axe(`${this.name} page ${this.pageNumber} at 800 px (${this.lang})`);
        await this.page.setViewportSize({ width: 1280, height: 800 });
      }
      await this.switchLanguage();
      const other = await this.snapshot();
      this.same(snap, other, `switching to ${this.lang} keeps every answer`);
      await this.checkGiven(other, 'after switching language');
    }
    await this.reload();
    this.same(snap, await this.snapshot(), 'reloading resumes every answer');
  }

  // A select_multiple with min_choices or max_choices says its rule beside its choices, in the
  // page's words ("1つ以上選んでください", "Choose up to 3"), tied to the group by aria-describedby.
  async countRuleChecks() {
    for (const item of this.form.items.values()) {
      if (item.type !== 'select_multiple' || item.repeat || (!item.min_choices && item.max_choices === undefined)) continue;
      const { loc } = await this.control(item.name);
      if (!(await loc.count()) || !(await loc.first().isVisible())) continue;
      const lo = item.min_choices || 0, hi = item.max_choices === undefined ? -1 : item.max_choices;
      const rule = hi < 0 ? this.t('choicesMin', lo) : lo === hi ? this.t('choicesExact', hi)
        : lo ? this.t('choicesRange', lo, hi) : this.t('choicesMax', hi);
      const said = await this.description(loc);
      check(said.includes(rule), `${this.where()}: ${item.name} says its count rule "${rule}"`, said);
      this.countRules = (this.countRules || 0) + 1;
    }
  }

  // The progress on every page: "page k of n" and the questions answered of the relevant ones
  // (the engine's navigation.answered / questions), the bar's value the same count.
  async progressChecks() {
    const text = await this.page.locator('#progress-text').innerText();
    const bar = await this.page.locator('#progress-bar').evaluate((el) => ['aria-valuenow', 'aria-valuemax', 'aria-valuetext'].map((a) => el.getAttribute(a)));
    const counts = this.counts('answered').exec(text);
    if (!check(!!counts, `${this.where()}: the progress counts the questions answered`, text)) return null;
    check(Number(counts[1]) <= Number(counts[2]) && Number(counts[2]) > 0, `${this.where()}: answered of at least one question`, text);
    check(bar[0] === counts[1] && bar[1] === counts[2] && bar[2] === text, `${this.where()}: the bar's aria-valuenow / valuemax / valuetext are the count`, bar);
    return counts;
  }
  // The pattern of a word with two counts ("{0} / {1} 問").
  counts(word) {
    return new RegExp(esc(this.t(word, '\u0000', '\u0001')).replace('\u0000', '(\\d+)').replace('\u0001', '(\\d+)'));
  }

  // ---- moving ----

  async start(kiosk, language) {
    await this.page.goto(kiosk.url);
    await this.settle();
    if (language && language !== this.lang) await this.switchLanguage();
    await this.button(new RegExp('^\\s*' + esc(this.form.text(this.form.json.title, this.lang)))).click();
    await this.settle();
    await this.arrived();
  }
  async arrived() {
    this.pageNumber++;
    this.given = new Map();
  }
  async next(blocked) {
    const before = await this.heading();
    if (!blocked) await this.pageChecks();
    await this.button(this.t('next')).click();
    if (this.doubleTap && !blocked) {
      // A second tap in the same place at once (a double tap, an unsteady finger): it must not
      // be taken as the next page's next, skipping that page unseen (the scenario's next steps
      // would not find their questions).
      await sleep(120);
      await this.page.locator('#btn-next').click();
    }
    await this.settle();
    const after = await this.heading();
    if (blocked) {
      check(after === before, `${this.where()}: next is blocked on "${before}"`, after);
      const focus = await this.page.evaluate(() => {
        const first = document.querySelector('main .has-err');
        return { errors: !!first, focused: !!first && first.contains(document.activeElement) };
      });
      check(focus.errors && focus.focused, `${this.where()}: a blocked next focuses the first question with an error`, focus);
      if (this.full) await this.axe(`${this.name} page ${this.pageNumber} with its errors (${this.lang})`);
    } else {
      check(after !== before, `${this.where()}: next leaves "${before}"`);
      await this.arrived();
    }
  }
  // Next on an empty first page: every required question shown says it needs an answer.
  async blockedFirstPage() {
    await this.next(true);
    let required = 0;
    for (const item of this.form.items.values()) {
      if (!item.required || item.page !== this.form.pages[0].name || item.repeat || item.type === 'row') continue;
      const { loc } = await this.control(item.name, true);
      if (!(await loc.count()) || !(await loc.first().isVisible())) continue;
      if (item.type !== 'matrix' && item.type !== 'select_multiple' && item.type !== 'select_one' && (await loc.inputValue()) !== '') continue;  // a default
      required++;
      const said = await this.description(item.type === 'matrix' ? loc.getByRole('radiogroup').first() : loc);
      check(said.includes(this.requiredMessage(item)), `${this.where()}: ${item.name} says "${this.requiredMessage(item)}"`, said);
    }
    check(required > 0, `${this.where()}: the first page has required questions shown`);
  }

  // ---- a scenario's expectations, as far as a person sees them ----

  async expect(e, step) {
    const where = `${this.where()} step ${step}`;
    for (const p of e.visible || []) {
      if (this.form.item(p).type !== 'page') check(await this.shown(p), `${where}: ${p} is shown`);
    }
    for (const p of e.hidden || []) {
      // Neither by its name nor by its path (so that a name the page does not use cannot pass).
      const drawn = await this.page.locator(`main [data-path="${p}"]`).count();
      if (this.form.item(p).type !== 'page') check(!(await this.shown(p)) && drawn === 0, `${where}: ${p} is hidden`, drawn);
    }
    for (const p of e.required || []) check(await this.shown(p, true), `${where}: ${p} is shown marked required`);
    // Values of the questions shown (an answer kept while hidden comes back with its question).
    const snap = e.values ? await this.snapshot() : {};
    for (const [p, value] of Object.entries(e.values || {})) {
      const type = this.form.item(p).type;
      if (type === 'calculate' || value === null || !(p in snap)) continue;
      this.shows(snap, p, value, `step ${step}`);
    }
    for (const p of e.not_required || []) {
      if (await this.shown(p)) check(await this.shown(p, false), `${where}: ${p} is not marked required`);
    }
    if (e.page) {
      const expected = this.form.text(this.form.item(e.page).label, this.lang);
      check((await this.heading()) === expected, `${where}: the page is "${expected}"`, await this.heading());
    }
    for (const text of Object.values(e.labels || {})) {
      const shown = this.page.getByText(text, { exact: true });
      check((await shown.count()) > 0 && (await shown.first().isVisible()), `${where}: "${text}" is shown`);
    }
    for (const [repeat, n] of Object.entries(e.count || {})) {
      const heading = new RegExp('^' + esc(this.t('instance', this.label(this.form.item(repeat)), 'NN')).replace('NN', '\\d+') + '$');
      const instances = await this.page.getByRole('region', { name: heading }).count();
      check(instances === n, `${where}: ${repeat} has ${n} instances`, instances);
    }
    // Errors: the required ones (the others, e.g. a date after today, depend on the scenario's
    // fixed clock, which the kiosk does not have).
    for (const [p, errors] of Object.entries(e.errors || {})) {
      if (!errors.some((error) => error === 'required' || error.kind === 'required')) continue;
      const { loc } = await this.control(p);
      const said = await this.description(loc);
      const item = this.form.item(p);
      check(said.includes(this.requiredMessage(item)), `${where}: ${p} says "${this.requiredMessage(item)}"`, said);
    }
  }

  // ---- review, finalize ----

  // The answered questions the review lists: [label, answer] in document order.
  async reviewed() {
    return this.page.evaluate(() => Array.from(document.querySelectorAll('.review .rv-item'))
      .filter((row) => row.querySelector(':scope > dd > .rv-value'))
      .map((row) => [row.querySelector(':scope > dt').textContent.trim(), row.querySelector(':scope > dd > .rv-value').textContent.trim()]));
  }
  // What the review should list for a submission's answers, in the form's own words.
  expectedReview(answers) {
    const out = [];
    const add = (object) => {
      for (const [name, value] of Object.entries(object)) {
        const item = this.form.item(name);
        if (item.type === 'calculate') continue;
        if (item.type === 'repeat') { value.forEach(add); continue; }
        let display = String(value);
        if (item.type === 'select_one' || item.type === 'row') display = this.form.choiceLabel(item, value, this.lang);
        if (item.type === 'select_multiple') display = value.map((v) => this.form.choiceLabel(item, v, this.lang)).join(WORDS[this.lang].listSep);
        if (item.type === 'date' && /month-year/.test(item.appearance || '')) display = display.slice(0, 7);  // the month: "2024-04"
        out.push([this.label(item), display]);
      }
    };
    add(answers);
    return out;
  }
  async review() {
    await this.pageChecks();
    const onPage = await this.progressChecks();
    await this.button(this.t('toReview')).click();
    await this.settle();
    check((await this.heading()) === this.t('reviewTitle'), `${this.where()}: the last page leads to the review`, await this.heading());
    // The progress on the last page counts what the review counts.
    const inReview = this.counts('reviewCounts').exec(await this.page.locator('main').innerText());
    check(!!inReview, `${this.where()}: the review counts the questions answered`);
    check(!!onPage && !!inReview && onPage[1] === inReview[1] && onPage[2] === inReview[2],
      `${this.where()}: the progress on the last page counts what the review counts`, [onPage && onPage[0], inReview && inReview[0]]);
    const listed = { [this.lang]: await this.reviewed() };
    if (this.full) {
      for (let i = 0; i < 2; i++) {
        await this.axe(`${this.name} review (${this.lang})`);
        if (this.shots) await this.shoot(`${this.name}-review`);
        await this.switchLanguage();
        check((await this.heading()) === this.t('reviewTitle'), `${this.where()}: still the review after switching language`);
        listed[this.lang] = await this.reviewed();
      }
    }
    return listed;
  }
  async finalize() {
    await this.button(this.t('finalize')).click();
    const dialog = this.page.getByRole('dialog', { name: this.t('confirmTitle') });
    check(await dialog.isVisible(), `${this.where()}: finishing asks for a confirmation`);
    if (this.full) await this.axe(`${this.name} finish confirmation (${this.lang})`);
    await dialog.getByRole('button', { name: this.t('finalizeOk'), exact: true }).click();
    await this.settle();
  }
}

// ---- a scenario, in the browser and through the C++ API ----------------------------------------

const ACTIONS = ['set', 'clear', 'add', 'remove', 'language', 'next', 'back', 'goto', 'finalize'];

// Drives `person` through the scenario's steps, finalizes, and compares the outbox's submission
// with the one `chosa test` makes from the same steps.
async function fillScenario(person, kiosk, file, options) {
  options = options || {};
  const scenario = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'scenarios', person.form.id, file), 'utf8'));
  const language = options.language || scenario.language || person.form.json.languages[0];
  const now = tokyoNow();
  console.log(`-- ${person.name}: ${file} in ${language === 'ja' ? 'Japanese' : 'English'}`);
  const before = new Set(kiosk.outbox());
  if (options.fresh) await options.fresh(language); else await person.start(kiosk, language);
  if (options.blockFirst) await person.blockedFirstPage();
  let listed = null;
  for (const [i, step] of scenario.steps.entries()) {
    const n = i + 1;
    if (step.set) for (const [p, value] of Object.entries(step.set)) await person.set(p, value);
    if (step.clear) for (const p of [].concat(step.clear)) await person.set(p, null);
    if (step.add) {
      const add = typeof step.add === 'string' ? { repeat: step.add, times: 1 } : step.add;
      for (let k = 0; k < (add.times || 1); k++) {
        await person.button(person.t('addInstance', person.label(person.form.item(add.repeat)))).click();
        await person.settle();
      }
    }
    if (step.remove) {
      const repeat = person.form.item(step.remove.repeat);
      const instance = person.scope(`${step.remove.repeat}[${step.remove.position}]/x`);
      await instance.getByRole('button', { name: person.t('removeInstance', person.label(repeat)), exact: true }).click();
      await person.page.getByRole('dialog').getByRole('button', { name: person.t('removeOk'), exact: true }).click();
      await person.settle();
      // The instances after it move up.
      const moved = new Map();
      for (const [p, value] of person.given) {
        const m = new RegExp('^' + step.remove.repeat + '\\[(\\d+)\\]/(.*)$').exec(p);
        if (!m) moved.set(p, value);
        else if (Number(m[1]) > step.remove.position) moved.set(`${step.remove.repeat}[${Number(m[1]) - 1}]/${m[2]}`, value);
        else if (Number(m[1]) < step.remove.position) moved.set(p, value);
      }
      person.given = moved;
    }
    if (step.language && step.language !== person.lang) await person.switchLanguage();
    if (step.next) await person.next(!!step.expect_blocked);
    if (step.back) {
      await person.button(person.t('back')).click();
      await person.settle();
      await person.arrived();
    }
    if (step.goto) throw new Error(`${file} step ${n}: goto has no button on the page`);
    if (step.finalize) {
      listed = await person.review();
      await person.finalize();
      check((await person.heading()) === (kiosk.loop ? person.t('thanksTitle') : person.t('savedTitle')), `${person.where()}: finished and saved`, await person.heading());
    }
    if (step.expect) await person.expect(step.expect, n);
  }
  if (!listed) throw new Error(`${file} does not finalize`);
  if (person.full && !kiosk.loop) await person.axe(`${person.name} saved (${person.lang})`);

  // The submission in the outbox.
  const added = kiosk.outbox().filter((uuid) => !before.has(uuid));
  if (!check(added.length === 1, `${person.name}: one submission more in the outbox`, added)) return null;
  const submission = kiosk.show(added[0]);
  // The review listed what is sent, in each language it was shown in.
  for (const [lang, rows] of Object.entries(listed)) {
    const saved = person.lang;
    person.lang = lang;
    const expected = person.expectedReview(submission.answers).map((r) => r.join(' = ')).sort();
    person.lang = saved;
    const shown = rows.map((r) => r.join(' = ')).sort();
    const missing = expected.filter((r) => !shown.includes(r));
    const extra = shown.filter((r) => !expected.includes(r));
    check(missing.length === 0 && extra.length === 0 && shown.length === expected.length,
      `${person.name}: the review (${lang}) lists the ${expected.length} answers sent`, { missing, extra });
  }

  // The same steps through the C++ API: `chosa test` replays the scenario's actions (its
  // expectations are about the scenario's fixed clock; the clock here is now, as in the kiosk).
  const copy = Object.assign({}, scenario, { now, enumerator_id: 'kiosk', language });
  delete copy.$schema;
  copy.steps = scenario.steps.filter((step) => ACTIONS.some((a) => a in step)).map((step) => {
    const action = Object.assign({}, step);
    delete action.expect;
    return action;
  });
  const replay = path.join(options.dir, `replay-${file}`);
  fs.writeFileSync(replay, JSON.stringify(copy));
  const tested = run(['test', '--print-submission', person.form.file, replay]);
  const lines = tested.stdout.split('\n').filter((line) => line.startsWith('{'));
  if (!check(tested.status === 0 && lines.length === 1, `${person.name}: chosa test replays ${file}`, tested.stdout + tested.stderr)) return submission;
  const strip = (s) => { const c = Object.assign({}, s); delete c.uuid; delete c.started_at; delete c.ended_at; return c; };
  const cpp = strip(JSON.parse(lines[0]));
  const web = strip(submission);
  const differ = [...new Set([...Object.keys(cpp), ...Object.keys(web), ...Object.keys(cpp.answers || {}).map((k) => 'answers.' + k),
    ...Object.keys(web.answers || {}).map((k) => 'answers.' + k)])]
    .filter((k) => { const get = (o) => JSON.stringify(k.startsWith('answers.') ? (o.answers || {})[k.slice(8)] : o[k]); return k !== 'answers' && get(cpp) !== get(web); })
    .map((k) => { const get = (o) => JSON.stringify(k.startsWith('answers.') ? (o.answers || {})[k.slice(8)] : o[k]); return `${k}: kiosk ${get(web)}, C++ ${get(cpp)}`; });
  check(JSON.stringify(web) === JSON.stringify(cpp), `${person.name}: the outbox holds what the C++ API makes of ${file} (all but UUID and times, same bytes)`,
    differ.length ? differ.join('; ') : 'the same keys in another order');
  check(Object.keys(submission.answers).length > 3, `${person.name}: the submission has answers`, submission.answers);
  return submission;
}

// ---- the suites -------------------------------------------------------------------------------

async function browse(fn) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' && !page.failuresExpected) check(false, 'no console error', m.text()); });
    page.on('pageerror', (e) => check(false, 'no page error', e.message));
    page.setDefaultTimeout(15000);
    page.sent = [];  // the action messages the page sent
    page.on('request', (r) => { if (r.url().endsWith('/api/action')) page.sent.push(JSON.parse(r.postData())); });
    page.reviews = [];  // the engine's review replies
    page.on('response', (r) => {
      if (r.url().endsWith('/api/action')) r.json().then((reply) => { if (reply.review) page.reviews.push(reply.review); }, () => {});
    });
    await fn(page);
  } finally {
    await browser.close();
  }
}

const SURVEYS = {
  checklist: { form: 'coordinator_checklist', scenarios: [['all_fours_total_100.json', { doubleTap: true }]], everyForm: true, after: monthSent },
  medical: { form: 'medical_facility_survey', scenarios: [['support_office.json', { language: 'en' }], ['facility_type_questions.json', { noShots: true }]],
    after: async (person) => check(person.countRules > 0, 'medical: a count rule was checked (needs: min_choices 1)', person.countRules) },
  older: { form: 'older_residents_survey', scenarios: [['acp_followups.json']], after: drafts },
  ward: { form: 'ward_activity_survey', scenarios: [['activities_repeat.json']] },
  workshop: { form: 'workshop_attendee_survey', scenarios: [['full_submission.json', { reloadWhileTyping: 'comments' }]], after: async (...args) => { await withdrawnChoice(args[0]); await kioskGone(...args); } },
};
const FORM_IDS = ['coordinator_checklist', 'medical_facility_survey', 'older_residents_survey', 'ward_activity_survey', 'workshop_attendee_survey'];

async function survey(dir, name) {
  const spec = SURVEYS[name];
  const form = new Form(spec.form);
  const forms = spec.everyForm ? FORM_IDS.map((id) => path.join(EXAMPLES, id + '.json')) : [form.file];
  const kiosk = await Kiosk.start(dir, forms);
  await browse(async (page) => {
    if (spec.everyForm) {
      // The start screen offers every survey installed, by its title, in both languages.
      const person = new Person(page, form, 'start');
      await page.goto(kiosk.url);
      await person.settle();
      for (let i = 0; i < 2; i++) {
        for (const id of FORM_IDS) {
          const title = new Form(id).text(new Form(id).json.title, person.lang);
          check(await person.button(new RegExp('^\\s*' + esc(title))).isVisible(), `start (${person.lang}): "${title}" offered`);
        }
        check(await person.button(person.t('drafts')).isVisible(), `start (${person.lang}): the drafts button`);
        await person.axe(`the start screen (${person.lang})`);
        await person.shoot('start');
        await person.switchLanguage();
      }
    }
    let person = null;
    for (const [i, [file, options]] of spec.scenarios.entries()) {
      const opts = Object.assign({ dir, blockFirst: i === 0 }, options);
      if (person) {
        // "Fill in another one" from the saved screen: a fresh form of the same survey.
        const previous = person;
        opts.fresh = async (language) => {
          if (language !== previous.lang) await previous.switchLanguage();
          await previous.button(previous.t('savedAnother')).click();
          await previous.settle();
          person.lang = previous.lang;
          await person.arrived();
          const snap = await person.snapshot();
          check(Object.values(snap).every((v) => (Array.isArray(v) ? v.length === 0 : v === '')), `${name}: another one starts empty`, snap);
        };
      }
      person = new Person(page, form, name + (i ? '-' + (i + 1) : ''));
      person.shots = !opts.noShots;
      person.reloadWhileTyping = opts.reloadWhileTyping;
      person.doubleTap = !!opts.doubleTap;
      try {
        await fillScenario(person, kiosk, file, opts);
      } catch (error) {
        check(false, `${person.name}: ${file} ran to the end`, error.message.split('\n')[0]);
        await page.screenshot({ path: path.join(OUT, `${person.name}-failed.png`), fullPage: true }).catch(() => {});
        person = null;
        break;
      }
    }
    if (person && spec.after) await spec.after(person, kiosk, dir, forms);
  });
  await kiosk.stop();
}

// The month picker's answer goes as the month ("2024-04"), once; the engine's review shows it as
// the month, and so does the page's review (the rows checked against the submission above).
async function monthSent(person) {
  const sent = person.page.sent.filter((m) => m.op === 'answer' && m.path === 'hire_month').map((m) => m.text);
  check(JSON.stringify(sent) === '["2024-04"]', 'checklist: the month picker answers "2024-04", once', sent);
  const find = (items) => { for (const i of items || []) { const f = i.path === 'hire_month' ? i : find(i.children); if (f) return f; } return null; };
  const reviews = person.page.reviews;
  const month = reviews.length ? find(reviews[reviews.length - 1].pages.flatMap((p) => p.items)) : null;
  check(!!month && month.value === '2024-04-01' && month.display === '2024-04', 'checklist: the engine\'s review shows the month as "2024-04"', month);
}

// A ward chosen, then the block changed so that the filter withdraws it: the ward's field shows
// the ward still chosen, by its label, with the error naming it (not an empty field that blocks
// next); emptying the field clears the answer.
async function withdrawnChoice(person) {
  if (person.lang !== 'ja') await person.switchLanguage();
  await person.button(person.t('savedAnother')).click();
  await person.settle();
  await person.set('event_type', 'workshop');
  await person.settle();
  await person.set('block', 'north');
  await person.settle();
  // The list opens in view, not under the fixed footer (the ward is low on the page).
  const { loc: ward } = await person.control('ward');
  await ward.click();
  const clear = await person.page.evaluate(() => {
    const list = document.querySelector('main [data-path="ward"] [role=listbox]');
    const box = list.getBoundingClientRect();
    return !list.hidden && box.height > 0 && box.bottom <= document.getElementById('nav').getBoundingClientRect().top + 1;
  });
  check(clear, 'withdrawn: the ward list opens above the footer');
  await ward.press('Escape');
  await person.set('ward', '271276');
  await person.settle();
  await person.set('block', 'west');
  await person.settle();
  const { loc } = await person.control('ward');
  check((await loc.inputValue()) === '北区', 'withdrawn: the ward field still shows 北区', await loc.inputValue());
  const said = await person.description(loc);
  check(said.includes('「北区」はこの回答では選べません。'), 'withdrawn: the error names the ward by its label', said);
  check(!/271276/.test(await person.page.locator('main').innerText()), 'withdrawn: no code on the page');
  await person.shoot('withdrawn', [[1280, 800]]);
  await person.set('ward', null);
  await person.settle();
  check((await loc.inputValue()) === '' && !(await person.description(loc)).includes('北区'), 'withdrawn: emptying the field clears the answer and its error');
}

// The kiosk gone mid-form, then back on its port with another token (a restart): a tap that could
// not be saved shows what is saved (nothing chosen) and says so under the question; the banner
// says what happened, in the page's words, never the kiosk's English.
async function kioskGone(person, kiosk, dir, forms) {
  const page = person.page;
  // A fresh form: leave the one open (kept as a draft), then the survey from the start screen.
  await person.button(person.t('home')).click();
  await page.getByRole('dialog').getByRole('button', { name: person.t('homeOk'), exact: true }).click();
  await person.settle();
  await person.button(new RegExp('^\\s*' + esc(person.form.text(person.form.json.title, person.lang)))).click();
  await person.settle();
  const item = person.form.item('event_type');
  const first = person.form.choices(item)[0];
  const { loc } = await person.control('event_type');
  const radio = loc.getByRole('radio', { name: person.form.choiceLabel(item, first.value, 'ja'), exact: true });
  page.failuresExpected = true;  // the page logs the failed requests, as it should
  await kiosk.stop();
  await person.tap(radio);
  await person.settle();
  const banner = async () => ((await page.locator('#banner').isVisible()) ? (await page.locator('#banner-text').innerText()).trim() : '');
  check((await banner()) === person.t('connectFail'), 'kiosk gone: the banner says the app could not be reached', await banner());
  check(!(await radio.isChecked()), 'kiosk gone: the tapped choice shows as not chosen (nothing was saved)');
  const said = await person.description(loc);
  check(said.includes(person.t('notSaved')), 'kiosk gone: the question says its answer was not saved', said);
  await person.shoot('kiosk-gone', [[1280, 800]]);

  const port = new URL(kiosk.url).port;
  const again = await Kiosk.start(dir, forms, [], port);
  await page.locator('#banner-close').click();
  await person.tap(radio);
  await person.settle();
  check((await banner()) === person.t('pageExpired'), 'kiosk restarted: the banner says to reload and continue from the drafts', await banner());
  check(!(await radio.isChecked()), 'kiosk restarted: the tapped choice shows as not chosen');
  await again.stop();
  page.failuresExpected = false;
}

// Leaving half-way keeps a draft: the drafts screen lists it by the survey's title with its count
// of answers and no codes, and resuming it shows its answers again.
async function drafts(person) {
  const page = person.page;
  if (person.lang !== 'ja') await person.switchLanguage();
  await person.button(person.t('savedAnother')).click();
  await person.settle();
  person.pageNumber = 0;
  await person.arrived();
  await person.set('respondent_type', 'care_manager');
  await person.set('ward', '271276');
  const snap = await person.snapshot();
  await person.button(person.t('home')).click();
  await page.getByRole('dialog').getByRole('button', { name: person.t('homeOk'), exact: true }).click();
  await person.settle();
  check((await person.heading()) === person.t('startTitle'), 'drafts: "save and leave" goes to the start screen', await person.heading());
  await person.button(person.t('drafts')).click();
  await person.settle();
  check((await person.heading()) === person.t('draftsTitle'), 'drafts: the drafts screen', await person.heading());
  const cards = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: person.t('resume'), exact: true }) });
  check((await cards.count()) === 1, 'drafts: one draft listed', await cards.count());
  const text = await cards.first().innerText();
  const title = person.form.text(person.form.json.title, 'ja');
  check(text.includes(title), `drafts: the card names the survey "${title}"`, text);
  check(/\d/.test(text) && text.includes(person.t('draftAnswers', 2)), 'drafts: the card counts the 2 answers', text);
  check(!/\d{5,}|\b[a-z0-9]+_[a-z0-9_]+\b/.test(text), 'drafts: the card shows no codes nor internal names', text);
  // The engine's instance name, made of the choices' labels: "介護支援専門員 北区".
  const named = ['respondent_type', 'ward'].map((n) => person.form.choiceLabel(person.form.item(n), n === 'ward' ? '271276' : 'care_manager', 'ja')).join(' ');
  check(named.endsWith('北区') && text.includes(named), `drafts: the card shows the instance name "${named}"`, text);
  for (let i = 0; i < 2; i++) {
    await person.axe(`the drafts screen (${person.lang})`);
    await person.shoot('drafts', [[1280, 800]]);
    await person.switchLanguage();
  }
  await cards.first().getByRole('button', { name: person.t('resume'), exact: true }).click();
  await person.settle();
  check((await person.heading()) === person.form.text(person.form.pages[0].label, 'ja'), 'drafts: resuming opens the first page', await person.heading());
  person.same(snap, await person.snapshot(), 'resuming the draft shows its answers');
}

// The event kiosk: a person fills the workshop survey and finishes; the next person sees nothing
// of theirs. Another walks away half-way: after the idle time the start screen, nothing of theirs
// either, and their draft kept in the store for staff.
async function loop(dir) {
  const form = new Form('workshop_attendee_survey');
  const traces = ['田中 美咲', '高橋 健', '天王寺区薬局', 'グループワークが良かった'];
  const nothingOf = async (person, texts, when) => {
    const seen = await person.page.evaluate((texts) => {
      const values = Array.from(document.querySelectorAll('input, textarea')).map((el) => el.value).join('\n');
      const html = document.documentElement.outerHTML + '\n' + values;
      return {
        texts: texts.filter((t) => html.includes(t)),
        checked: document.querySelectorAll('input:checked').length,
        filled: Array.from(document.querySelectorAll('main input:not([type=radio]):not([type=checkbox]), main textarea')).filter((el) => el.value !== '').length,
        autocomplete: Array.from(document.querySelectorAll('input, textarea')).filter((el) => el.getAttribute('autocomplete') !== 'off' && el.type !== 'radio' && el.type !== 'checkbox').length,
        history: history.length,
      };
    }, texts);
    check(seen.texts.length === 0, `loop ${when}: no text of the previous person in the DOM`, seen.texts);
    check(seen.checked === 0, `loop ${when}: no checked choice`, seen.checked);
    check(seen.filled === 0, `loop ${when}: no filled field`, seen.filled);
    check(seen.autocomplete === 0, `loop ${when}: every field has autocomplete="off"`, seen.autocomplete);
    return seen;
  };
  const kiosk = await Kiosk.start(dir, [form.file], ['--loop']);
  kiosk.loop = true;
  await browse(async (page) => {
    const person = new Person(page, form, 'loop');
    await page.goto(kiosk.url);
    await person.settle();
    const history = await page.evaluate(() => history.length);
    check(await person.button(person.t('drafts')).count() === 0, 'loop: no drafts button on the start screen');
    // The first person fills in English (the workshop suite looks at each page of it).
    person.full = false;
    person.shots = false;
    await fillScenario(person, kiosk, 'full_submission.json', { dir, blockFirst: true });
    person.full = true;
    check((await person.heading()) === person.t('thanksTitle'), 'loop: a thank-you screen after finishing');
    await person.axe('the thank-you screen');
    await person.shoot('loop-thanks', [[1280, 800]]);
    await nothingOf(person, traces, 'thank-you screen');
    await person.button(person.t('thanksNext')).click();
    await person.settle();
    person.lang = 'ja';
    check((await person.heading()) === form.text(form.pages[0].label, 'ja'), 'loop: the next person gets a fresh form, in Japanese', await person.heading());
    const seen = await nothingOf(person, traces, 'next person');
    check(seen.history === history, `loop: no history entry added (${history})`, seen.history);
    await person.axe('the next person\'s first page');
    await person.shoot('loop-next', [[1280, 800]]);
    // Back leaves the kiosk for the blank tab it was opened in (no earlier screen of it to go
    // back to); forward comes back to a page with nothing of the previous person.
    await page.goBack();
    check(page.url() === 'about:blank', 'loop: back leaves the kiosk (the page added no history entry)', page.url());
    await page.goForward();
    await person.settle();
    await nothingOf(person, traces, 'after going back and forward');
  });
  await kiosk.stop();

  // Walking away half-way.
  const idleDir = path.join(dir, 'idle');
  fs.mkdirSync(idleDir);
  const idle = await Kiosk.start(idleDir, [form.file], ['--loop', '--idle-seconds', '4']);
  await browse(async (page) => {
    const person = new Person(page, form, 'idle');
    person.full = false;
    await person.start(idle);
    await person.set('event_type', 'acp_seminar');
    await person.set('profession', 'other');
    await person.set('profession_other', '歩き去った人の職種');
    // No input now: after the idle time, the start screen.
    await page.waitForFunction((title) => document.querySelector('#page-h') && document.querySelector('#page-h').textContent === title,
      person.t('startTitle'), { timeout: 20000 });
    await nothingOf(person, ['歩き去った人の職種'], 'after the idle time');
    await person.button(new RegExp('^\\s*' + esc(form.text(form.json.title, 'ja')))).click();
    await person.settle();
    await nothingOf(person, ['歩き去った人の職種'], 'a fresh form after the idle time');
  });
  await idle.stop();
  const drafts = run(['drafts', '--store', idle.store]);
  check(drafts.status === 0 && /^\s*\d+\s/m.test(drafts.stdout) && drafts.stdout.split('\n').filter((l) => /workshop_attendee_survey/.test(l)).length === 2,
    'loop: the abandoned draft stays in the store (and the fresh one)', drafts.stdout + drafts.stderr);
}

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chosa-browser-'));
  const started = Date.now();
  try {
    if (SUITE === 'loop') await loop(dir);
    else if (SURVEYS[SUITE]) await survey(dir, SUITE);
    else throw new Error('unknown suite ' + SUITE);
  } catch (error) {
    check(false, `${SUITE}: ran to the end`, error.stack || error.message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${SUITE}: ${checks} checks, ${faults.length} faults; axe on ${axeScreens} screens; ${shots} screenshots in ${OUT}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(faults.length === 0 ? 0 : 1);
}
main();
