// The platform's one script, served from the site itself (/tinh/chiso.js) as the CSP
// requires. Every page works without it; the server stays the truth.
(function () {
  'use strict';

  // A button with data-confirm asks before what cannot be undone (submit, verify, publish, delete).
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button[data-confirm]');
    if (b && !window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();
  });

  // A form's fields as typed: name -> text ("1" or "" for a checkbox).
  function values(form) {
    var o = {};
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.tagName === 'BUTTON' || el.type === 'hidden' || el.type === 'file' || el.type === 'submit') continue;
      o[el.name] = el.type === 'checkbox' ? (el.checked ? '1' : '') : el.value;
    }
    return o;
  }

  function apply(form, o) {
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || !Object.prototype.hasOwnProperty.call(o, el.name)) continue;
      if (el.tagName === 'BUTTON' || el.type === 'hidden' || el.type === 'file' || el.type === 'submit') continue;
      if (el.type === 'checkbox') el.checked = o[el.name] === '1';
      else el.value = o[el.name];
    }
  }

  // Whether a draft says the same as the page on every field the page has.
  function same(draft, page) {
    for (var k in page) {
      if (Object.prototype.hasOwnProperty.call(page, k) && (draft[k] || '') !== (page[k] || '')) return false;
    }
    return true;
  }

  function two(n) { return (n < 10 ? '0' : '') + n; }
  // dd/mm/yyyy HH:mm in Vietnam's time (UTC+7, no daylight saving).
  function vietnamTime(ms) {
    var d = new Date(ms + 7 * 3600 * 1000);
    return two(d.getUTCDate()) + '/' + two(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear() + ' ' +
      two(d.getUTCHours()) + ':' + two(d.getUTCMinutes());
  }

  // Drafts kept by the browser as the user types (form[data-draft], keyed by user and form):
  // restored on the next visit when they differ from what the server has, cleared once the
  // server confirms a save (data-draft-saved).
  function drafts() {
    var store;
    try { store = window.localStorage; store.getItem('x'); } catch (e) { return; }
    var forms = document.querySelectorAll('form[data-draft]');
    for (var i = 0; i < forms.length; i++) draft(forms[i], store);
  }

  function draft(form, store) {
    var key = 'chiso-ban-nhap:' + form.getAttribute('data-draft');
    var page = values(form);
    // A refused save shows what was typed, not what is stored: keep it as a draft.
    var refused = form.hasAttribute('data-draft-refused');
    if (form.hasAttribute('data-draft-saved')) store.removeItem(key);
    if (form.hasAttribute('data-draft-readonly')) return;
    var kept = null;
    try { kept = JSON.parse(store.getItem(key) || 'null'); } catch (e) { kept = null; }
    if (kept && kept.v && !same(kept.v, page)) {
      apply(form, kept.v);
      var box = document.createElement('div');
      box.className = 'notice draft-notice';
      box.setAttribute('role', 'status');
      var text = document.createElement('span');
      text.textContent = form.getAttribute('data-draft-restored') + ' ' + vietnamTime(kept.at || Date.now()) + '. ';
      var discard = document.createElement('button');
      discard.type = 'button';
      discard.textContent = form.getAttribute('data-draft-discard');
      discard.addEventListener('click', function () {
        apply(form, page);
        store.removeItem(key);
        box.parentNode.removeChild(box);
        form.dispatchEvent(new Event('input', { bubbles: true }));
      });
      box.appendChild(text);
      box.appendChild(discard);
      form.parentNode.insertBefore(box, form);
    } else if (!refused) {
      store.removeItem(key);
    }
    function keep() {
      var now = values(form);
      if (!refused && same(now, page)) store.removeItem(key);
      else {
        try { store.setItem(key, JSON.stringify({ at: Date.now(), v: now })); } catch (e) { /* full: the server keeps what was saved */ }
      }
    }
    if (refused) keep();
    form.addEventListener('input', keep);
    form.addEventListener('change', keep);
    window.addEventListener('pagehide', keep);
  }

  function start() {
    drafts();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
