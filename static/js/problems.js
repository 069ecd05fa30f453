// What the staff pages' scripts share: the page's message catalogue and its translate
// function; what a refused or failed API request means, said in the page's language (the
// API's own `detail` is written for developers, in English: the pages say what the person
// can do about it, and quote the detail only where it names what to fix, such as invalid
// input or a conflict); and the notice that says how an action went.
(function () {
  'use strict';
  var messages = JSON.parse(document.getElementById('messages').textContent);
  function t(key, vars) {
    return (messages[key] || key).replace(/\{(\w+)\}/g, function (_, n) { return vars && n in vars ? String(vars[n]) : ''; });
  }
  window.TramaMessages = messages;
  window.TramaT = t;

  var byStatus = {
    401: 'problem.session',
    403: 'problem.forbidden',
    404: 'problem.not_found',
    412: 'problem.stale',
    413: 'problem.too_big',
    429: 'problem.too_many',
    503: 'problem.unavailable'
  };
  // `status` is the HTTP status (0 when the server could not be reached), `problem` the
  // problem JSON if any.
  window.TramaProblem = function (status, problem) {
    if (!status) return t('problem.offline');
    if (byStatus[status]) return t(byStatus[status]);
    if (status >= 500) return t('problem.server');
    problem = problem || {};
    var errors = problem.errors || [];
    var detail = errors.length
      ? errors.map(function (e) { return (e.pointer ? e.pointer + ': ' : '') + e.detail; }).join('; ')
      : problem.detail || String(status);
    return t('problem.refused', { detail: detail });
  };

  // Says `text` in a page's notice (`.notice`): a refusal stays until the next action, good
  // news goes after a few seconds.
  window.TramaNotice = function (notice, text, error) {
    notice.textContent = text;
    notice.classList.toggle('error', !!error);
    if (!error && text) setTimeout(function () { if (notice.textContent === text) notice.textContent = ''; }, 4000);
  };
})();
