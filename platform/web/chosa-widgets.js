// The questions of a page, drawn from the view model's items and patched in place when a new view
// arrives (keyed by item path): nothing is rebuilt that is still there, so the scroll position,
// the focus and a field being typed in are kept. The engine decides everything; a widget only
// shows the item it is given and reports what the person did through `ctx`:
//   ctx.t(key, ...args)            the renderer's words, in the session's language
//   ctx.answer(path, text, later)  send an answer ("" clears); later: debounce while typing
//   ctx.touch(path)                the person has left the item: its errors may show now
//   ctx.errorsOf(item)             the errors to show now (held back until touched, or after next)
//   ctx.busy(path)                 an answer of this path is waiting to be sent or answered
//   ctx.addInstance(repeat) / ctx.removeInstance(repeat, position, label)
'use strict';
(function () {
  let serial = 0;
  const uid = (prefix) => prefix + '-' + (++serial);

  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    if (attrs) {
      for (const key in attrs) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') element.className = value;
        else if (key === 'text') element.textContent = value;
        else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
        else element.setAttribute(key, value === true ? '' : value);
      }
    }
    for (const child of children) if (child) element.append(child);
    return element;
  }
  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }
  function setAttr(element, name, value) {
    if (value === null || value === false) {
      if (element.hasAttribute(name)) element.removeAttribute(name);
    } else if (element.getAttribute(name) !== String(value)) {
      element.setAttribute(name, value);
    }
  }
  const norm = (s) => String(s).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const choicesKey = (choices) => (choices || []).map((c) => c.value + '\u0001' + c.label).join('\u0002');

  // How an item is drawn; a widget is rebuilt only when this changes.
  function kindOf(item) {
    const ro = item.read_only ? '-ro' : '';
    const app = item.appearance || '';
    switch (item.type) {
      case 'select_one':
        return (/\b(dropdown|minimal|autocomplete)\b/.test(app) || (item.choices || []).length > 12 ? 'list' : 'tiles') + ro;
      case 'text':
        return (/\bmultiline\b/.test(app) ? 'multiline' : 'text') + ro;
      case 'date':
        return (/\bmonth-year\b/.test(app) ? 'month' : 'date') + ro;
      default:
        return item.type + ro;
    }
  }

  // ---- the parts every question shares: label with the required mark, hint, errors ----------

  class Question {
    constructor(item, ctx, rootTag, labelTag) {
      this.ctx = ctx;
      this.path = item.path;
      this.item = item;
      this.id = uid('q');
      labelTag = labelTag || (rootTag === 'fieldset' ? 'legend' : 'label');
      this.el = h(rootTag, { class: 'q', 'data-path': item.path });
      this.labelEl = h(labelTag, { class: 'qlabel', id: this.id + '-l' });
      if (labelTag === 'label') this.labelEl.htmlFor = this.id + '-i';
      this.labelText = h('span', { class: 'qtext' });
      this.reqEl = h('span', { class: 'req', hidden: true });
      this.labelEl.append(this.labelText, this.reqEl);
      this.hintEl = h('p', { class: 'hint', id: this.id + '-h', hidden: true });
      this.errEl = h('div', { class: 'errs', id: this.id + '-e', hidden: true });
      this.el.append(this.labelEl, this.hintEl);
      this.el.addEventListener('focusout', (event) => {
        if (!this.el.contains(event.relatedTarget)) this.left();
      });
    }
    left() {
      this.ctx.touch(this.path);
      this.update(this.item);
    }
    // Label, required mark, hint and errors; returns the errors shown.
    common(item) {
      this.item = item;
      const t = this.ctx.t;
      setText(this.labelText, item.label);
      this.reqEl.hidden = !item.required;
      setText(this.reqEl, t('required'));
      this.hintEl.hidden = !item.hint;
      setText(this.hintEl, item.hint || '');
      const errors = this.ctx.errorsOf(item);
      showErrors(this.errEl, errors);
      this.el.classList.toggle('has-err', errors.length > 0);
      const described = [item.hint ? this.hintEl.id : '', errors.length ? this.errEl.id : ''].filter(Boolean).join(' ');
      for (const input of this.describedInputs()) {
        setAttr(input, 'aria-describedby', described || null);
        setAttr(input, 'aria-invalid', errors.length ? 'true' : null);
      }
      return errors;
    }
    describedInputs() { return this.input ? [this.input] : []; }
    focusTarget() { return this.input || this.el.querySelector('input,textarea,button'); }
  }

  function showErrors(box, errors) {
    const text = errors.join('\n');
    if (box.dataset.text === text) return;
    box.dataset.text = text;
    box.replaceChildren(...errors.map((message) => h('p', { class: 'err' }, h('span', { class: 'err-icon', 'aria-hidden': 'true', text: '!' }), message)));
    box.hidden = errors.length === 0;
  }

  // ---- typed answers: text, multiline, numbers, dates, times, months --------------------------

  class Typed extends Question {
    constructor(item, ctx, kind) {
      super(item, ctx, 'div');
      const id = this.id + '-i';
      const base = { id, autocomplete: 'off', name: id, class: 'field' };
      if (kind === 'multiline') {
        this.input = h('textarea', Object.assign(base, { rows: 4 }));
      } else if (kind === 'integer' || kind === 'decimal') {
        // type=text: a number field would refuse full-width digits, which the engine accepts.
        this.input = h('input', Object.assign(base, { type: 'text', inputmode: kind === 'integer' ? 'numeric' : 'decimal', class: 'field num', spellcheck: 'false' }));
      } else if (kind === 'date' || kind === 'time' || kind === 'month') {
        this.input = h('input', Object.assign(base, { type: kind, class: 'field when' }));
      } else if (kind === 'datetime') {
        this.input = h('input', Object.assign(base, { type: 'datetime-local', class: 'field when' }));
      } else {
        this.input = h('input', Object.assign(base, { type: 'text', spellcheck: 'false' }));
      }
      if (item.required) this.input.required = true;
      this.kind = kind;
      const typed = kind === 'text' || kind === 'multiline' || kind === 'integer' || kind === 'decimal';
      if (typed) this.input.addEventListener('input', () => ctx.answer(this.path, this.out(), true));
      this.input.addEventListener('change', () => ctx.answer(this.path, this.out(), false));
      this.el.append(this.input, this.errEl);
    }
    // The answer as the engine takes it.
    out() {
      const v = this.input.value;
      if (this.kind === 'datetime') return v.replace('T', ' ');
      return v;
    }
    // The stored value as the input shows it.
    shown(value) {
      if (this.kind === 'month') return value.slice(0, 7);
      if (this.kind === 'datetime') return value.replace(' ', 'T').slice(0, 16);
      if (this.kind === 'time') return value.slice(0, 5);
      return value;
    }
    update(item) {
      this.common(item);
      this.input.required = !!item.required;
      // Never overwrite what is being typed, nor an answer the engine refused (it stays, with
      // the reason, for the person to correct).
      if (document.activeElement !== this.input && !this.ctx.busy(this.path) && !this.ctx.refused(this.path)) {
        const shown = this.shown(item.value);
        if (this.input.value !== shown) this.input.value = shown;
      }
    }
  }

  // ---- read-only items: shown, not offered ----------------------------------------------------

  class ReadOnly extends Question {
    constructor(item, ctx) {
      super(item, ctx, 'div', 'p');
      this.valueEl = h('p', { class: 'ro-value' });
      this.el.append(this.valueEl, this.errEl);
    }
    update(item) {
      this.common(item);
      let text = item.value;
      if (kindOf(item) === 'month-ro') text = text.slice(0, 7);  // a month: YYYY-MM
      if (item.choices) {
        const labels = item.choices.filter((c) => c.selected).map((c) => c.label);
        if (labels.length) text = labels.join(this.ctx.t('listSep'));
      }
      setText(this.valueEl, text || '—');
    }
  }

  // ---- notes ----------------------------------------------------------------------------------

  class Note {
    constructor(item) {
      this.path = item.path;
      this.el = h('div', { class: 'note', 'data-path': item.path });
      this.labelEl = h('p', { class: 'note-label' });
      this.hintEl = h('p', { class: 'hint', hidden: true });
      this.el.append(this.labelEl, this.hintEl);
    }
    update(item) {
      setText(this.labelEl, item.label);
      this.hintEl.hidden = !item.hint;
      setText(this.hintEl, item.hint || '');
    }
    focusTarget() { return null; }
  }

  // ---- select_one and select_multiple as tiles ------------------------------------------------

  class Tiles extends Question {
    constructor(item, ctx, multiple) {
      super(item, ctx, 'fieldset');
      this.multiple = multiple;
      this.el.classList.add('choice');
      const app = item.appearance || '';
      this.tiles = h('div', { class: 'tiles' + (/\b(horizontal|likert)\b/.test(app) ? ' row' : '') + (/\blikert\b/.test(app) ? ' likert' : '') });
      this.countEl = multiple ? h('p', { class: 'count', 'aria-live': 'polite' }) : null;
      this.ruleEl = h('p', { class: 'hint rule', id: this.id + '-r', hidden: true });  // "choose up to 3"
      this.el.append(this.ruleEl);
      this.clearBtn = h('button', { type: 'button', class: 'link clear', hidden: true, onclick: () => ctx.answer(this.path, '', false) });
      this.el.append(this.tiles);
      if (this.countEl) this.el.append(this.countEl);
      this.el.append(this.clearBtn, this.errEl);
      this.name = this.id + '-n';
      this.shownKey = null;
    }
    build(choices) {
      this.inputs = choices.map((choice) => {
        const input = h('input', { type: this.multiple ? 'checkbox' : 'radio', name: this.name, value: choice.value, class: 'vh' });
        input.addEventListener('change', () => this.changed(input));
        const text = h('span', { class: 'tl', text: choice.label });
        this.tiles.append(h('label', { class: 'tile' + (this.multiple ? ' check' : '') }, input, text));
        return input;
      });
    }
    changed(input) {
      if (!this.multiple) return this.ctx.answer(this.path, input.value, false);
      const values = this.inputs.filter((i) => i.checked).map((i) => i.value);
      this.ctx.answer(this.path, values.join(' '), false);
      this.showCount(values.length);
    }
    showCount(n) {
      if (this.countEl) setText(this.countEl, n ? this.ctx.t('selectedCount', n) : this.rule ? '' : this.ctx.t('chooseAny'));
    }
    describedInputs() { return []; }
    update(item) {
      const key = choicesKey(item.choices);
      if (key !== this.shownKey) {
        this.tiles.replaceChildren();
        this.build(item.choices || []);
        this.shownKey = key;
      }
      const errors = this.common(item);
      const lo = item.min_choices || 0, hi = item.max_choices === undefined ? -1 : item.max_choices, t = this.ctx.t;
      this.rule = hi < 0 ? (lo ? t('choicesMin', lo) : '') : lo === hi ? t('choicesExact', hi) : lo ? t('choicesRange', lo, hi) : t('choicesMax', hi);
      setText(this.ruleEl, this.rule);
      this.ruleEl.hidden = !this.rule;
      const described = [item.hint ? this.hintEl.id : '', this.rule ? this.ruleEl.id : '', errors.length ? this.errEl.id : ''].filter(Boolean).join(' ');
      setAttr(this.el, 'aria-describedby', described || null);
      const busy = this.ctx.busy(this.path);
      (item.choices || []).forEach((choice, i) => {
        const input = this.inputs[i];
        if (!busy && input.checked !== choice.selected) input.checked = choice.selected;
      });
      this.showCount(this.inputs.filter((i) => i.checked).length);
      this.clearBtn.hidden = this.multiple || item.required || !item.value;
      setText(this.clearBtn, this.ctx.t('clearAnswer'));
    }
    focusTarget() {
      return this.inputs.find((i) => i.checked) || this.inputs[0];
    }
  }

  // ---- select_one from a long list: a combobox that filters as one types ---------------------

  class ListPick extends Question {
    constructor(item, ctx) {
      super(item, ctx, 'div');
      const id = this.id + '-i';
      this.listId = this.id + '-list';
      this.input = h('input', {
        id, type: 'text', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
        'aria-controls': this.listId, autocomplete: 'off', spellcheck: 'false', class: 'field combo-in', name: id,
      });
      this.toggle = h('button', { type: 'button', class: 'combo-btn', tabindex: '-1', 'aria-controls': this.listId, 'aria-expanded': 'false' }, h('span', { 'aria-hidden': 'true', text: '▼' }));
      this.list = h('ul', { id: this.listId, role: 'listbox', class: 'listbox', hidden: true, 'aria-labelledby': this.id + '-l' });
      this.empty = h('p', { class: 'hint nomatch', hidden: true });
      this.el.append(h('div', { class: 'combo' }, this.input, this.toggle), this.list, this.empty, this.errEl);
      this.shownKey = null;
      this.active = -1;
      this.input.addEventListener('focus', () => { this.input.select(); });
      this.input.addEventListener('click', () => { this.input.select(); this.open(''); });
      this.input.addEventListener('input', () => this.open(this.input.value));
      this.input.addEventListener('keydown', (event) => this.key_(event));
      this.toggle.addEventListener('mousedown', (event) => event.preventDefault());
      this.toggle.addEventListener('click', () => {
        if (this.list.hidden) { this.input.focus(); this.open(''); } else this.close(true);
      });
      this.list.addEventListener('mousedown', (event) => event.preventDefault());  // keep the focus in the input
      this.list.addEventListener('click', (event) => {
        const option = event.target.closest('[role=option]');
        if (option) this.choose(option.dataset.value);
      });
    }
    left() {
      if (!this.list.hidden || document.activeElement !== this.input) {
        // The text typed names a choice: take it; emptied: clear the answer; else put back.
        const typed = norm(this.input.value);
        const match = (this.item.choices || []).find((c) => norm(c.label) === typed);
        if (match && match.value !== this.item.value) this.choose(match.value);
        else if (!typed && this.item.value) this.ctx.answer(this.path, '', false);
        this.close(false);
      }
      super.left();
    }
    build(choices) {
      this.options = choices.map((choice, i) => h('li', { role: 'option', id: this.id + '-o' + i, 'data-value': choice.value, 'aria-selected': 'false', class: 'option', text: choice.label }));
      this.list.replaceChildren(...this.options);
    }
    open(query) {
      const q = norm(query);
      const opening = this.list.hidden;
      let shown = 0;
      const selected = this.item.value;
      this.options.forEach((option) => {
        const hit = !q || norm(option.textContent).includes(q);
        option.hidden = !hit;
        if (hit) shown++;
      });
      this.list.hidden = shown === 0;
      this.empty.hidden = shown !== 0;
      setText(this.empty, this.ctx.t('noMatch'));
      setAttr(this.input, 'aria-expanded', shown ? 'true' : 'false');
      setAttr(this.toggle, 'aria-expanded', shown ? 'true' : 'false');
      const visible = this.options.filter((o) => !o.hidden);
      const at = q ? 0 : Math.max(0, visible.findIndex((o) => o.dataset.value === selected));
      this.activate(visible.length ? this.options.indexOf(visible[at]) : -1, !q);
      // A list opened low on the screen is scrolled up into view: it would open under the footer
      // (the page's scroll-padding keeps it clear of it).
      if (opening && !this.list.hidden) this.list.scrollIntoView({ block: 'nearest' });
    }
    close(revert) {
      this.list.hidden = true;
      this.empty.hidden = true;
      setAttr(this.input, 'aria-expanded', 'false');
      setAttr(this.toggle, 'aria-expanded', 'false');
      this.activate(-1);
      if (revert) this.input.value = this.selectedLabel();
    }
    activate(index, center) {
      if (this.active >= 0 && this.options[this.active]) this.options[this.active].classList.remove('active');
      this.active = index;
      if (index < 0) return setAttr(this.input, 'aria-activedescendant', null);
      const option = this.options[index];
      option.classList.add('active');
      setAttr(this.input, 'aria-activedescendant', option.id);
      const list = this.list;
      if (center) list.scrollTop = option.offsetTop - list.clientHeight / 2 + option.offsetHeight / 2;
      else if (option.offsetTop < list.scrollTop) list.scrollTop = option.offsetTop;
      else if (option.offsetTop + option.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = option.offsetTop + option.offsetHeight - list.clientHeight;
    }
    key_(event) {
      const visible = this.options.filter((o) => !o.hidden);
      const at = visible.indexOf(this.options[this.active]);
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (this.list.hidden) return this.open('');
        const next = event.key === 'ArrowDown' ? Math.min(visible.length - 1, at + 1) : Math.max(0, at - 1);
        if (visible[next]) this.activate(this.options.indexOf(visible[next]));
      } else if (event.key === 'Enter') {
        if (!this.list.hidden && this.active >= 0) {
          event.preventDefault();
          this.choose(this.options[this.active].dataset.value);
        }
      } else if (event.key === 'Escape') {
        if (!this.list.hidden) { event.preventDefault(); this.close(true); }
      }
    }
    choose(value) {
      const choice = (this.item.choices || []).find((c) => c.value === value);
      if (!choice) return;
      this.input.value = choice.label;
      this.pending = value;
      this.close(false);
      this.ctx.answer(this.path, value, false);
    }
    // The answer's label: a choice offered, or one the filter withdrew after an earlier answer
    // changed (shown, with its error, rather than an empty field that still blocks next).
    selectedLabel() {
      const choice = (this.item.choices || []).find((c) => c.selected) || (this.item.withdrawn || [])[0];
      return choice ? choice.label : '';
    }
    update(item) {
      const key = choicesKey(item.choices);
      if (key !== this.shownKey) { this.build(item.choices || []); this.shownKey = key; }
      this.common(item);
      setAttr(this.input, 'placeholder', this.ctx.t('listPlaceholder'));
      setAttr(this.toggle, 'aria-label', this.ctx.t('showList'));
      this.input.required = !!item.required;
      this.options.forEach((option) => setAttr(option, 'aria-selected', option.dataset.value === item.value ? 'true' : 'false'));
      if (document.activeElement !== this.input && !this.ctx.busy(this.path)) {
        const label = this.selectedLabel();
        if (this.input.value !== label) this.input.value = label;
      }
    }
  }

  // ---- acknowledge: one check tile ------------------------------------------------------------

  class Acknowledge extends Question {
    constructor(item, ctx) {
      super(item, ctx, 'div', 'label');
      // The label is the tile: the whole of it is the target.
      this.input = h('input', { type: 'checkbox', class: 'vh', id: this.id + '-i' });
      this.input.addEventListener('change', () => ctx.answer(this.path, this.input.checked ? 'OK' : '', false));
      this.labelEl.className = 'tile check ack';
      this.labelEl.removeAttribute('for');
      this.labelEl.replaceChildren(this.input, h('span', { class: 'tl' }, this.labelText, this.reqEl));
      const tiles = h('div', { class: 'tiles one' });
      this.labelEl.replaceWith(tiles);
      tiles.append(this.labelEl);
      this.el.append(this.errEl);
    }
    update(item) {
      this.common(item);
      if (!this.ctx.busy(this.path)) this.input.checked = item.value !== '';
    }
  }

  // ---- rank: drag by the handle, or move with the buttons --------------------------------------

  class Rank extends Question {
    constructor(item, ctx) {
      super(item, ctx, 'fieldset');
      this.el.classList.add('choice');
      this.help = h('p', { class: 'hint' });
      this.listEl = h('ol', { class: 'rank' });
      this.accept = h('button', { type: 'button', class: 'btn secondary', onclick: () => this.send() });
      this.live = h('p', { class: 'vh', 'aria-live': 'polite' });
      this.el.append(this.help, this.listEl, this.accept, this.live, this.errEl);
      this.shownKey = null;
    }
    order(item) {
      const values = item.value ? item.value.split(' ') : [];
      const byValue = new Map((item.choices || []).map((c) => [c.value, c]));
      const ordered = values.filter((v) => byValue.has(v)).map((v) => byValue.get(v));
      for (const c of item.choices || []) if (!values.includes(c.value)) ordered.push(c);
      return ordered;
    }
    build(ordered) {
      this.listEl.replaceChildren(...ordered.map((choice) => {
        const label = h('span', { class: 'rl', text: choice.label });
        const handle = h('span', { class: 'handle', 'aria-hidden': 'true', text: '≡' });
        const up = h('button', { type: 'button', class: 'mini', 'data-dir': '-1' }, h('span', { 'aria-hidden': 'true', text: '↑' }));
        const down = h('button', { type: 'button', class: 'mini', 'data-dir': '1' }, h('span', { 'aria-hidden': 'true', text: '↓' }));
        const li = h('li', { class: 'rank-item', 'data-value': choice.value }, handle, h('span', { class: 'place' }), label, up, down);
        up.addEventListener('click', () => this.move(li, -1, up));
        down.addEventListener('click', () => this.move(li, 1, down));
        handle.addEventListener('pointerdown', (event) => this.drag(event, li));
        return li;
      }));
    }
    items() { return Array.from(this.listEl.children); }
    move(li, dir, button) {
      const items = this.items();
      const at = items.indexOf(li);
      const to = at + dir;
      if (to < 0 || to >= items.length) return;
      if (dir < 0) this.listEl.insertBefore(li, items[to]);
      else this.listEl.insertBefore(li, items[to].nextSibling);
      this.number();
      (button.disabled ? li.querySelector('button:not([disabled])') : button).focus();
      setText(this.live, this.ctx.t('rankMoved', li.querySelector('.rl').textContent, to + 1));
      this.send();
    }
    drag(event, li) {
      // Listened on the document: moving the item in the DOM drops a pointer capture.
      event.preventDefault();
      li.classList.add('dragging');
      const before = this.items().map((i) => i.dataset.value).join(' ');
      const onMove = (e) => {
        if (e.pointerId !== event.pointerId) return;
        const items = this.items();
        const at = items.indexOf(li);
        let to = at;
        items.forEach((other, i) => {
          if (other === li) return;
          const box = other.getBoundingClientRect();
          const mid = box.top + box.height / 2;
          if (i < at && e.clientY < mid) to = Math.min(to, i);
          if (i > at && e.clientY > mid) to = Math.max(to, i);
        });
        if (to < at) this.listEl.insertBefore(li, items[to]);
        else if (to > at) this.listEl.insertBefore(li, items[to].nextSibling);
        if (to !== at) this.number();
      };
      const onUp = (e) => {
        if (e.pointerId !== event.pointerId) return;
        document.removeEventListener('pointermove', onMove);
        document.removeEventListener('pointerup', onUp);
        document.removeEventListener('pointercancel', onUp);
        li.classList.remove('dragging');
        const after = this.items().map((i) => i.dataset.value).join(' ');
        if (after !== before) {
          setText(this.live, this.ctx.t('rankMoved', li.querySelector('.rl').textContent, this.items().indexOf(li) + 1));
          this.send();
        }
      };
      document.addEventListener('pointermove', onMove);
      document.addEventListener('pointerup', onUp);
      document.addEventListener('pointercancel', onUp);
    }
    number() {
      const t = this.ctx.t;
      const items = this.items();
      items.forEach((li, i) => {
        const label = li.querySelector('.rl').textContent;
        setText(li.querySelector('.place'), t('rankPlace', i + 1));
        const [up, down] = li.querySelectorAll('button');
        up.disabled = i === 0;
        down.disabled = i === items.length - 1;
        setAttr(up, 'aria-label', t('rankUp', label));
        setAttr(down, 'aria-label', t('rankDown', label));
      });
    }
    send() {
      this.ctx.answer(this.path, this.items().map((i) => i.dataset.value).join(' '), false);
    }
    describedInputs() { return []; }
    update(item) {
      this.common(item);
      const ordered = this.order(item);
      const key = choicesKey(ordered);
      if (key !== this.shownKey && !this.ctx.busy(this.path)) {
        const focused = document.activeElement && this.listEl.contains(document.activeElement) ? document.activeElement : null;
        if (!focused) { this.build(ordered); this.shownKey = key; }
      }
      this.number();
      setText(this.help, this.ctx.t('rankHint'));
      setText(this.accept, this.ctx.t('rankAccept'));
      this.accept.hidden = !!item.value;
    }
    focusTarget() { return this.listEl.querySelector('button:not([disabled])') || this.accept; }
  }

  // ---- the matrix: a grid with labelled columns; one card per row on a narrow screen ----------

  class Matrix {
    constructor(item, ctx) {
      this.ctx = ctx;
      this.path = item.path;
      this.id = uid('m');
      this.el = h('section', { class: 'q matrix', 'data-path': item.path, 'aria-labelledby': this.id + '-l' });
      this.labelEl = h('h3', { class: 'qlabel', id: this.id + '-l' });
      this.labelText = h('span', { class: 'qtext' });
      this.reqEl = h('span', { class: 'req', hidden: true });
      this.labelEl.append(this.labelText, this.reqEl);
      this.hintEl = h('p', { class: 'hint', hidden: true });
      this.head = h('div', { class: 'mx-head', 'aria-hidden': 'true' });
      this.body = h('div', { class: 'mx-body' });
      this.totalEl = h('p', { class: 'mx-total', 'aria-live': 'polite', hidden: true });
      this.errEl = h('div', { class: 'errs', hidden: true });
      this.grid = h('div', { class: 'mx' }, this.head, this.body);
      this.el.append(this.labelEl, this.hintEl, this.grid, this.totalEl, this.errEl);
      this.rowsKey = null;
      this.colsKey = null;
    }
    build(item) {
      const columns = (item.children[0] && item.children[0].choices) || [];
      this.grid.style.setProperty('--cols', columns.length);
      this.head.replaceChildren(h('span', { class: 'mx-corner' }), ...columns.map((c) => h('span', { class: 'mx-col', text: c.label })));
      this.rows = new Map();
      this.body.replaceChildren(...item.children.map((row, r) => {
        const rowId = this.id + '-r' + r;
        const name = rowId + '-n';
        const label = h('div', { class: 'mx-rl', id: rowId + '-l' }, h('span', { class: 'mx-num', 'aria-hidden': 'true', text: String(r + 1) }), h('span', { class: 'qtext' }));
        const errs = h('div', { class: 'errs', id: rowId + '-e', hidden: true });
        const inputs = [];
        const cells = (row.choices || []).map((choice) => {
          const input = h('input', { type: 'radio', name, value: choice.value, class: 'vh' });
          input.addEventListener('change', () => this.ctx.answer(row.path, choice.value, false));
          inputs.push(input);
          return h('label', { class: 'mx-cell' }, input, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'cl', text: choice.label }));
        });
        const element = h('div', { class: 'mx-row', role: 'radiogroup', 'aria-labelledby': rowId + '-l', 'data-path': row.path }, label, ...cells, errs);
        element.addEventListener('focusout', (event) => {
          if (!element.contains(event.relatedTarget)) { this.ctx.touch(row.path); this.update(this.item); }
        });
        this.rows.set(row.path, { element, label, inputs, errs, cells });
        return element;
      }));
    }
    update(item) {
      this.item = item;
      const t = this.ctx.t;
      const rowsKey = item.children.map((r) => r.path).join(' ');
      const colsKey = choicesKey(item.children[0] && item.children[0].choices);
      if (rowsKey !== this.rowsKey || colsKey !== this.colsKey) {
        this.build(item);
        this.rowsKey = rowsKey;
        this.colsKey = colsKey;
      }
      setText(this.labelText, item.label);
      this.reqEl.hidden = !item.required;
      setText(this.reqEl, t('required'));
      this.hintEl.hidden = !item.hint;
      setText(this.hintEl, item.hint || '');
      let any = false;
      for (const row of item.children) {
        const r = this.rows.get(row.path);
        setText(r.label.lastChild, row.label);
        const busy = this.ctx.busy(row.path);
        (row.choices || []).forEach((choice, i) => {
          if (!busy && r.inputs[i].checked !== choice.selected) r.inputs[i].checked = choice.selected;
        });
        r.element.classList.toggle('answered', !!row.value);
        const errors = this.ctx.errorsOf(row);
        showErrors(r.errs, errors);
        r.element.classList.toggle('has-err', errors.length > 0);
        setAttr(r.element, 'aria-describedby', errors.length ? r.errs.id : null);
        if (errors.length) any = true;
      }
      const own = this.ctx.errorsOf(item);
      showErrors(this.errEl, own);
      this.el.classList.toggle('has-err', any || own.length > 0);
      // The live total: the note that follows the matrix on the page (its label is computed by
      // the engine, e.g. "合計 76 / 100"), kept in view while the rows are scrolled.
      this.totalEl.hidden = !item._total;
      if (item._total) setText(this.totalEl, item._total.label);
    }
    focusTarget(path) {
      const row = (path && this.rows.get(path)) || Array.from(this.rows.values()).find((r) => r.element.classList.contains('has-err')) || this.rows.values().next().value;
      if (!row) return null;
      return row.inputs.find((i) => i.checked) || row.inputs[0];
    }
  }

  // ---- groups and repeats -------------------------------------------------------------------

  class Group {
    constructor(item, ctx, page) {
      this.page = page;
      this.ctx = ctx;
      this.path = item.path;
      this.id = uid('g');
      this.el = h('section', { class: 'group', 'data-path': item.path });
      this.headEl = h('h3', { class: 'group-h', id: this.id + '-l' });
      this.hintEl = h('p', { class: 'hint', hidden: true });
      this.itemsEl = h('div', { class: 'items' });
      this.el.append(this.headEl, this.hintEl, this.itemsEl);
    }
    update(item) {
      setText(this.headEl, item.label);
      this.headEl.hidden = !item.label;
      setAttr(this.el, 'aria-labelledby', item.label ? this.headEl.id : null);
      this.hintEl.hidden = !item.hint;
      setText(this.hintEl, item.hint || '');
      reconcile(this.page, this.itemsEl, item.children || []);
    }
    focusTarget() { return null; }
  }

  class Repeat {
    constructor(item, ctx, page) {
      this.page = page;
      this.ctx = ctx;
      this.path = item.path;
      this.id = uid('r');
      this.el = h('section', { class: 'repeat', 'data-path': item.path, 'aria-labelledby': this.id + '-l' });
      this.headEl = h('h3', { class: 'group-h', id: this.id + '-l' });
      this.hintEl = h('p', { class: 'hint', hidden: true });
      this.errEl = h('div', { class: 'errs', hidden: true });
      this.instancesEl = h('div', { class: 'instances' });
      this.addBtn = h('button', { type: 'button', class: 'btn secondary add', onclick: () => ctx.addInstance(this.path) });
      this.el.append(this.headEl, this.hintEl, this.instancesEl, this.errEl, this.addBtn);
      this.instances = new Map();  // position -> {el, heading, remove, itemsEl}
    }
    update(item) {
      const t = this.ctx.t;
      this.item = item;
      setText(this.headEl, item.label);
      this.hintEl.hidden = !item.hint;
      setText(this.hintEl, item.hint || '');
      const positions = new Set(item.instances.map((i) => i.position));
      for (const [position, instance] of this.instances) {
        if (!positions.has(position)) { instance.el.remove(); this.instances.delete(position); }
      }
      let previous = null;
      for (const instance of item.instances) {
        let box = this.instances.get(instance.position);
        if (!box) {
          const headId = this.id + '-i' + instance.position;
          box = {
            heading: h('h4', { class: 'inst-h', id: headId }),
            remove: h('button', { type: 'button', class: 'btn danger-outline small' }),
            itemsEl: h('div', { class: 'items' }),
          };
          box.remove.addEventListener('click', () => this.ctx.removeInstance(this.path, instance.position, box.heading.textContent));
          box.el = h('section', { class: 'instance', 'aria-labelledby': headId }, h('div', { class: 'inst-head' }, box.heading, box.remove), box.itemsEl);
          this.instances.set(instance.position, box);
        }
        const want = previous ? previous.nextSibling : this.instancesEl.firstChild;
        if (box.el !== want) this.instancesEl.insertBefore(box.el, want);
        previous = box.el;
        const title = t('instance', item.label, instance.position);
        setText(box.heading, title);
        box.remove.hidden = !item.can_remove;
        setText(box.remove, t('removeInstance', item.label));
        reconcile(this.page, box.itemsEl, instance.items);
      }
      showErrors(this.errEl, this.ctx.errorsOf(item));
      this.addBtn.hidden = !item.can_add;
      setText(this.addBtn, t('addInstance', item.label));
    }
    focusTarget() { return this.addBtn.hidden ? null : this.addBtn; }
  }

  function create(item, ctx, page, kind) {
    if (kind.endsWith('-ro')) return item.type === 'note' ? new Note(item) : new ReadOnly(item, ctx);
    switch (kind) {
      case 'note': return new Note(item);
      case 'group': return new Group(item, ctx, page);
      case 'repeat': return new Repeat(item, ctx, page);
      case 'matrix': return new Matrix(item, ctx);
      case 'tiles': return new Tiles(item, ctx, false);
      case 'select_multiple': return new Tiles(item, ctx, true);
      case 'list': return new ListPick(item, ctx);
      case 'acknowledge': return new Acknowledge(item, ctx);
      case 'rank': return new Rank(item, ctx);
      default: return new Typed(item, ctx, kind);
    }
  }

  // A matrix followed by a note: the note is its live total, drawn inside the matrix.
  function withTotals(items) {
    const out = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const next = items[i + 1];
      if (item.type === 'matrix' && next && next.type === 'note' && /\d/.test(next.label)) {
        out.push(Object.assign({}, item, { _total: next, _absorbed: next.path }));
        i++;
      } else {
        out.push(item);
      }
    }
    return out;
  }

  // Brings `container`'s children in line with `items`: keeps the widgets still there (patched),
  // creates the new ones in place, drops the ones gone. Surviving widgets never move, so the
  // focus and the text being typed stay where they are.
  function reconcile(page, container, items) {
    const list = withTotals(items);
    const keys = list.map((item) => item.path + '|' + kindOf(item));
    const wanted = new Set(keys);
    for (const child of Array.from(container.children)) {
      if (!wanted.has(child.dataset.key)) child.remove();
    }
    let previous = null;
    list.forEach((item, i) => {
      const key = keys[i];
      let widget = page.widgets.get(item.path);
      if (!widget || widget.key !== key) {
        if (widget) widget.el.remove();
        widget = create(item, page.ctx, page, kindOf(item));
        widget.key = key;
        widget.el.dataset.key = key;
        page.widgets.set(item.path, widget);
      }
      page.live.add(item.path);
      if (item._absorbed) page.live.add(item._absorbed);
      widget.update(item);
      const want = previous ? previous.nextSibling : container.firstChild;
      if (widget.el !== want) container.insertBefore(widget.el, want);
      previous = widget.el;
    });
  }

  // A page being shown: its widgets by path.
  class Page {
    constructor(ctx, container) {
      this.ctx = ctx;
      this.container = container;
      this.widgets = new Map();
    }
    draw(items) {
      this.live = new Set();
      reconcile(this, this.container, items);
      for (const path of Array.from(this.widgets.keys())) {
        if (!this.live.has(path)) this.widgets.delete(path);
      }
    }
    // The element to focus for the item at `path` (a question, a matrix row, a repeat).
    focusTargetOf(path) {
      const element = path && this.container.querySelector('[data-path="' + CSS.escape(path) + '"]');
      if (!element) return null;
      const matrix = element.closest('.matrix');
      if (matrix) {
        const widget = this.widgets.get(matrix.dataset.path);
        return widget ? widget.focusTarget(path) : null;
      }
      const widget = this.widgets.get(path);
      return widget ? widget.focusTarget() : null;
    }
    firstError() {
      const element = this.container.querySelector('.has-err');
      if (!element) return null;
      const row = element.classList.contains('matrix') ? element.querySelector('.mx-row.has-err') : null;
      return (row || element).dataset.path;
    }
  }

  window.ChosaWidgets = { Page, h, setText, setAttr };
})();
