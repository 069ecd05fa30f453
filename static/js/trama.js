// What every page script shares, as one ES module:
// - the page's message catalogue (`#messages`: the server's Fluent file for the page's
//   language, see src/i18n.rs) and `t`, which formats a message with its values and the
//   language's plural rules (@fluent/bundle), and `has`;
// - `el`, the one DOM helper, and `uuid` for Idempotency-Keys;
// - the API client: `send` is `fetch` with the session cookie and the page's CSRF token
//   (`#app[data-csrf]`), `request` the same read as `{status, ok, body}` where a server out of
//   reach is status 0;
// - what a refused or failed request means, said in the page's language (`problem`: the API's
//   own `detail` is written for developers, in English, so the pages say what the person can
//   do about it and quote the detail only where it names what to fix, such as invalid input
//   or a conflict), and `notice`, which says how an action went.
import { FluentBundle, FluentResource } from '../vendor/fluent-bundle/fluent-bundle.js';

export const app = document.getElementById('app');

const catalogue = document.getElementById('messages');
const given = catalogue ? JSON.parse(catalogue.textContent) : { locale: 'es', ftl: '' };
// No Unicode isolation marks around values (pages are left to right; the marks would be in
// copied text).
const bundle = new FluentBundle(given.locale, { useIsolating: false });
bundle.addResource(new FluentResource(given.ftl));
// A message's Fluent id from the key the code uses (`review.count` → `review-count`).
function fluentId(key) { return key.replace(/\./g, '-'); }

/** Whether the page's catalogue has the message `key`. */
export function has(key) { return bundle.hasMessage(fluentId(key)); }

/** The message `key` in the page's language with the values `vars` (`{count: 3}`: a number
 *  chooses the plural form and is written the language's way); the key itself if there is no
 *  such message. */
export function t(key, vars) {
  const message = bundle.getMessage(fluentId(key));
  if (!message || !message.value) return key;
  return bundle.formatPattern(message.value, vars || {}, []);
}

/** A new element `tag` with attributes `attrs` and, if given, text content `text`. */
export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** A random v4 UUID from getRandomValues: crypto.randomUUID needs HTTPS, and workshops often
 *  run over plain HTTP on a local network. */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}

/** `fetch(path, options)` with the session cookie and the page's CSRF token: the response as
 *  it came (the draw page's queue reads statuses and headers itself). */
export function send(path, options) {
  options = Object.assign({}, options || {});
  options.credentials = 'same-origin';
  const csrf = app && app.dataset.csrf;
  options.headers = Object.assign(csrf ? { 'X-CSRF-Token': csrf } : {}, options.headers || {});
  return fetch(path, options);
}

/** `send`, read: `{status, ok, body}` with the JSON body (`{}` when there is none or it is
 *  not JSON); a server that cannot be reached is `{status: 0, ok: false, body: {}}`. */
export function request(path, options) {
  return send(path, options).then(function (r) {
    return r.json().catch(function () { return {}; }).then(function (body) {
      return { status: r.status, ok: r.ok, body: body || {} };
    });
  }, function () { return { status: 0, ok: false, body: {} }; });
}

/** `request` with a JSON body `value` and method `method`. */
export function requestJson(method, path, value) {
  return request(path, {
    method: method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value)
  });
}

const byStatus = {
  401: 'problem.session',
  403: 'problem.forbidden',
  404: 'problem.not_found',
  412: 'problem.stale',
  413: 'problem.too_big',
  429: 'problem.too_many',
  503: 'problem.unavailable'
};

/** What a refusal means to the person: `status` is the HTTP status (0 when the server could
 *  not be reached), `body` the problem JSON (RFC 9457) if any. */
export function problem(status, body) {
  if (!status) return t('problem.offline');
  if (byStatus[status]) return t(byStatus[status]);
  if (status >= 500) return t('problem.server');
  body = body || {};
  const errors = body.errors || [];
  const detail = said(body) || (errors.length
    ? errors.map(function (e) { return said(e) || (e.pointer ? e.pointer + ': ' : '') + e.detail; }).join('; ')
    : body.detail || String(status));
  return t('problem.refused', { detail: detail });
}

/** A refusal in the page's language when the server gave the code of its message (`code`
 *  and `params`, see src/domain/mod.rs `Refusal`: numbers as numbers, names as strings) and
 *  the catalogue has it, else null. */
export function said(refusal) {
  if (!refusal || !refusal.code || !has('problem.code.' + refusal.code)) return null;
  return t('problem.code.' + refusal.code, refusal.params || {});
}

/** Says `text` in a page's notice (`.notice`): a refusal stays until the next action, good
 *  news goes after a few seconds. */
export function notice(node, text, error) {
  node.textContent = text;
  node.classList.toggle('error', !!error);
  if (!error && text) setTimeout(function () { if (node.textContent === text) node.textContent = ''; }, 4000);
}
