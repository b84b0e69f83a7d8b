// Live updates for the dashboard. The pages work without this script: it only re-fetches the
// page when the server announces a change on /api/v1/events (server-sent events) and swaps the
// <main> element. If the endpoint does not exist, nothing happens.
(function () {
  'use strict';
  if (!('EventSource' in window) || !('DOMParser' in window)) { return; }
  var status = document.getElementById('live');
  var pending = false;
  function refresh() {
    if (pending) { return; }
    pending = true;
    fetch(window.location.href, { headers: { 'Accept': 'text/html' }, cache: 'no-store' })
      .then(function (r) { return r.ok || r.status === 404 ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.querySelector('main');
        var current = document.querySelector('main');
        if (fresh && current) { current.replaceWith(document.adoptNode(fresh)); }
        document.title = doc.title;
        document.documentElement.setAttribute('data-refreshed', String(Date.now()));
      })
      .catch(function () {})
      .then(function () { pending = false; });
  }
  var source = new EventSource('/api/v1/events');
  source.onopen = function () { if (status) { status.textContent = 'live updates on'; } };
  source.onerror = function () { if (status) { status.textContent = 'live updates off'; } };
  ['entry', 'position', 'decision', 'deadline', 'truncated'].forEach(function (name) {
    source.addEventListener(name, refresh);
  });
})();
