// The screens around the questions: start (forms), drafts, the form's pages, review, saved /
// thank-you, and the kiosk loop. Every action goes to the engine as an action message
// ({"v":1,"op":...}, docs/web-renderer.md) through one queue, one at a time and in order;
// typing in the same field is coalesced while waiting. The page is drawn from the replies only.
'use strict';
(function () {
  const { Page, h, setText, setAttr } = window.ChosaWidgets;
  const WORDS = window.CHOSA_WORDS;
  const meta = window.ChosaTransport.meta;
  const transport = window.ChosaTransport.choose();
  const $ = (id) => document.getElementById(id);

  const mode = ['app', 'kiosk', 'kiosk-loop'].includes(meta('chosa-mode')) ? meta('chosa-mode') : 'app';
  const loop = mode === 'kiosk-loop';
  const idleSeconds = Math.max(0, parseInt(meta('chosa-idle-seconds'), 10) || 0);
  const offered = meta('chosa-forms').split(',').map((s) => s.trim()).filter(Boolean);
  const DEFAULT_LANG = 'ja';
  const LANG_NAMES = { ja: '日本語', en: 'English' };

  const state = {
    lang: DEFAULT_LANG,
    screen: '',
    view: null,       // the last view model drawn
    page: null,       // the widgets of the page shown
    pageKey: '',
    formId: '',       // the form of the open draft (for "another one")
    showAll: false,   // every error of the page shows (after next, or coming from review)
    touched: new Set(),
    refusals: new Map(),
    redraw: null,     // draws the current screen again (a language switch outside a form)
    large: false,
    // Until when (performance.now()) next and back ignore taps: a double tap on next would
    // otherwise land on the next page's next, in the same place, and skip a page unseen.
    navQuietUntil: 0,
  };
  const NAV_QUIET_MS = 350;
  const navQuiet = () => performance.now() < state.navQuietUntil;
  const quietNav = () => { state.navQuietUntil = performance.now() + NAV_QUIET_MS; };

  function t(key, ...args) {
    const words = WORDS[state.lang] || WORDS.en;
    const text = key in words ? words[key] : (WORDS.en[key] || key);
    return text.replace(/\{(\d)\}/g, (m, i) => String(args[i]));
  }

  // ---- the queue of action messages -----------------------------------------------------------

  let serial = 0;
  const queue = [];
  let inflight = null;
  const typing = new Map();  // path -> {timer, text}: an answer being typed, not sent yet

  function send(op, fields) {
    const request = Object.assign({ v: 1, id: ++serial, op }, fields || {});
    return new Promise((resolve, reject) => {
      if (op === 'answer') {
        const same = queue.find((job) => job.request.op === 'answer' && job.request.path === request.path);
        if (same) {
          same.request.text = request.text;
          same.waiters.push({ resolve, reject });
          return;
        }
      }
      queue.push({ request, waiters: [{ resolve, reject }] });
      pump();
    });
  }

  async function pump() {
    if (inflight || queue.length === 0) return;
    inflight = queue.shift();
    const slow = setTimeout(() => document.body.classList.add('working'), 600);
    let reply = null;
    let failure = null;
    try {
      reply = await transport.send(inflight.request);
    } catch (error) {
      failure = error;
    }
    clearTimeout(slow);
    document.body.classList.remove('working');
    const job = inflight;
    inflight = null;
    for (const waiter of job.waiters) (failure ? waiter.reject(failure) : waiter.resolve(reply));
    pump();
  }

  const waiting = () => queue.length + (inflight ? 1 : 0) + typing.size;
  const busy = (path) => typing.has(path) || (inflight && inflight.request.path === path) ||
    queue.some((job) => job.request.path === path);

  function answer(path, text, later) {
    const pending = typing.get(path);
    if (pending) clearTimeout(pending.timer);
    typing.delete(path);
    if (later) {
      typing.set(path, { text, timer: setTimeout(() => { typing.delete(path); sendAnswer(path, text); }, 400) });
    } else {
      sendAnswer(path, text);
    }
  }

  function flushTyping() {
    for (const [path, pending] of Array.from(typing)) {
      clearTimeout(pending.timer);
      typing.delete(path);
      sendAnswer(path, pending.text);
    }
  }

  async function sendAnswer(path, text) {
    let reply;
    try {
      reply = await send('answer', { path, text });
    } catch (error) {
      failed(error);
      // Not saved: the field says so, and the page is drawn again from the last view, so that a
      // tapped choice shows what is saved (a typed text stays, to be sent again).
      state.refusals.set(path, t('notSaved'));
      state.touched.add(path);
      if (waiting() === 0 && state.screen === 'form' && state.view) drawForm(state.view, {});
      return;
    }
    if (reply.ok) {
      state.refusals.delete(path);
    } else if (reply.error && reply.error.path === path && reply.view) {
      state.refusals.set(path, reply.error.message);  // shown by the field once it is left
    } else {
      return refused(reply);
    }
    if (waiting() === 0 && state.screen === 'form' && reply.view) drawForm(reply.view, {});
  }

  // ---- errors, banner, announcements, dialog ----------------------------------------------------

  function errorsOf(item) {
    if (!state.showAll && !state.touched.has(item.path)) return [];
    const messages = (item.errors || []).map((e) => e.message);
    const refusal = state.refusals.get(item.path);
    if (refusal && !messages.includes(refusal)) messages.unshift(refusal);
    return messages;
  }

  function banner(message) {
    setText($('banner-text'), message);
    setText($('banner-close'), t('dismiss'));
    $('banner').hidden = false;
  }
  $('banner-close').addEventListener('click', () => { $('banner').hidden = true; });

  function failed(error) {
    console.error(error);
    const code = error && error.code;
    // The kiosk refuses this page's token: it restarted with another (the draft is saved).
    if (code === 'forbidden') return banner(t('pageExpired'));
    banner(code === 'unavailable' ? t('connectFail') : t('serverError', (error && error.message) || error));
  }

  // A refusal that is not about one answer: a draft no longer open (the kiosk restarted) sends
  // the person to the start screen; anything else is said in the banner.
  function refused(reply) {
    const error = reply.error || {};
    if (error.code === 'misuse' && !reply.draft) {
      showStart();
    }
    banner(t('serverError', error.message || error.code));
  }

  function announce(text) {
    const element = $('announce');
    element.textContent = '';
    setTimeout(() => { element.textContent = text; }, 50);
  }

  let dialogDone = null;
  function ask(text, ok, options) {
    options = options || {};
    const dialog = $('dialog');
    setText($('dialog-title'), options.title || t('confirmTitle'));
    setText($('dialog-text'), text);
    setText($('dialog-ok'), ok);
    $('dialog-ok').className = 'btn ' + (options.danger ? 'danger' : 'primary');
    setText($('dialog-cancel'), options.cancel || t('cancel'));
    $('dialog-cancel').hidden = !!options.noCancel;
    if (dialog.open) dialog.close();
    dialog.showModal();
    (options.danger || options.focusCancel ? $('dialog-cancel') : $('dialog-ok')).focus();
    return new Promise((resolve) => { dialogDone = resolve; });
  }
  function answerDialog(yes) {
    const dialog = $('dialog');
    if (dialog.open) dialog.close();
    const done = dialogDone;
    dialogDone = null;
    if (done) done(yes);
  }
  $('dialog-ok').addEventListener('click', () => answerDialog(true));
  $('dialog-cancel').addEventListener('click', () => answerDialog(false));
  $('dialog').addEventListener('cancel', (event) => { event.preventDefault(); answerDialog(false); });

  // ---- the frame: header, progress, footer ----------------------------------------------------

  function setScreen(name) {
    if (name !== state.screen) quietNav();
    state.screen = name;
    document.body.dataset.screen = name;
    $('nav').hidden = name !== 'form' && name !== 'review';
    $('btn-home').hidden = name !== 'form' && name !== 'review';
    $('progress').hidden = name !== 'form';
    if (name !== 'form') state.page = null;
    history.replaceState(null, '', location.pathname);  // nothing to go back to, ever
  }

  function setLanguage(lang) {
    state.lang = WORDS[lang] ? lang : 'en';
    document.documentElement.lang = lang;
  }

  function chrome() {
    const view = state.view;
    const inForm = state.screen === 'form' || state.screen === 'review';
    const title = inForm && view ? view.title : t('appName');
    setText($('app-title'), title);
    document.title = title;
    const languages = inForm && view && view.languages.length ? view.languages : ['ja', 'en'];
    const other = languages[(languages.indexOf(state.lang) + 1) % languages.length];
    const lang = $('btn-lang');
    lang.hidden = languages.length < 2;
    setText(lang, LANG_NAMES[other] || other);
    setAttr(lang, 'lang', other);
    lang.dataset.to = other;
    setText($('btn-size'), state.large ? t('normalText') : t('largeText'));
    setAttr($('btn-size'), 'aria-pressed', state.large ? 'true' : 'false');
    setText($('btn-home'), loop ? t('homeKiosk') : t('home'));
    if (state.screen === 'form' && view) {
      const nav = view.navigation;
      setText($('btn-back'), t('back'));
      $('btn-back').disabled = !nav.can_back;
      setText($('btn-next'), nav.is_last ? t('toReview') : t('next'));
      // The bar counts the questions answered of the relevant ones (the engine's counts).
      const counted = nav.questions > 0;
      const text = t('page', nav.page_number, nav.relevant_pages) + (counted ? '　' + t('answered', nav.answered, nav.questions) : '');
      setText($('progress-text'), text);
      $('progress-fill').style.width = nav.progress_percent + '%';
      const bar = $('progress-bar');
      setAttr(bar, 'aria-valuemax', counted ? nav.questions : 100);
      setAttr(bar, 'aria-valuenow', counted ? nav.answered : nav.progress_percent);
      setAttr(bar, 'aria-valuetext', text);
      setAttr(bar, 'aria-label', t('progress'));
    }
  }

  // ---- the form's pages ---------------------------------------------------------------------

  const ctx = {
    t: (...args) => t(...args),
    answer,
    touch: (path) => state.touched.add(path),
    errorsOf,
    busy,
    refused: (path) => state.refusals.has(path),
    addInstance: async (repeat) => {
      flushTyping();
      const reply = await send('add_instance', { repeat }).catch(failed);
      if (!reply) return;
      if (!reply.ok) return refused(reply);
      drawForm(reply.view, {});
      // The new instance's first question gets the focus.
      const target = state.page && state.page.focusTargetOf(repeat + '[' + reply.position + ']/' + firstInstanceName(reply.view, repeat, reply.position));
      if (target) { target.scrollIntoView({ block: 'center' }); target.focus({ preventScroll: true }); }
    },
    removeInstance: async (repeat, position, label) => {
      const ok = await ask(t('removeConfirm', label), t('removeOk'), { danger: true });
      if (!ok) return;
      flushTyping();
      const reply = await send('remove_instance', { repeat, position }).catch(failed);
      if (!reply) return;
      if (!reply.ok) return refused(reply);
      drawForm(reply.view, {});
    },
  };

  function firstInstanceName(view, repeat, position) {
    let found = '';
    walk(view.items, (item) => {
      if (!found && item.type === 'repeat' && item.path === repeat) {
        const instance = item.instances.find((i) => i.position === position);
        const first = instance && instance.items.find((i) => i.type !== 'note');
        if (first) found = first.name;
      }
    });
    return found;
  }

  function walk(items, visit) {
    for (const item of items || []) {
      visit(item);
      walk(item.children, visit);
      for (const instance of item.instances || []) walk(instance.items, visit);
    }
  }

  function drawForm(view, options) {
    const key = view.form_id + '#' + state.formId + '#' + view.navigation.page;
    const fresh = state.screen !== 'form' || key !== state.pageKey || !state.page;
    state.view = view;
    setLanguage(view.language);
    if (fresh) {
      setScreen('form');
      quietNav();  // another page: its next is where the last one's was
      state.pageKey = key;
      state.touched = new Set();
      state.refusals.clear();
      state.showAll = false;
      // Coming back to a page: what was answered there was left once already.
      walk(view.items, (item) => { if (item.value) state.touched.add(item.path); });
      const heading = h('h2', { class: 'page-h', id: 'page-h', tabindex: '-1' });
      const items = h('div', { class: 'items' });
      $('main').replaceChildren(h('div', { class: 'form-page' }, heading, items));
      state.page = new Page(ctx, items);
    }
    if (options.showAll) state.showAll = true;
    setText($('page-h'), view.page_label || view.title);
    state.page.draw(view.items);
    chrome();
    if (fresh) {
      window.scrollTo(0, 0);
      if (!options.focusError) $('page-h').focus({ preventScroll: true });
    }
    if (options.focusError) focusError(options.errorPath);
  }

  function focusError(path) {
    const page = state.page;
    if (!page) return;
    let target = path ? page.focusTargetOf(path) : null;
    const first = page.firstError();
    if (!target || (first && !target.closest('.has-err'))) target = page.focusTargetOf(first);
    if (!target) return;
    const box = target.closest('.mx-row') || target.closest('.q') || target;
    box.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
    box.classList.remove('flash');
    void box.offsetWidth;
    box.classList.add('flash');
  }

  let navigating = false;
  async function navigate(op, fields, options) {
    if (navigating) return;
    navigating = true;
    flushTyping();
    try {
      const reply = await send(op, fields);
      if (reply.ok) {
        if (reply.view) drawForm(reply.view, options || {});
      } else if (reply.view && reply.error && reply.error.path !== undefined && (op === 'next' || op === 'finalize')) {
        drawForm(reply.view, { showAll: true, focusError: true, errorPath: reply.error.path });
        announce(reply.error.message);
      } else {
        refused(reply);
      }
      return reply;
    } catch (error) {
      failed(error);
    } finally {
      navigating = false;
    }
  }

  $('btn-next').addEventListener('click', () => {
    if (navQuiet()) return;
    if (state.screen === 'review') return finalize();
    if (state.view && state.view.navigation.is_last) return openReview();
    navigate('next');
  });
  $('btn-back').addEventListener('click', () => {
    if (navQuiet()) return;
    if (state.screen === 'review') return navigate('view');
    navigate('back');
  });

  // ---- review, finalize, saved ----------------------------------------------------------------

  async function openReview() {
    flushTyping();
    const reply = await send('review').catch(failed);
    if (!reply) return;
    if (!reply.ok) return refused(reply);
    drawReview(reply.review);
  }

  function reviewItems(items) {
    const list = h('dl', { class: 'rv-list' });
    for (const item of items) {
      const errors = (item.errors || []).map((e) => e.message);
      const container = item.children && item.children.length > 0;
      const row = h('div', { class: 'rv-item' + (errors.length ? ' rv-err' : '') + (container ? ' rv-group' : '') });
      row.append(h('dt', { text: item.label }));
      const dd = h('dd');
      if (container) {
        dd.append(reviewItems(item.children));
      } else if (item.display) {
        dd.append(h('span', { class: 'rv-value', text: item.display }));
      } else if (!['group', 'matrix', 'repeat', 'repeat_instance'].includes(item.type)) {
        dd.append(h('span', { class: 'rv-none', text: t('unanswered') }));
      }
      for (const message of errors) dd.append(h('p', { class: 'err' }, h('span', { class: 'err-icon', 'aria-hidden': 'true', text: '!' }), message));
      row.append(dd);
      list.append(row);
    }
    return list;
  }

  function drawReview(review) {
    setLanguage(review.language);
    setScreen('review');
    const status = review.error_count > 0
      ? h('p', { class: 'rv-status warn' }, h('span', { class: 'err-icon', 'aria-hidden': 'true', text: '!' }), t('reviewErrors', review.error_count))
      : h('p', { class: 'rv-status ok', text: '✓ ' + t('reviewOk') });
    const pages = review.pages.map((page, i) => {
      const label = page.label || review.title;
      const id = 'rv-p' + i;
      const edit = h('button', { type: 'button', class: 'btn secondary small', 'aria-label': t('reviewEditPage', label), text: t('reviewEdit') });
      edit.addEventListener('click', () => navigate('go_to', { page: page.page }, { showAll: true, focusError: page.error_count > 0 }));
      const head = h('div', { class: 'rv-head' }, h('h3', { id, text: label }));
      if (page.error_count > 0) head.append(h('span', { class: 'badge', text: t('reviewPageErrors', page.error_count) }));
      head.append(edit);
      return h('section', { class: 'rv-page' + (page.error_count ? ' rv-err' : ''), 'aria-labelledby': id }, head, reviewItems(page.items));
    });
    $('main').replaceChildren(h('div', { class: 'review' },
      h('h2', { class: 'page-h', id: 'page-h', tabindex: '-1', text: t('reviewTitle') }),
      h('p', { class: 'lead', text: t('reviewIntro') }),
      h('p', { class: 'rv-counts', text: t('reviewCounts', review.answered, review.questions) }),
      status, ...pages));
    chrome();
    // The header's title in the review's language (the last page's view may be in another).
    setText($('app-title'), review.title);
    document.title = review.title;
    setText($('btn-back'), t('reviewBackToForm'));
    $('btn-back').disabled = false;
    setText($('btn-next'), review.can_finalize ? t('finalize') : t('reviewFixFirst'));
    $('btn-next').dataset.canFinalize = review.can_finalize ? '1' : '';
    state.redraw = () => openReview();
    window.scrollTo(0, 0);
    $('page-h').focus({ preventScroll: true });
  }

  async function finalize() {
    if (!$('btn-next').dataset.canFinalize) return navigate('finalize');  // goes to the first error
    const ok = await ask(t('finalizeConfirm'), t('finalizeOk'));
    if (!ok) return;
    const reply = await navigate('finalize');
    if (reply && reply.ok && reply.submission) (loop ? showThanks() : showSaved());
  }

  function message(icon, title, text, buttons) {
    $('main').replaceChildren(h('div', { class: 'message' },
      h('p', { class: 'big-icon', 'aria-hidden': 'true', text: icon }),
      h('h2', { class: 'page-h', id: 'page-h', tabindex: '-1', text: title }),
      h('p', { class: 'lead', text }),
      h('div', { class: 'message-buttons' }, ...buttons)));
    chrome();
    $('page-h').focus({ preventScroll: true });
  }

  function button(text, cls, onclick) {
    return h('button', { type: 'button', class: 'btn ' + cls, text, onclick });
  }

  function showSaved() {
    setScreen('saved');
    state.view = null;
    state.redraw = showSaved;
    message('✓', t('savedTitle'), t('savedText'), [
      button(t('savedAnother'), 'primary', () => startForm(state.formId)),
      button(t('savedHome'), 'secondary', () => showStart()),
    ]);
  }

  let thanksTimer = null;
  function showThanks() {
    setScreen('thanks');
    state.view = null;
    state.redraw = showThanks;
    const next = () => { clearTimeout(thanksTimer); thanksTimer = null; freshAttendee(() => startForm(state.formId)); };
    message('✓', t('thanksTitle'), t('thanksText'), [button(t('thanksNext'), 'primary', next)]);
    clearTimeout(thanksTimer);
    thanksTimer = setTimeout(next, 8000);
  }

  // ---- start, drafts --------------------------------------------------------------------------

  let formsCache = { lang: '', forms: null };
  async function loadForms() {
    if (formsCache.lang === state.lang && formsCache.forms) return formsCache.forms;
    const reply = await send('forms', { language: state.lang });
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    const forms = reply.forms.filter((f) => offered.length === 0 || offered.includes(f.form_id));
    formsCache = { lang: state.lang, forms };
    return forms;
  }

  async function showStart() {
    setScreen('start');
    state.view = null;
    state.redraw = showStart;
    chrome();
    let forms;
    try {
      forms = await loadForms();
    } catch (error) {
      return failed(error);
    }
    if (state.screen !== 'start') return;
    const list = h('ul', { class: 'cards' }, ...forms.map((form) => h('li', {},
      h('button', { type: 'button', class: 'card form-card', onclick: () => startForm(form.form_id) },
        h('span', { class: 'card-title', text: form.title }),
        h('span', { class: 'card-go', text: t('startForm') + ' →' })))));
    const content = [h('h2', { class: 'page-h', id: 'page-h', tabindex: '-1', text: t('startTitle') })];
    content.push(forms.length ? list : h('p', { class: 'lead', text: t('noForms') }));
    if (!loop) {
      content.push(h('div', { class: 'start-more' }, button(t('drafts'), 'secondary', showDrafts)));
    }
    $('main').replaceChildren(h('div', { class: 'start' }, ...content));
    chrome();
  }

  async function startForm(formId) {
    state.formId = formId;
    const reply = await send('start', { form_id: formId, language: state.lang }).catch(failed);
    if (!reply) return;
    if (!reply.ok) return refused(reply);
    state.formId = reply.draft ? reply.draft.form_id : formId;
    state.pageKey = '';
    drawForm(reply.view, {});
  }

  function when(millis) {
    return new Date(millis).toLocaleString(state.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  }

  async function showDrafts() {
    setScreen('drafts');
    state.view = null;
    state.redraw = showDrafts;
    chrome();
    let forms;
    let reply;
    try {
      forms = await loadForms();
      reply = await send('drafts');
    } catch (error) {
      return failed(error);
    }
    if (!reply.ok) return refused(reply);
    if (state.screen !== 'drafts') return;
    const titles = new Map(forms.map((f) => [f.form_id, f.title]));
    const drafts = reply.drafts.slice().sort((a, b) => b.updated_at - a.updated_at);
    const cards = drafts.map((draft, i) => {
      const id = 'dr-' + i;
      const name = draft.instance_name || '';  // made of labels (jr:choice-name); "" shows the title alone
      const resume = button(t('resume'), 'primary', async () => {
        const opened = await send('resume', { draft_id: draft.id }).catch(failed);
        if (!opened) return;
        if (!opened.ok) return refused(opened);
        state.formId = draft.form_id;
        state.pageKey = '';
        drawForm(opened.view, {});
      });
      setAttr(resume, 'aria-describedby', id);
      const remove = button(t('deleteDraft'), 'danger-outline', async () => {
        const what = (titles.get(draft.form_id) || t('appName')) + (name ? ' ' + name : '') + ' — ' + when(draft.updated_at);
        if (!(await ask(t('deleteConfirm', what), t('deleteOk'), { danger: true }))) return;
        const deleted = await send('delete', { draft_id: draft.id }).catch(failed);
        if (deleted && !deleted.ok) return refused(deleted);
        showDrafts();
      });
      setAttr(remove, 'aria-describedby', id);
      return h('li', { class: 'card draft-card' },
        h('div', { id },
          h('h3', { class: 'card-title', text: titles.get(draft.form_id) || t('appName') }),
          name ? h('p', { class: 'draft-name', text: name }) : null,
          h('p', { class: 'draft-meta', text: t('draftChanged', when(draft.updated_at)) + '　' + t('draftAnswers', draft.answer_count) })),
        h('div', { class: 'draft-buttons' }, resume, remove));
    });
    $('main').replaceChildren(h('div', { class: 'drafts' },
      h('h2', { class: 'page-h', id: 'page-h', tabindex: '-1', text: t('draftsTitle') }),
      cards.length ? h('ul', { class: 'cards' }, ...cards) : h('p', { class: 'lead', text: t('draftsNone') }),
      h('div', { class: 'start-more' }, button(t('draftsBack'), 'secondary', showStart))));
    chrome();
  }

  // ---- header tools -------------------------------------------------------------------------

  $('btn-lang').addEventListener('click', async () => {
    const to = $('btn-lang').dataset.to;
    if (state.screen === 'form' || state.screen === 'review') {
      flushTyping();
      const reply = await send('language', { language: to }).catch(failed);
      if (!reply) return;
      if (!reply.ok) return refused(reply);
      if (state.screen === 'review') return openReview();
      if (reply.view) drawForm(reply.view, {});
    } else {
      setLanguage(to);
      if (state.redraw) state.redraw(); else chrome();
    }
  });

  function applySize() {
    document.documentElement.classList.toggle('large', state.large);
    chrome();
  }
  $('btn-size').addEventListener('click', () => {
    state.large = !state.large;
    if (!loop) {
      try { localStorage.setItem('chosa-large', state.large ? '1' : ''); } catch (e) { /* private mode */ }
    }
    applySize();
  });

  $('btn-home').addEventListener('click', async () => {
    const ok = await ask(loop ? t('homeConfirmKiosk') : t('homeConfirm'), t('homeOk'), { focusCancel: true });
    if (!ok) return;
    flushTyping();
    if (loop) return freshAttendee(showStart);
    await send('close').catch(failed);
    showStart();
  });

  // ---- the kiosk loop: a fresh start for each attendee, and back to the start when idle -----

  // Forgets everything of the person before: the draft is closed (it stays in the store for the
  // staff), the page is emptied, the settings are reset.
  async function freshAttendee(then) {
    clearTimeout(thanksTimer);
    if ($('dialog').open) answerDialog(false);
    for (const pending of typing.values()) clearTimeout(pending.timer);
    typing.clear();
    $('main').replaceChildren();
    $('banner').hidden = true;
    state.view = null;
    state.page = null;
    state.pageKey = '';
    state.touched = new Set();
    state.refusals.clear();
    state.large = false;
    document.documentElement.classList.remove('large');
    setLanguage(DEFAULT_LANG);
    await send('close').catch(() => {});
    then();
  }

  let lastInput = Date.now();
  if (loop && idleSeconds > 0) {
    for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
      document.addEventListener(type, () => { lastInput = Date.now(); }, { capture: true, passive: true });
    }
    const warnFor = idleSeconds >= 40 ? 20 : 0;
    let warning = false;
    setInterval(() => {
      if (state.screen === 'start' || state.screen === 'thanks') { lastInput = Date.now(); return; }
      const idle = (Date.now() - lastInput) / 1000;
      const left = Math.ceil(idleSeconds - idle);
      if (left <= 0) {
        warning = false;
        freshAttendee(showStart);
      } else if (warnFor && left <= warnFor) {
        if (!warning) {
          warning = true;
          ask(t('idleText', left), t('keepGoing'), { title: t('idleTitle'), noCancel: true }).then(() => {
            warning = false;
            lastInput = Date.now();
          });
        } else {
          setText($('dialog-text'), t('idleText', left));
        }
      }
    }, 1000);
  }

  // ---- start ----------------------------------------------------------------------------------

  async function boot() {
    history.replaceState(null, '', location.pathname);
    if (!loop) {
      try { state.large = localStorage.getItem('chosa-large') === '1'; } catch (e) { /* private mode */ }
    }
    setLanguage(DEFAULT_LANG);
    applySize();
    // A draft left open (the page reloaded, the app came back): carry on where it was.
    try {
      const reply = await send('view');
      if (reply.ok && reply.view) {
        state.formId = reply.draft ? reply.draft.form_id : '';
        drawForm(reply.view, {});
        return;
      }
    } catch (error) {
      failed(error);
    }
    showStart();
  }

  // What is being typed is sent when the page goes or is hidden; the transport is told, as a
  // page being dismissed cannot make synchronous requests.
  const leaving = (yes) => { if (transport.leaving) transport.leaving(yes); };
  window.addEventListener('pagehide', () => { leaving(true); flushTyping(); });
  window.addEventListener('pageshow', () => leaving(false));
  document.addEventListener('visibilitychange', () => {
    leaving(document.hidden);
    if (document.hidden) flushTyping();
  });
  // For tests and the app: the mode, the transport, and how many actions are still on their way.
  window.chosaRenderer = {
    mode, transport: transport.kind, synchronous: () => transport.synchronous, pending: () => waiting(),
    navReady: () => !navQuiet(),  // next and back take taps again (tests wait for it as a person would)
  };
  boot();
})();
