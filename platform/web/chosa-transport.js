// The seam between the page and the engine (docs/web-renderer.md "Transport: the contract"): one
// object with send(request) -> Promise<reply>, chosen once at start. `synchronous`: the reply is
// there as send returns, so a tap's consequences are drawn in its own task, before the next frame.
// - Android: window.chosaAndroid.handle(json) -> replyJson (synchronous), else
//   window.chosaAndroid.postMessage(json); iOS: window.webkit.messageHandlers.chosa.postMessage(json).
//   A posted request's reply comes back through window.chosaReceive(reply), matched by "id".
// - Otherwise (chosa kiosk, on the same device): POST /api/action with X-Chosa-Token, as a
//   synchronous XMLHttpRequest; by fetch(keepalive) while the page is dismissed.
// A transport failure rejects with an Error whose `code` and `message` say why; an engine refusal
// is a normal reply with "ok": false.
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
      synchronous: false,
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

  // The kiosk's HTTP reply: the body of a 200, or a transport failure.
  function httpReply(status, text) {
    let body = null;
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = null;
    }
    if (status !== 200) {
      const error = body && body.error ? body.error : {};
      throw fault(error.code || 'http_' + status, error.message || 'HTTP ' + status);
    }
    if (!body || typeof body !== 'object') throw fault('internal', 'the reply is not JSON');
    return body;
  }

  function httpTransport() {
    const token = meta('chosa-token');
    const transport = { kind: 'http', synchronous: true };
    // The page is going away (reload, another page, the app hidden): browsers refuse synchronous
    // requests while a page is dismissed, so what is sent then goes by fetch with keepalive,
    // which outlives the page.
    let dismissed = false;
    transport.leaving = function (yes) { dismissed = !!yes; };

    function sendNow(json) {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/action', false);
      xhr.setRequestHeader('Content-Type', 'application/json');
      xhr.setRequestHeader('X-Chosa-Token', token);
      xhr.setRequestHeader('Cache-Control', 'no-store');
      xhr.send(json);  // throws a NetworkError DOMException when the kiosk cannot be reached
      return httpReply(xhr.status, xhr.responseText);
    }

    async function sendLater(json, keepalive) {
      let response;
      let text;
      try {
        response = await fetch('/api/action', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Chosa-Token': token },
          body: json,
          cache: 'no-store',
          credentials: 'same-origin',
          keepalive: keepalive,
        });
        text = await response.text();
      } catch (e) {
        throw fault('unavailable', String(e && e.message || e));
      }
      return httpReply(response.status, text);
    }

    transport.send = function (request) {
      const json = JSON.stringify(request);
      if (transport.synchronous && !dismissed) {
        try {
          return Promise.resolve(sendNow(json));
        } catch (e) {
          if (e && e.code && !(e instanceof DOMException)) return Promise.reject(e);  // the kiosk's answer
          if (!(e && e.name === 'NetworkError')) {
            transport.synchronous = false;  // a browser that refuses synchronous requests
            return sendLater(json);
          }
          return Promise.reject(fault('unavailable', String(e && e.message || e)));
        }
      }
      return sendLater(json, dismissed);
    };
    return transport;
  }

  // An app's bridge that returns the reply: handle(json) -> replyJson.
  function returningBridgeTransport(kind, handle) {
    return {
      kind: kind,
      synchronous: true,
      send: function (request) {
        let reply;
        try {
          reply = handle(JSON.stringify(request));
        } catch (e) {
          return Promise.reject(fault('unavailable', String(e && e.message || e)));
        }
        try {
          if (typeof reply === 'string') reply = JSON.parse(reply);
        } catch (e) {
          return Promise.reject(fault('internal', 'the reply is not JSON'));
        }
        if (!reply || typeof reply !== 'object') return Promise.reject(fault('internal', 'the reply is not JSON'));
        return Promise.resolve(reply);
      },
    };
  }

  function chooseTransport() {
    if (window.chosaAndroid && typeof window.chosaAndroid.handle === 'function') {
      return returningBridgeTransport('android', function (json) { return window.chosaAndroid.handle(json); });
    }
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
