// A developer's tour of the renderer in headless Chromium: fills each of the five example surveys
// (and dev/all_types.json when installed) by tapping and typing as a person would, choices picked
// by their visible label; takes screenshots (1280x800 and 800x1280, ja and en) and runs axe-core's
// WCAG 2.1 A/AA rules on every screen it passes. Not the test suite: a tool to look with.
//
//   node platform/web/dev/tour.js URL OUT_DIR [AXE_JS] [SURVEY...]
//
// URL: a running `chosa kiosk` in app mode with the five forms installed;
// AXE_JS: the path of axe.min.js (npm's axe-core), optional. Prints every fault it finds and exits
// 1 if any.
'use strict';
const path = require('path');
let chromium;
for (const where of ['playwright-core', path.join(__dirname, '../../../tests/browser/node_modules/playwright-core')]) {
  try { ({ chromium } = require(where)); break; } catch (e) { /* next */ }
}

const [url, out, axePath, ...only] = process.argv.slice(2);
const faults = [];
const fault = (text) => { faults.push(text); console.log('FAULT ' + text); };
const exact = (text) => new RegExp('^\\s*' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\s*$');

async function main() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  page.on('console', (m) => { if (m.type() === 'error') fault('console: ' + m.text()); });
  page.on('pageerror', (e) => fault('page error: ' + e.message));
  page.on('request', (r) => { if (!r.url().startsWith(url.replace(/\/$/, ''))) fault('loads ' + r.url()); });

  const settle = async () => {
    await page.waitForFunction(() => window.chosaRenderer && window.chosaRenderer.pending() === 0 &&
      window.chosaRenderer.navReady(), null, { timeout: 10000 });
    await page.waitForTimeout(80);
  };
  const q = (label) => page.locator('[data-path]').filter({ has: page.locator('.qtext', { hasText: exact(label) }) }).last();
  const choose = async (label, choice) => { await q(label).locator('label.tile').filter({ hasText: exact(choice) }).click(); await settle(); };
  const pick = async (label, choice, typed) => {
    const input = q(label).locator('input[role=combobox]');
    await input.click();
    if (typed) await input.pressSequentially(typed);
    await q(label).locator('[role=option]').filter({ hasText: exact(choice) }).click();
    await settle();
  };
  const type = async (label, text) => {
    const input = q(label).locator('input, textarea').first();
    await input.click();
    await input.pressSequentially(text, { delay: 15 });
    await input.press('Tab');
    await settle();
  };
  const fill = async (label, text) => { await q(label).locator('input').first().fill(text); await q(label).locator('input').first().press('Tab'); await settle(); };
  const matrix = async (columns) => {
    const rows = page.locator('.mx-row');
    const n = await rows.count();
    for (let i = 0; i < n; i++) { await rows.nth(i).locator('label.mx-cell').nth(columns[i % columns.length]).click(); }
    await settle();
  };
  const next = async () => { await page.click('#btn-next'); await settle(); };
  const heading = () => page.locator('#page-h').innerText();
  const lang = async () => { await page.click('#btn-lang'); await settle(); };
  let shot = 0;
  const snap = async (name, full) => {
    const file = path.join(out, String(++shot).padStart(2, '0') + '-' + name + '.png');
    await page.screenshot({ path: file, fullPage: !!full });
  };
  const axe = async (where) => {
    if (!axePath) return;
    // Evaluated through the DevTools protocol: the kiosk's Content-Security-Policy forbids an
    // injected <script>, rightly.
    if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(require('fs').readFileSync(axePath, 'utf8'));
    const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
    for (const v of result.violations) fault(`axe ${where}: ${v.id} (${v.impact}) ${v.nodes.length}x: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')} — ${v.nodes[0].failureSummary.split('\n').slice(0, 2).join(' ')}`);
  };
  const expectText = async (text, where) => {
    const body = await page.locator('main').innerText();
    if (!body.includes(text)) fault(`${where}: "${text}" not shown`);
  };
  const sizes = async (name) => {
    await snap(name + '-1280');
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.waitForTimeout(100);
    await snap(name + '-800');
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  // Screenshots of the page at both sizes in both languages, axe in both; back in Japanese.
  const both = async (name) => {
    await axe(name + ' ja');
    await sizes(name + '-ja');
    await lang();
    await axe(name + ' en');
    await sizes(name + '-en');
    await lang();
  };
  const start = async (title) => {
    await page.goto(url);
    await settle();
    if (await page.locator('#btn-home').isVisible()) {
      await page.click('#btn-home');
      await page.click('#dialog-ok');
      await settle();
    }
    await page.locator('.form-card').filter({ hasText: title }).click();
    await settle();
  };
  const finish = async (name) => {
    await next();  // the last page's button opens the review
    if ((await heading()) !== '回答の確認') fault(`${name}: no review after the last page: ${await heading()}`);
    await axe(name + ' review');
    await snap(name + '-review-1280-ja', true);
    if (name === 'checklist') {
      await page.setViewportSize({ width: 800, height: 1280 }); await snap(name + '-review-800-ja'); await page.setViewportSize({ width: 1280, height: 800 });
      await lang(); await snap(name + '-review-1280-en'); await page.setViewportSize({ width: 800, height: 1280 }); await snap(name + '-review-800-en'); await page.setViewportSize({ width: 1280, height: 800 }); await lang();
    }
    await page.click('#btn-next');
    await axe(name + ' confirm');
    await snap(name + '-confirm');
    await page.click('#dialog-ok');
    await settle();
    if ((await heading()) !== '保存しました') fault(`${name}: not saved: ${await heading()}`);
    await axe(name + ' saved');
    await snap(name + '-saved');
  };

  const surveys = {
    // Run against `chosa kiosk --loop --idle-seconds 5` (only this one: tour.js URL OUT AXE loop).
    async loop() {
      await page.goto(url);
      await settle();
      if ((await page.evaluate(() => window.chosaRenderer.mode)) !== 'kiosk-loop') return fault('loop: the kiosk is not in --loop mode');
      if (await page.getByRole('button', { name: '途中の回答' }).count()) fault('loop: a drafts button on the start screen');
      await page.locator('.form-card').filter({ hasText: '参加者アンケート' }).click();
      await settle();
      await choose('参加した研修会・報告会', '人生会議（ACP）普及啓発セミナー');
      await fill('開催日', '2024-11-01');
      await pick('職種', '看護師');
      await next();
      await choose('日頃、他の職種・機関と連携が取れていると感じますか', 'はい');
      await choose('本日以前から「在宅医療・介護連携相談支援室」を知っていましたか', 'いいえ');
      await choose('今後、相談支援室と連携していきたいと思いますか', '今後、連携していきたい');
      await choose('本日以前から「人生会議（ACP）」を知っていましたか', '知らない');
      await choose('本日のセミナーで、人生会議（ACP）について理解が深まりましたか', 'はい');
      await choose('本日の内容は参考になりましたか', '参考になった');
      await type('ご意見・ご感想', '前の人の感想');
      await next();
      await type('氏名', '前野 一郎');
      await pick('職種', '看護師');
      await next();
      await page.click('#btn-next');
      await page.click('#dialog-ok');
      await settle();
      if ((await heading()) !== 'ご協力ありがとうございました') fault('loop: no thank-you: ' + await heading());
      await axe('loop thanks');
      await snap('loop-thanks');
      await page.getByRole('button', { name: '次の方へ' }).click();
      await settle();
      if ((await heading()) !== '研修会・報告会について') fault('loop: no fresh form: ' + await heading());
      const text = await page.locator('body').innerText();
      if (text.includes('前野') || text.includes('前の人')) fault('loop: the previous attendee shows');
      if (await page.locator('label.tile input:checked').count()) fault('loop: a choice of the previous attendee is checked');
      if ((await page.evaluate(() => history.length)) > 2) fault('loop: history has ' + await page.evaluate(() => history.length) + ' entries');
      await snap('loop-fresh');
      await choose('参加した研修会・報告会', '多職種研修会');
      await page.waitForTimeout(7500);  // idle: back to the start screen
      await settle();
      if ((await heading()) !== '調査を選んでください') fault('loop: not back at the start after the idle time: ' + await heading());
      await snap('loop-idle-start');
    },
    async start() {
      await page.goto(url);
      await settle();
      if (await page.locator('#btn-home').isVisible()) { await page.click('#btn-home'); await page.click('#dialog-ok'); await settle(); }
      await axe('start ja');
      await sizes('start-ja');
      await lang();
      await axe('start en');
      await sizes('start-en');
      await lang();
    },
    async drafts() {
      await start('高齢者実態調査');
      await choose('回答者の区分', '介護支援専門員');
      await pick('お住まい（事業所の所在地）の区', '北区');
      const input = q('お住まい（事業所の所在地）の区').locator('input[role=combobox]');
      await input.click();
      await input.pressSequentially('東');
      await axe('combobox open');
      await snap('combobox-open');
      await input.press('Escape');
      await page.click('#btn-home');
      await axe('leave dialog');
      await page.click('#dialog-ok');
      await settle();
      await page.getByRole('button', { name: '途中の回答' }).click();
      await settle();
      await axe('drafts');
      await sizes('drafts');
      await page.locator('.draft-card').first().getByRole('button', { name: '続きから回答' }).click();
      await settle();
      if ((await q('お住まい（事業所の所在地）の区').locator('input').inputValue()) !== '北区') fault('drafts: the resumed ward');
      await page.click('#btn-home');
      await page.click('#dialog-ok');
      await settle();
      await page.getByRole('button', { name: '途中の回答' }).click();
      await settle();
      const before = await page.locator('.draft-card').count();
      await page.locator('.draft-card').first().getByRole('button', { name: '削除' }).click();
      await snap('drafts-delete-confirm');
      await page.click('#dialog-ok');
      await settle();
      if ((await page.locator('.draft-card').count()) !== before - 1) fault('drafts: not deleted');
    },
    async checklist() {
      await start('新任コーディネーター');
      await both('checklist-p1');
      await next();  // blocked: every required question shows its message
      await snap('checklist-p1-blocked');
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest('[data-path]') && document.activeElement.closest('[data-path]').dataset.path);
      if (focused !== 'ward') fault('checklist: the first error is not focused: ' + focused);
      await pick('配属区', '北区', '北');
      await fill('採用月', '2024-04');
      await choose('採用後の年数', '1年目');
      await choose('回答時期', '採用9か月（進捗確認）');
      await choose('事業説明（局担当者によるコーディネーター手引書を用いた説明）', 'あり');
      await choose('チェックリストを意識して活動していますか', '意識して活動している');
      await next();
      if ((await heading()) !== 'チェックリスト（25項目）') fault('checklist: not on page 2: ' + await heading());
      await matrix([0, 1, 0, 2, 0]);
      await expectText('合計 85 / 100', 'checklist total');
      await both('checklist-grid');
      await page.mouse.wheel(0, 900);
      await page.waitForTimeout(200);
      await snap('checklist-grid-scrolled');
      await next();
      await choose('実践講義（先輩コーディネーターからの講義）に参加しましたか', 'はい');
      await choose('講義研修後、業務に自信が持てましたか', 'はい');
      await choose('先輩区での実習に参加しましたか', 'いいえ');
      await type('業務で困っていること（進捗確認）', '関係機関との日程調整に時間がかかる');
      await axe('checklist p3');
      await finish('checklist');
    },
    async medical() {
      await start('医療施設等アンケート');
      await both('medical-p1');
      await choose('貴施設の種別を選んでください', '訪問薬局');
      await pick('貴施設の所在区を選んでください', '都島区');
      await type('直近1か月の在宅患者訪問薬剤管理指導（居宅療養管理指導を含む）の件数', '１２');
      await choose('在宅患者について処方医と連絡を取りにくいと感じることがありますか', 'ときどきある');
      await axe('medical p1 answered');
      await snap('medical-p1-answered', true);
      await next();
      await matrix([0, 1, 2, 3, 1]);
      await axe('medical grid');
      await next();
      await choose('「在宅医療・介護連携相談支援室」を知っていますか', 'はい');
      await choose('これまでに相談支援室に相談したことがありますか', 'いいえ');
      await choose('連携で困ったときに相談できる窓口が必要だと思いますか', 'はい');
      await next();
      await choose('在宅医療・介護連携を推進するために必要だと思うことを選んでください（いくつでも）', '顔の見える関係づくり（多職種研修会・交流会）');
      await choose('在宅医療・介護連携を推進するために必要だと思うことを選んでください（いくつでも）', 'その他');
      await type('「その他」の内容を具体的に記入してください', '訪問歯科との連携');
      await axe('medical p4');
      await snap('medical-p4', true);
      await finish('medical');
    },
    async older() {
      await start('高齢者実態調査');
      await both('older-p1');
      await choose('回答者の区分', '本人');
      await choose('記入方法', '調査員の聞き取り');
      await type('年齢（満年齢）', '50');
      await snap('older-age-constraint');
      await expectText('65', 'older: the age constraint message');
      const input = q('年齢（満年齢）').locator('input');
      await input.fill('');
      await input.pressSequentially('８２');
      await input.press('Tab');
      await settle();
      await choose('性別', '女性');
      await pick('お住まい（事業所の所在地）の区', '阿倍野区');
      // switching language keeps every answer
      await lang();
      const value = await q('Age (years)').locator('input').inputValue();
      if (value !== '82') fault('older: the age after switching language: ' + value);
      await lang();
      // reloading keeps every answer
      await page.reload();
      await settle();
      if ((await q('年齢（満年齢）').locator('input').inputValue()) !== '82') fault('older: the age after reload');
      await next();
      await choose('「人生会議（ACP：アドバンス・ケア・プランニング）」を知っていますか', '名前だけ知っている');
      await choose('人生会議（ACP）を何で知りましたか（いくつでも）', 'テレビ・新聞・雑誌');
      await choose('人生会議（ACP）を何で知りましたか（いくつでも）', '家族・知人');
      await choose('人生の最終段階における医療・ケアについて、ご家族や医療・介護関係者と話し合ったことがありますか', '一応話し合っている');
      await axe('older p2');
      await snap('older-p2', true);
      await finish('older');
    },
    async ward() {
      await start('区役所・相談支援室 取組調査');
      await both('ward-p1');
      await pick('区', '此花区', '此花');
      await choose('調査期間', '下半期（10月～3月）');
      await choose('回答する機関', '相談支援室（在宅医療・介護連携相談支援室）');
      await type('回答者（所属・氏名）', '保健福祉課 大阪 太郎');
      await next();
      await matrix([0, 1, 1, 2]);
      await expectText('取組状況の合計点：24 / 32', 'ward total');
      await type('調査期間中の相談件数', '15');
      await choose('関係機関へのアウトリーチ（相談支援室の周知）', '実施中');
      await choose('新任コーディネーター（採用1～2年目）が在籍していますか', 'いいえ');
      await choose('11月の人生会議（ACP）強化月間の取組', '実施済み');
      await type('ACP強化月間に実施した啓発の回数', '3');
      await axe('ward p2');
      await snap('ward-p2', true);
      await next();
      await choose('課題だと感じていることを選んでください（いくつでも）', '予算の確保');
      await choose('課題だと感じていることを選んでください（いくつでも）', '医師会等関係機関との調整');
      await choose('そのうち、最も課題だと感じていることを1つ選んでください', '予算の確保');
      await axe('ward p3');
      await snap('ward-p3', true);
      await next();
      await page.locator('button.add').click();
      await settle();
      await type('取組の名称', '多職種研修会（北ブロック）');
      await choose('種別', '多職種研修会');
      await choose('該当する事業項目', '（カ）医療・介護関係者の研修');
      await fill('実施日', '2024-11-20');
      await type('参加者数', '42');
      await page.locator('button.add').click();
      await settle();
      await axe('ward repeat');
      await snap('ward-repeat', true);
      await page.locator('.instance').nth(1).locator('button.danger-outline').click();
      await snap('ward-remove-confirm');
      await page.click('#dialog-ok');
      await settle();
      if ((await page.locator('.instance').count()) !== 1) fault('ward: the second activity was not removed');
      await expectText('取組 1 件、参加者 延べ 42 人', 'ward activities total');
      await finish('ward');
    },
    async workshop() {
      await start('参加者アンケート');
      await both('workshop-p1');
      await choose('参加した研修会・報告会', '多職種研修会');
      await fill('開催日', '2024-11-01');
      await choose('開催ブロック', '北ブロック');
      await pick('勤務先の区', '北区');
      await pick('職種', '薬剤師', '薬');
      await next();
      await choose('日頃、他の職種・機関と連携が取れていると感じますか', 'はい');
      await choose('本日以前から「在宅医療・介護連携相談支援室」を知っていましたか', 'はい');
      await choose('これまでに相談支援室と連携したことがありますか', 'いいえ');
      await choose('今後、相談支援室と連携していきたいと思いますか', '今後、連携していきたい');
      await choose('本日以前から「人生会議（ACP）」を知っていましたか', '名前だけ知っている');
      await choose('本日の内容は参考になりましたか', 'とても参考になった');
      await axe('workshop p2');
      await snap('workshop-p2', true);
      await next();
      await type('氏名', '山田 花子');
      await pick('職種', '薬剤師');
      await axe('workshop p3');
      await snap('workshop-p3', true);
      await finish('workshop');
    },
    async alltypes() {
      await page.goto(url);
      await settle();
      if (!(await page.locator('.form-card').filter({ hasText: '表示確認用' }).count())) return;
      await start('表示確認用');
      await type('体重（kg）', '５２．５');
      await fill('訪問時刻', '09:30');
      await fill('連絡日時', '2024-04-01T09:30');
      await fill('利用開始月', '2024-04');
      await axe('all types p1');
      await snap('alltypes-p1', true);
      await next();
      const down = page.locator('.rank-item').first().locator('button').nth(1);
      await down.click();
      await settle();
      const handle = page.locator('.rank-item').nth(3).locator('.handle');
      const box = await handle.boundingBox();
      const top = await page.locator('.rank-item').first().boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, top.y + 5, { steps: 8 });
      await page.mouse.up();
      await settle();
      await choose('特に必要なもの（2つまで）', '研修の充実');
      await choose('特に必要なもの（2つまで）', '相談窓口');
      await choose('特に必要なもの（2つまで）', '顔の見える関係づくり');
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await q('説明を読み、回答に同意します').locator('label.tile').click();
      await settle();
      await axe('all types p2');
      await snap('alltypes-p2', true);
      await next();
      await snap('alltypes-review', true);
    },
  };
  for (const [name, run] of Object.entries(surveys)) {
    if (only.length ? !only.includes(name) : name === 'loop') continue;  // loop: only when named
    console.log('--', name);
    try {
      await run();
    } catch (error) {
      fault(`${name}: ${error.message.split('\n')[0]}`);
      await snap(name + '-failed', true).catch(() => {});
    }
  }
  await browser.close();
  console.log(faults.length ? `${faults.length} faults` : 'no faults');
  process.exit(faults.length ? 1 : 0);
}
main();
