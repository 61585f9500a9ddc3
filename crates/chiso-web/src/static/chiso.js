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

  // The running total of the self-assessment form (form[data-total]) and the level it would
  // reach, as the user types: each criterion's points from its rule (fieldset[data-rule]).
  // A preview only; the server's count is the truth.
  function number(s) {
    s = (s || '').trim();
    if (!s) return null;
    var x = Number(s.replace(',', '.'));
    return isFinite(x) ? x : null;
  }

  function clamp(x, max) { return Math.max(0, Math.min(x, max)); }

  // A criterion's points, or null while it is not filled (or counted only by the server).
  function points(set) {
    var rule = JSON.parse(set.getAttribute('data-rule') || 'null') || { type: 'direct' };
    var max = Number(set.getAttribute('data-max'));
    var na = set.querySelector('input[type=checkbox][name$=".na"]');
    if (na && na.checked) {
      var policy = set.getAttribute('data-na');
      return policy === 'full-points' ? max : policy === 'zero' ? 0 : null;
    }
    var inputs = set.querySelectorAll('input[name]:not([type=checkbox]):not([name$=".note"]), select[name]');
    var v = inputs[0] ? inputs[0].value.trim() : '';
    if (!v) return null;
    switch (rule.type) {
      case 'yes-no': return /^(có|co|yes|1|x)$/i.test(v) ? max : 0;
      case 'scale':
        for (var i = 0; i < rule.answers.length; i++) {
          if (rule.answers[i].label === v) return max * Number(rule.answers[i].percent) / 100;
        }
        return null;
      case 'ratio': {
        var n = number(v), d = inputs[1] ? number(inputs[1].value) : null;
        return n === null || d === null || d === 0 ? null : clamp(n / d * max, max);
      }
      case 'count': { var c = number(v); return c === null ? null : clamp(c * Number(rule.per_item), max); }
      case 'steps': {
        var f = number(v);
        if (f === null) return null;
        var got = 0;
        for (var j = 0; j < rule.steps.length; j++) if (f >= Number(rule.steps[j].min)) got = Number(rule.steps[j].points);
        return got;
      }
      default: { var p = number(v); return p === null ? null : clamp(p, max); }
    }
  }

  function total(form) {
    var out = document.getElementById('tam-tinh');
    if (!out) return;
    var sets = form.querySelectorAll('fieldset[data-rule]');
    var sum = 0, missing = 0;
    var decimals = Number(form.getAttribute('data-decimals') || '0');
    var scale = Math.pow(10, decimals);
    // Numbers as the page's language writes them (decimal comma in Vietnamese).
    var sep = form.getAttribute('data-separator') || ',';
    var written = function (s) { return String(s).replace('.', sep); };
    for (var i = 0; i < sets.length; i++) {
      var p = points(sets[i]);
      if (p === null) missing++;
      else sum += p;
      // Each criterion's points as the user types, beside its figures.
      var shown = sets[i].querySelector('.diem-tam-tinh');
      if (!shown) {
        shown = document.createElement('p');
        shown.className = 'diem-tam-tinh muted';
        shown.setAttribute('aria-live', 'polite');
        sets[i].appendChild(shown);
      }
      shown.textContent = p === null ? '' : form.getAttribute('data-points-label') + ': ' +
        written((Math.round(p * scale + 1e-9) / scale).toFixed(decimals)) + '/' +
        written(sets[i].getAttribute('data-max'));
    }
    var rounded = Math.round(sum * scale + 1e-9) / scale;
    var comma = function (x) { return written(x.toFixed(decimals)); };
    var levels = JSON.parse(form.getAttribute('data-levels') || '[]');
    var level = form.getAttribute('data-below');
    for (var k = 0; k < levels.length; k++) {
      if (rounded >= Number(levels[k].min)) { level = levels[k].name; break; }
    }
    var max = Number(form.getAttribute('data-total'));
    var text = form.getAttribute('data-total-label') + ': ' + comma(rounded) + '/' + written(max);
    if (missing) text += ' (' + form.getAttribute('data-missing').replace('{n}', missing) + ')';
    text += ' · ' + form.getAttribute('data-level-label') + ': ' + level + '.';
    out.textContent = text;
  }

  function totals() {
    var forms = document.querySelectorAll('form[data-total]');
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var update = function () { total(form); };
        form.addEventListener('input', update);
        form.addEventListener('change', update);
        update();
      })(forms[i]);
    }
  }

  // A page showing work still going on (data-refresh="seconds") loads itself again after that
  // long, while it is shown; the page says so, and its link refreshes it by hand.
  function refresh() {
    var el = document.querySelector('[data-refresh]');
    var seconds = el && Number(el.getAttribute('data-refresh'));
    if (seconds > 0) {
      window.setTimeout(function () {
        if (!document.hidden) window.location.reload();
        else document.addEventListener('visibilitychange', function () { window.location.reload(); }, { once: true });
      }, seconds * 1000);
    }
  }

  function start() {
    drafts();
    totals();
    refresh();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
