// Diagnostics for chosa's side (tap_bench.js --phases, never in the headline run): marks, inside
// each measured tap, when the page parses the kiosk's reply and when it redraws the form, by
// wrapping Response.prototype.json and ChosaWidgets.Page.prototype.draw (chosa-widgets.js) as
// they are defined. Injected after instrument.js; the renderer's code is not changed.
'use strict';
(() => {
  const mark = (name) => window.__tapBench && window.__tapBench.mark(name);
  const json = Response.prototype.json;
  Response.prototype.json = function () {
    mark('json<');
    return json.call(this).then((value) => { mark('json>'); return value; });
  };
  let widgets;
  Object.defineProperty(window, 'ChosaWidgets', {
    configurable: true,
    get() { return widgets; },
    set(value) {
      widgets = value;
      const draw = value.Page.prototype.draw;
      value.Page.prototype.draw = function (items) {
        mark('draw<');
        try { return draw.call(this, items); } finally { mark('draw>'); }
      };
    },
  });
})();
