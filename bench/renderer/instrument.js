// The clock of bench/renderer, injected into every page before its own scripts (playwright's
// addInitScript: DevTools' Page.addScriptToEvaluateOnNewDocument, which a Content-Security-Policy
// does not block) and identical on chosa's and SurveyJS's side. It changes nothing the page does:
// it observes.
//
// One measurement ("a tap"):
//   arm(kind)   resets, starts a frame loop, and waits for the next trusted input event of that
//               kind: 'click' (a tap) or 'key' (the Tab that leaves a field, committing what was
//               typed). Start: that event's `timeStamp`.
//   settle(q,t) resolves once no DOM mutation has happened for q ms (and chosa's renderer, if it is
//               the page, has no action on its way) or after t ms, with the figures below.
// Every DOM mutation (MutationObserver on the document: nodes, attributes, text) after the start
// is taken as caused by the event. The page is updated by the first animation frame that draws
// the last of them:
// - a mutation made in a task (an event handler, a reply's handler, a timer) is drawn by the first
//   frame whose rendering starts after it: the first run of this script's frame loop (a
//   requestAnimationFrame callback re-registered every frame) later than the mutation;
// - a mutation made inside a frame's rendering (a requestAnimationFrame or ResizeObserver callback
//   of the page, or a microtask they queued) is drawn by that same frame: such callbacks are
//   wrapped so that their records are taken synchronously and tagged with the frame.
// Figures per tap (milliseconds on performance.now()'s clock, which event.timeStamp shares):
//   drawn       the end of that frame's main-thread rendering - start: a task posted from the
//               frame's rAF callback runs once its style, layout and paint are done. The headline.
//   raf         the first requestAnimationFrame timestamp at or after the last mutation - start
//               (the words taken literally). A rAF timestamp is the frame's scheduled
//               time, not when the frame ran: the frame that draws a mutation made after a long
//               task, or inside the frame's own rendering, carries a timestamp from before it, so
//               this takes the next frame there; and it leaves out the frame's own rendering.
//               Hence `drawn`.
//   ran         when that frame's rAF callbacks ran - start
//   work        the last mutation - start (the DOM is updated; the frame is still to come)
//   frame       which frame after the tap draws it (1: the first frame that ran after the event)
//   mutations   how many mutation records; inFrame: the last one was made inside a frame's rendering
//   requests    fetches made after the start, from Resource Timing: start, requestStart,
//               responseStart, responseEnd (chosa's kiosk: one POST /api/action per action)
'use strict';
(() => {
  const now = () => performance.now();
  const rawRaf = window.requestAnimationFrame.bind(window);
  const st = {
    armed: false, kind: '', t0: null, event: '', nMut: 0, lastMut: null, lastMutFrameTs: null,
    firstMut: null, frames: [], looping: false, currentTs: null, marks: [],
  };

  function record(count, frameTs) {
    if (!st.armed || st.t0 === null || count === 0) return;
    const t = now();
    st.nMut += count;
    if (st.firstMut === null) st.firstMut = t;
    st.lastMut = t;
    st.lastMutFrameTs = frameTs;  // null: made in a task, drawn by the next frame
  }
  const observer = new MutationObserver((records) => record(records.length, null));
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });

  // Records made inside a frame's rendering, taken before the observer's own microtask runs; a few
  // microtask turns later too (a framework's render queued as a microtask by a rAF callback).
  function takeInFrame(ts, turns) {
    const records = observer.takeRecords();
    record(records.length, ts);
    if (turns > 0) queueMicrotask(() => takeInFrame(ts, turns - 1));
  }
  window.requestAnimationFrame = function (callback) {
    return rawRaf((ts) => {
      try {
        callback(ts);
      } finally {
        takeInFrame(ts, 4);
      }
    });
  };
  if (window.ResizeObserver) {
    const RawResizeObserver = window.ResizeObserver;
    window.ResizeObserver = class extends RawResizeObserver {
      constructor(callback) {
        super((entries, self) => {
          try {
            callback(entries, self);
          } finally {
            takeInFrame(st.currentTs, 4);
          }
        });
      }
    };
  }

  // The frame loop: each frame's timestamp, when its rAF callbacks ran, and when its rendering
  // was over (a message posted from the callback is handled after the frame's rendering steps).
  function frame(ts) {
    if (!st.looping) return;
    const entry = { ts, ran: now(), done: null };
    st.currentTs = ts;
    st.frames.push(entry);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { entry.done = now(); channel.port1.close(); };
    channel.port2.postMessage(0);
    rawRaf(frame);
  }

  function onEvent(event) {
    if (!st.armed || st.t0 !== null || !event.isTrusted) return;
    if (st.kind === 'click' && event.type !== 'click') return;
    if (st.kind === 'key' && !(event.type === 'keydown' && event.key === 'Tab')) return;
    st.t0 = event.timeStamp;
    st.event = event.type;
  }
  window.addEventListener('click', onEvent, true);
  window.addEventListener('keydown', onEvent, true);

  function arm(kind) {
    Object.assign(st, {
      armed: true, kind, t0: null, event: '', nMut: 0, lastMut: null, lastMutFrameTs: null,
      firstMut: null, frames: [], marks: [],
    });
    observer.takeRecords();
    try { performance.clearResourceTimings(); performance.setResourceTimingBufferSize(1000); } catch (e) { /* none */ }
    if (!st.looping) {
      st.looping = true;
      rawRaf(frame);
    }
    // Resolves once the loop has drawn a frame: the tap comes after it.
    return new Promise((resolve) => rawRaf(() => rawRaf(() => resolve(true))));
  }

  function busy() {
    const renderer = window.chosaRenderer;
    return !!(renderer && typeof renderer.pending === 'function' && renderer.pending() > 0);
  }

  // The frame that draws the last mutation, and the first frame timestamped at or after it.
  function frames() {
    if (st.lastMut === null) return { draw: null, after: null };
    const draw = st.lastMutFrameTs !== null
      ? st.frames.find((f) => f.ts === st.lastMutFrameTs)
      : st.frames.find((f) => f.ran > st.lastMut);
    const after = st.frames.find((f) => f.ts >= st.lastMut);
    return { draw, after };
  }

  function settle(quietMs, timeoutMs) {
    return new Promise((resolve) => {
      const began = now();
      const poll = () => {
        const t = now();
        const last = st.lastMut !== null ? st.lastMut : st.t0;
        const { draw, after } = frames();
        const quiet = st.t0 !== null && last !== null && t - last >= quietMs && !busy();
        const drawnYet = st.lastMut === null || (draw && draw.done !== null && after);
        const timedOut = t - began > timeoutMs;
        if ((quiet && drawnYet) || timedOut) {
          resolve(finish(draw, after, timedOut));
          return;
        }
        setTimeout(poll, 20);
      };
      setTimeout(poll, 20);
    });
  }

  function finish(draw, after, timedOut) {
    st.looping = false;
    st.armed = false;
    const t0 = st.t0;
    const rel = (t) => (t === null || t === undefined || t0 === null ? null : t - t0);
    const requests = performance.getEntriesByType('resource')
      .filter((e) => t0 !== null && e.startTime >= t0)
      .map((e) => ({
        name: e.name.replace(/^https?:\/\/[^/]+/, ''), start: rel(e.startTime), requestStart: rel(e.requestStart),
        responseStart: rel(e.responseStart), responseEnd: rel(e.responseEnd),
      }));
    const ok = t0 !== null && st.lastMut !== null && !!draw && draw.done !== null && !!after && !timedOut;
    return {
      ok,
      why: ok ? '' : t0 === null ? 'no input event' : st.lastMut === null ? 'no mutation' : timedOut ? 'timeout' : 'no frame',
      event: st.event,
      drawn: draw && draw.done !== null ? draw.done - t0 : null,
      raf: after ? after.ts - t0 : null,
      ran: draw ? draw.ran - t0 : null,
      work: rel(st.lastMut),
      // Which frame after the tap draws it: 1 = the first frame whose rendering ran after the event.
      frame: draw && t0 !== null ? st.frames.filter((f) => f.ran > t0 && f.ran <= draw.ran).length : null,
      firstMutation: rel(st.firstMut),
      mutations: st.nMut,
      inFrame: st.lastMutFrameTs !== null,
      requests,
      marks: st.marks,
    };
  }

  // phases.js (run.sh --phases) marks the steps of chosa's page inside a tap.
  function mark(name) {
    if (st.armed && st.t0 !== null) st.marks.push([name, now() - st.t0]);
  }

  Object.defineProperty(window, '__tapBench', { value: Object.freeze({ arm, settle, mark }), enumerable: false });
})();
