// The seam between the page and the engine (docs/web-renderer.md "Transport"): one object with
// send(request) -> Promise<reply>, chosen once at start.
//
// - In an Android WebView: window.chosaAndroid.postMessage(json) (addJavascriptInterface);
// - in an iOS WKWebView: window.webkit.messageHandlers.chosa.postMessage(json);
//   in both, the app hands each reply back by calling window.chosaReceive(replyJson) (a string,
//   or an already parsed object), and replies are matched to requests by their "id", which the
//   engine echoes.
// - Otherwise (chosa kiosk): POST /api/action, body = the request's JSON, headers
//   Content-Type: application/json and X-Chosa-Token (from <meta name="chosa-token">); the reply is
//   the 200 response's body. A 4xx/5xx carries {"error": {"code", "message"}}.
//
// A transport failure (no reply, an HTTP error) rejects the promise with an Error whose `code` and
// `message` say why; an engine refusal is a normal reply with "ok": false.
'use strict';
(function () {
  function meta(name) {
    const element = document.querySelector('meta[name="' + name + '"]');
    const content = element ? element.getAttribute('content') || '' : '';
    return /^\{\{.*\}\}$/.test(content) ? '' : content;  // a placeholder the server did not fill
  }

  function fault(code, message) {
    const error = new Error(message);
    error.code = code;
    return error;
  }

  // A bridge to an app: postMessage(json) out, window.chosaReceive(reply) back.
  function bridgeTransport(kind, post) {
    const pending = new Map();
    window.chosaReceive = function (reply) {
      let parsed = reply;
      try {
        if (typeof reply === 'string') parsed = JSON.parse(reply);
      } catch (e) {
        console.error('chosaReceive: not JSON', e);
        return;
      }
      const waiting = parsed && pending.get(parsed.id);
      if (!waiting) {
        // A reply without our id: the engine could not read the request at all. Give it to the
        // oldest request still waiting, so nothing hangs.
        const oldest = pending.keys().next();
        if (oldest.done) return;
        pending.get(oldest.value).resolve(parsed);
        pending.delete(oldest.value);
        return;
      }
      pending.delete(parsed.id);
      waiting.resolve(parsed);
    };
    return {
      kind: kind,
      send: function (request) {
        return new Promise(function (resolve, reject) {
          pending.set(request.id, { resolve: resolve, reject: reject });
          try {
            post(JSON.stringify(request));
          } catch (e) {
            pending.delete(request.id);
            reject(fault('unavailable', String(e && e.message || e)));
          }
        });
      },
    };
  }

  function httpTransport() {
    const token = meta('chosa-token');
    return {
      kind: 'http',
      send: async function (request) {
        let response;
        try {
          response = await fetch('/api/action', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-Chosa-Token': token },
            body: JSON.stringify(request),
            cache: 'no-store',
            credentials: 'same-origin',
          });
        } catch (e) {
          throw fault('unavailable', String(e && e.message || e));
        }
        let body = null;
        try {
          body = await response.json();
        } catch (e) {
          body = null;
        }
        if (!response.ok) {
          const error = body && body.error ? body.error : {};
          throw fault(error.code || 'http_' + response.status, error.message || 'HTTP ' + response.status);
        }
        if (!body || typeof body !== 'object') throw fault('internal', 'the reply is not JSON');
        return body;
      },
    };
  }

  function chooseTransport() {
    if (window.chosaAndroid && typeof window.chosaAndroid.postMessage === 'function') {
      return bridgeTransport('android', function (json) { window.chosaAndroid.postMessage(json); });
    }
    const handlers = window.webkit && window.webkit.messageHandlers;
    if (handlers && handlers.chosa && typeof handlers.chosa.postMessage === 'function') {
      return bridgeTransport('ios', function (json) { handlers.chosa.postMessage(json); });
    }
    return httpTransport();
  }

  window.ChosaTransport = { choose: chooseTransport, meta: meta };
})();
