/**
 * The sandbox page's script, served as /sandbox/page.js (no bundler: plain browser JavaScript).
 * It renders Block Kit and mrkdwn with DOM calls only: every piece of message text becomes a text
 * node (textContent), links get an http(s)/mailto check, so a message can never inject markup.
 * Written without backquotes or template placeholders, since it lives inside one.
 */
export const PAGE_CLIENT_JS = String.raw`
'use strict';
(function () {
  var state = { me: null, view: null, current: null, thread: null, seen: {}, modalKey: null, values: {}, typed: {}, errors: {} };

  // --- DOM helpers: text only ever goes in through text nodes -------------------------------
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'className') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k.indexOf('on') === 0) node.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function $(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.text().then(function (t) {
        var json = null;
        try { json = t ? JSON.parse(t) : null; } catch (e) { json = { error: t }; }
        if (!res.ok) throw new Error((json && json.error) || ('HTTP ' + res.status));
        return json;
      });
    });
  }

  // --- people, channels, time --------------------------------------------------------------
  function personName(id) {
    var v = state.view;
    if (v && id === v.bot.user_id) return 'TrustOps';
    var p = v && v.people.filter(function (u) { return u.id === id; })[0];
    return p ? (p.real_name || p.name) : id;
  }
  function channelName(id) {
    var c = state.view && state.view.directory.filter(function (x) { return x.id === id; })[0];
    if (!c) return id;
    return c.is_im ? personName(c.name) : c.name;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  var DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  function ordinal(n) { var s = ['th', 'st', 'nd', 'rd'], v = n % 100; return n + (s[(v - 20) % 10] || s[v] || s[0]); }
  function hhmm(d) { return pad(d.getHours()) + ':' + pad(d.getMinutes()); }
  /** A message's time; with its date when that is not the sandbox's today (the clock may have moved). */
  function stamp(d) {
    var today = sandboxNow();
    var sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
    return sameDay ? hhmm(d) : MONTHS[d.getMonth()].slice(0, 3) + ' ' + d.getDate() + ', ' + hhmm(d);
  }
  function sandboxNow() { return state.view ? new Date(Date.now() + state.view.offset_ms) : new Date(); }
  function ago(d) {
    var s = Math.round((sandboxNow() - d) / 1000), future = s < 0, a = Math.abs(s), out;
    if (a < 60) out = a + ' seconds'; else if (a < 3600) out = Math.round(a / 60) + ' minutes';
    else if (a < 86400) out = Math.round(a / 3600) + ' hours'; else out = Math.round(a / 86400) + ' days';
    return future ? 'in ' + out : out + ' ago';
  }
  /** Slack's <!date^seconds^format|fallback> tokens. */
  function formatDate(seconds, format) {
    var d = new Date(seconds * 1000);
    var parts = {
      date_num: d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()),
      date: MONTHS[d.getMonth()] + ' ' + ordinal(d.getDate()) + ', ' + d.getFullYear(),
      date_short: MONTHS[d.getMonth()].slice(0, 3) + ' ' + d.getDate() + ', ' + d.getFullYear(),
      date_long: DAYS[d.getDay()] + ', ' + MONTHS[d.getMonth()] + ' ' + ordinal(d.getDate()) + ', ' + d.getFullYear(),
      time: hhmm(d),
      time_secs: hhmm(d) + ':' + pad(d.getSeconds()),
      ago: ago(d),
    };
    parts.date_pretty = parts.date; parts.date_short_pretty = parts.date_short; parts.date_long_pretty = parts.date_long;
    return format.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(parts, k) ? parts[k] : m; });
  }

  // --- mrkdwn, rendered safely ---------------------------------------------------------------
  function decode(s) { return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'); }
  function safeHref(url) { return /^(https?:|mailto:)/i.test(url) ? url : null; }

  /** One <…> token: mention, channel, date, special mention or link. */
  function token(inner) {
    var bar = inner.indexOf('|');
    var target = bar >= 0 ? inner.slice(0, bar) : inner;
    var label = bar >= 0 ? decode(inner.slice(bar + 1)) : null;
    if (target[0] === '@') return el('span', { className: 'mention', text: '@' + (label || personName(target.slice(1))) });
    if (target[0] === '#') return el('span', { className: 'mention', text: '#' + (label || channelName(target.slice(1))) });
    if (target[0] === '!') {
      var bits = target.slice(1).split('^');
      if (bits[0] === 'date' && /^\d+$/.test(bits[1] || '')) {
        var text = formatDate(Number(bits[1]), decode(bits[2] || '{date_short} {time}'));
        return el('time', { datetime: new Date(Number(bits[1]) * 1000).toISOString(), title: label || '', text: text });
      }
      if (bits[0] === 'subteam') return el('span', { className: 'mention', text: label || '@' + bits[1] });
      return el('span', { className: 'mention', text: '@' + (label || bits[0]) });
    }
    var href = safeHref(decode(target));
    if (!href) return document.createTextNode('<' + decode(inner) + '>');
    return el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: label || decode(target) });
  }

  // The shortcodes the bot uses, and a few common ones; others stay as typed.
  var EMOJI = { warning: '\u26a0\ufe0f', white_check_mark: '\u2705', x: '\u274c', rotating_light: '\ud83d\udea8', key: '\ud83d\udd11', eyes: '\ud83d\udc40',
    hourglass_flowing_sand: '\u23f3', memo: '\ud83d\udcdd', bell: '\ud83d\udd14', lock: '\ud83d\udd12', thumbsup: '\ud83d\udc4d', tada: '\ud83c\udf89' };
  function emoji(s) {
    return s.replace(/:([a-z0-9_+-]+):/g, function (m, name) { return Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : m; });
  }
  function plainText(s) { return document.createTextNode(emoji(decode(s))); }

  /** Tokens and plain text, no formatting marks left. */
  function textWithTokens(s, parent) {
    var re = /<([^<>\n]+)>/g, last = 0, m;
    while ((m = re.exec(s))) {
      if (m.index > last) parent.appendChild(plainText(s.slice(last, m.index)));
      parent.appendChild(token(m[1]));
      last = re.lastIndex;
    }
    if (last < s.length) parent.appendChild(plainText(s.slice(last)));
  }

  var INLINE = [
    { re: /\x60([^\x60\n]+)\x60/, tag: 'code', raw: true },
    { re: /(^|[^\w*])\*([^*\n]+)\*(?![\w*])/, tag: 'strong' },
    { re: /(^|[^\w_])_([^_\n]+)_(?![\w_])/, tag: 'em' },
    { re: /(^|[^\w~])~([^~\n]+)~(?![\w~])/, tag: 's' },
  ];
  /** Inline formatting: the earliest mark wins, its inside is formatted again, code stays as typed. */
  function inline(s, parent) {
    var best = null;
    INLINE.forEach(function (rule) {
      var m = rule.re.exec(s);
      if (!m) return;
      var lead = rule.raw ? '' : m[1];
      var start = m.index + lead.length;
      if (!best || start < best.start) best = { rule: rule, m: m, start: start, inner: rule.raw ? m[1] : m[2] };
    });
    if (!best) return textWithTokens(s, parent);
    if (best.start > 0) textWithTokens(s.slice(0, best.start), parent);
    var node = el(best.rule.tag);
    if (best.rule.raw) node.textContent = decode(best.inner); else inline(best.inner, node);
    parent.appendChild(node);
    inline(s.slice(best.m.index + best.m[0].length), parent);
  }

  function mrkdwn(text) {
    var out = el('div', { className: 'body' });
    var fence = /\x60\x60\x60([\s\S]*?)\x60\x60\x60/g, last = 0, m;
    function lines(s) {
      s.split('\n').forEach(function (line, i) {
        if (i > 0) out.appendChild(document.createTextNode('\n'));
        var q = /^&gt;\s?(.*)$/.exec(line);
        if (q) { var bq = el('blockquote'); inline(q[1], bq); out.appendChild(bq); } else inline(line, out);
      });
    }
    while ((m = fence.exec(text))) {
      lines(text.slice(last, m.index));
      out.appendChild(el('pre', { text: decode(m[1].replace(/^\n/, '')) }));
      last = fence.lastIndex;
    }
    lines(text.slice(last));
    return out;
  }

  function textObject(t) {
    if (!t) return el('span');
    if (t.type === 'mrkdwn') return mrkdwn(t.text || '');
    return el('span', { className: 'body', text: t.emoji === false ? t.text || '' : emoji(t.text || '') });
  }

  // --- rich_text -------------------------------------------------------------------------------
  function richInline(e) {
    var node, href;
    switch (e.type) {
      case 'text': node = document.createTextNode(e.text || ''); break;
      case 'link':
        node = (href = safeHref(e.url || '')) ? el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: e.text || e.url }) : document.createTextNode(e.text || e.url || '');
        break;
      case 'user': node = el('span', { className: 'mention', text: '@' + personName(e.user_id) }); break;
      case 'channel': node = el('span', { className: 'mention', text: '#' + channelName(e.channel_id) }); break;
      case 'usergroup': node = el('span', { className: 'mention', text: '@' + e.usergroup_id }); break;
      case 'broadcast': node = el('span', { className: 'mention', text: '@' + e.range }); break;
      case 'emoji': node = document.createTextNode(e.unicode ? String.fromCodePoint.apply(null, e.unicode.split('-').map(function (h) { return parseInt(h, 16); })) : emoji(':' + e.name + ':')); break;
      case 'date': node = el('time', { text: formatDate(e.timestamp, e.format || '{date_short} {time}') }); break;
      default: node = document.createTextNode(e.text || '');
    }
    var s = e.style || {};
    if (s.code) node = el('code', null, [node]);
    if (s.bold) node = el('strong', null, [node]);
    if (s.italic) node = el('em', null, [node]);
    if (s.strike) node = el('s', null, [node]);
    return node;
  }
  function richElements(list) { return (list || []).map(richInline); }
  function richText(block) {
    var out = el('div', { className: 'body' });
    (block.elements || []).forEach(function (part) {
      if (part.type === 'rich_text_section') out.appendChild(el('div', null, richElements(part.elements)));
      else if (part.type === 'rich_text_preformatted') out.appendChild(el('pre', null, richElements(part.elements)));
      else if (part.type === 'rich_text_quote') out.appendChild(el('blockquote', null, richElements(part.elements)));
      else if (part.type === 'rich_text_list') {
        out.appendChild(el(part.style === 'ordered' ? 'ol' : 'ul', null, (part.elements || []).map(function (item) {
          return el('li', null, richElements(item.elements));
        })));
      }
    });
    return out;
  }

  // --- interactive elements ----------------------------------------------------------------
  function optionsOf(element) {
    if (element.options) return element.options;
    if (element.option_groups) return [].concat.apply([], element.option_groups.map(function (g) { return g.options || []; }));
    return [];
  }
  function plainOf(t) { return (t && t.text) || ''; }

  /** Shows a Block Kit confirm object; resolves true when the person confirms. */
  function confirmDialog(c) {
    return new Promise(function (resolve) {
      var layer = clear($('confirm-layer'));
      function done(ok) { layer.hidden = true; clear(layer); resolve(ok); }
      var ok = el('button', { type: 'button', className: 'btn ' + (c.style === 'danger' ? 'danger' : 'primary'), text: plainOf(c.confirm) || 'Yes', onclick: function () { done(true); } });
      layer.appendChild(el('div', { className: 'dialog', role: 'alertdialog', 'aria-label': plainOf(c.title) || 'Are you sure?' }, [
        el('header', null, [el('h2', { text: plainOf(c.title) || 'Are you sure?' })]),
        el('div', { className: 'dialog-body' }, [textObject(c.text)]),
        el('footer', null, [el('button', { type: 'button', className: 'btn', text: plainOf(c.deny) || 'Cancel', onclick: function () { done(false); } }), ok]),
      ]));
      layer.hidden = false;
      ok.focus();
    });
  }

  /** Where a click happened: a message (channel + ts) or a view (Home tab, modal). */
  function act(where, element, blockId, extra, button) {
    var go = function () {
      var body = { user: state.me, action_id: element.action_id, block_id: blockId };
      if (where.viewId) { body.view_id = where.viewId; body.values = collectValues(); } else { body.channel = where.channel; body.ts = where.ts; }
      Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
      if (button) button.disabled = true;
      return post('/sandbox/action', body).catch(showError).then(function () { if (button) button.disabled = false; });
    };
    if (element.confirm) return confirmDialog(element.confirm).then(function (ok) { if (ok) return go(); });
    return go();
  }

  function interactive(element, blockId, where) {
    switch (element.type) {
      case 'button': {
        var b = el('button', { type: 'button', className: 'btn' + (element.style ? ' ' + element.style : ''), text: plainOf(element.text), dataset: { actionId: element.action_id || '' } });
        b.addEventListener('click', function () {
          if (element.url && safeHref(element.url)) window.open(element.url, '_blank', 'noopener,noreferrer');
          act(where, element, blockId, element.value !== undefined ? { value: element.value } : {}, b);
        });
        return b;
      }
      case 'static_select':
      case 'overflow': {
        var s = el('select', { className: 'el', 'aria-label': plainOf(element.placeholder) || 'Choose' }, [el('option', { value: '', text: plainOf(element.placeholder) || (element.type === 'overflow' ? '⋯' : 'Select…') })]
          .concat(optionsOf(element).map(function (o) { return el('option', { value: o.value, text: plainOf(o.text) }); })));
        if (element.initial_option) s.value = element.initial_option.value;
        s.addEventListener('change', function () { if (s.value) act(where, element, blockId, { selected: s.value }); });
        return s;
      }
      case 'image': return el('img', { src: element.image_url, alt: element.alt_text || '', width: 48, height: 48 });
      default: return el('span', { className: 'note', text: '[' + element.type + ']' });
    }
  }

  // --- blocks --------------------------------------------------------------------------------
  function block(b, where) {
    switch (b.type) {
      case 'header': return el('div', { className: 'block block-header', text: plainOf(b.text) });
      case 'divider': return el('hr', { className: 'divider' });
      case 'section': {
        var left = el('div', null, [b.text ? textObject(b.text) : null]);
        if (b.fields) left.appendChild(el('div', { className: 'fields' }, b.fields.map(textObject)));
        return el('div', { className: 'block section', dataset: { blockId: b.block_id || '' } }, [left, b.accessory ? interactive(b.accessory, b.block_id, where) : null]);
      }
      case 'context':
        return el('div', { className: 'block context' }, (b.elements || []).map(function (e) {
          return e.type === 'image' ? el('img', { src: e.image_url, alt: e.alt_text || '' }) : textObject(e);
        }));
      case 'actions':
        return el('div', { className: 'block actions', dataset: { blockId: b.block_id || '' } }, (b.elements || []).map(function (e) { return interactive(e, b.block_id, where); }));
      case 'image':
        return el('div', { className: 'block image-block' }, [el('figure', null, [
          b.title ? el('figcaption', { text: plainOf(b.title) }) : null,
          el('img', { src: b.image_url || (b.slack_file && b.slack_file.url) || '', alt: b.alt_text || '' }),
        ])]);
      case 'rich_text': return el('div', { className: 'block' }, [richText(b)]);
      case 'file': return el('div', { className: 'block file', text: 'File ' + (b.external_id || b.file_id || '') });
      case 'input': return inputBlock(b);
      default: return el('div', { className: 'block note', text: '[unsupported block: ' + b.type + ']' });
    }
  }
  function blocks(list, where) { return (list || []).map(function (b) { return block(b, where); }); }

  function files(list) {
    return el('div', { className: 'files' }, (list || []).map(function (f) {
      // Built by the emulator today, but checked like every other link.
      var href = safeHref(f.url_private_download || f.url_private || '');
      var box = el('div', { className: 'file' }, [
        el('div', null, [el('div', { text: f.title || f.name }), el('div', { className: 'kind', text: (f.pretty_type || f.filetype || '') + (f.size !== undefined ? ' · ' + f.size + ' bytes' : '') })]),
        href ? el('a', { href: href, download: f.name, text: 'Download' }) : null,
      ]);
      // Images are previewed, as Slack does (a chart in a digest's thread).
      var preview = /^image\/(png|jpeg|gif)$/.test(f.mimetype || '') ? safeHref(f.url_private || '') : '';
      return preview ? el('div', { className: 'file-image' }, [box, el('img', { src: preview, alt: f.title || f.name })]) : box;
    }));
  }

  function attachments(list, where) {
    return (list || []).map(function (a) {
      var box = el('div', { className: 'attachment' });
      if (a.color) box.style.borderLeftColor = /^[0-9a-f]{6}$/i.test(a.color) ? '#' + a.color : a.color;
      if (a.blocks) blocks(a.blocks, where).forEach(function (n) { box.appendChild(n); });
      else {
        if (a.title) box.appendChild(el('strong', { text: a.title }));
        if (a.text) box.appendChild(mrkdwn(a.text));
        (a.fields || []).forEach(function (f) { box.appendChild(el('div', null, [el('strong', { text: f.title || '' }), ' ', mrkdwn(f.value || '')])); });
      }
      return box;
    });
  }

  function message(m, channel, opts) {
    var where = { channel: channel, ts: m.ts };
    var when = new Date(Number(m.ts) * 1000);
    var node = el('article', { className: 'message' + (m.recipient ? ' ephemeral' : ''), dataset: { ts: m.ts } }, [
      el('div', { className: 'meta' }, [
        el('span', { className: 'author', text: personName(m.user) }),
        m.bot_id ? el('span', { className: 'app-tag', text: 'APP' }) : null,
        el('span', { className: 'time', title: when.toISOString(), text: stamp(when) }),
        m.edited ? el('span', { className: 'edited', text: '(edited)' }) : null,
      ]),
    ]);
    if (m.recipient) {
      node.appendChild(el('div', { className: 'only-you' }, [
        el('span', { text: 'Only visible to you' }),
        el('button', { type: 'button', text: 'Dismiss', onclick: function () { post('/sandbox/dismiss', { user: state.me, ts: m.ts }).catch(showError); } }),
      ]));
    }
    // Blocks are what Slack shows; text is the fallback (notifications) when there are none.
    if (m.blocks && m.blocks.length) blocks(m.blocks, where).forEach(function (n) { node.appendChild(n); });
    else if (m.text) node.appendChild(mrkdwn(m.text));
    attachments(m.attachments, where).forEach(function (n) { node.appendChild(n); });
    if (m.files && m.files.length) node.appendChild(files(m.files));
    if (opts && opts.replies && m.reply_count) {
      node.appendChild(el('button', { type: 'button', className: 'replies-link', text: m.reply_count + (m.reply_count === 1 ? ' reply' : ' replies'), onclick: function () { openThread(channel, m.ts); } }));
    }
    return node;
  }

  // --- modals and their inputs ---------------------------------------------------------------
  function inputBlock(b) {
    var e = b.element || {}, id = 'in-' + b.block_id + '-' + e.action_id, control;
    var saved = (state.values[b.block_id] || {})[e.action_id];
    var dataset = { blockId: b.block_id, actionId: e.action_id || '' };
    switch (e.type) {
      case 'plain_text_input':
        control = el(e.multiline ? 'textarea' : 'input', { id: id, dataset: dataset, maxlength: e.max_length, placeholder: plainOf(e.placeholder), rows: e.multiline ? 4 : undefined });
        control.value = saved !== undefined ? saved : (e.initial_value || '');
        break;
      case 'static_select':
      case 'users_select':
      case 'conversations_select':
      case 'channels_select': {
        var opts = e.type === 'static_select' ? optionsOf(e).map(function (o) { return { value: o.value, text: plainOf(o.text) }; })
          : e.type === 'users_select' ? state.view.people.filter(function (p) { return !p.is_bot; }).map(function (p) { return { value: p.id, text: p.real_name || p.name }; })
          : state.view.directory.map(function (c) { return { value: c.id, text: c.is_im ? personName(c.name) : '#' + c.name }; });
        control = el('select', { id: id, dataset: dataset }, [el('option', { value: '', text: plainOf(e.placeholder) || 'Select…' })]
          .concat(opts.map(function (o) { return el('option', { value: o.value, text: o.text }); })));
        var initial = e.initial_option ? e.initial_option.value : e.initial_user || e.initial_conversation || e.initial_channel || '';
        control.value = saved !== undefined ? saved : initial;
        break;
      }
      case 'datepicker':
        control = el('input', { id: id, type: 'date', dataset: dataset });
        control.value = saved !== undefined ? saved : (e.initial_date || '');
        break;
      default:
        control = el('span', { className: 'note', text: '[' + e.type + ']' });
    }
    var error = state.errors[b.block_id];
    var label = el('label', { for: id }, [plainOf(b.label), b.optional ? el('span', { className: 'optional', text: ' (optional)' }) : null]);
    return el('div', { className: 'input-block' + (error ? ' has-error' : ''), dataset: { blockId: b.block_id } }, [
      label, control,
      b.hint ? el('div', { className: 'hint', text: plainOf(b.hint) }) : null,
      error ? el('div', { className: 'field-error', role: 'alert', text: error }) : null,
    ]);
  }

  /** What the person has typed in the open modal: { block_id: { action_id: value } }, empty ones left out as Slack does. */
  function collectValues() {
    var values = {};
    document.querySelectorAll('#modal-layer [data-block-id][data-action-id]').forEach(function (c) {
      if (!('value' in c) || c.value === '') return;
      values[c.dataset.blockId] = values[c.dataset.blockId] || {};
      values[c.dataset.blockId][c.dataset.actionId] = c.value;
    });
    return values;
  }

  function renderModal() {
    var layer = $('modal-layer');
    var stack = (state.view && state.view.modals) || [];
    var top = stack[stack.length - 1];
    if (!top) { layer.hidden = true; clear(layer); state.modalKey = null; state.values = {}; state.typed = {}; state.errors = {}; return; }
    var key = top.id + ':' + top.hash;
    if (key === state.modalKey) return;
    // What was typed stays with its view: through views.update, and under a pushed view until it is back on top.
    if (state.modalKey) state.typed[state.modalKey.split(':')[0]] = collectValues();
    state.values = state.typed[top.id] || {};
    state.modalKey = key;
    state.errors = {};
    draw(top);
  }

  function draw(view) {
    var layer = clear($('modal-layer'));
    var where = { viewId: view.id };
    var form = el('form', { className: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': plainOf(view.title) }, [
      el('header', null, [el('h2', { text: plainOf(view.title) }), el('button', { type: 'button', 'aria-label': 'Close', text: '×', onclick: function () { closeModal(false); } })]),
      el('div', { className: 'dialog-body' }, blocks(view.blocks, where)),
      el('footer', null, [
        el('button', { type: 'button', className: 'btn', text: plainOf(view.close) || 'Cancel', onclick: function () { closeModal(true); } }),
        view.submit ? el('button', { type: 'submit', className: 'btn primary', text: plainOf(view.submit) }) : null,
      ]),
    ]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); submitModal(view); });
    layer.appendChild(form);
    layer.hidden = false;
  }

  function submitModal(view) {
    state.values = collectValues();
    // Slack's client refuses an empty required field itself; the app never hears of it.
    var missing = {};
    (view.blocks || []).forEach(function (b) {
      if (b.type === 'input' && !b.optional && !(state.values[b.block_id] && Object.keys(state.values[b.block_id]).length)) missing[b.block_id] = 'Please complete this required field.';
    });
    if (Object.keys(missing).length) { state.errors = missing; draw(view); return; }
    post('/sandbox/submit', { user: state.me, view_id: view.id, values: state.values }).then(function (r) {
      if (r && r.ack && r.ack.response_action === 'errors') { state.errors = r.ack.errors || {}; draw(view); }
      else if (r && r.ack_status !== 200) showError(new Error('the app did not accept the submission (HTTP ' + r.ack_status + ')'));
    }).catch(showError);
  }

  /** Cancel goes back to the view beneath a pushed one; × (or Cancel on the first) closes them all. */
  function closeModal(back) { post('/sandbox/close', { user: state.me, back: back }).catch(showError); }

  // --- panes ---------------------------------------------------------------------------------
  function channelOf(id) { return state.view.channels.filter(function (c) { return c.id === id; })[0]; }
  function topLevel(c) { return (c.messages || []).filter(function (m) { return !m.thread_ts || m.thread_ts === m.ts; }); }
  function visible(c) {
    var list = topLevel(c).concat((c.ephemeral || []).filter(function (m) { return !m.thread_ts; }));
    return list.sort(function (a, b) { return Number(a.ts) - Number(b.ts); });
  }
  function seenKey(id) { return state.me + ':' + id; }

  function renderSidebar() {
    var chans = clear($('channel-list')), dms = clear($('dm-list')), apps = clear($('app-list'));
    state.view.channels.forEach(function (c) {
      var count = visible(c).length, seen = state.seen[seenKey(c.id)] || 0, unread = state.current === c.id ? 0 : Math.max(0, count - seen);
      var label = c.is_im ? 'TrustOps' : '# ' + c.name;
      var b = el('button', { type: 'button', className: (state.current === c.id ? 'current ' : '') + (unread ? 'has-unread' : ''), dataset: { channel: c.id }, onclick: function () { select(c.id); } },
        [el('span', { text: label }), unread ? el('span', { className: 'badge', 'aria-label': unread + ' unread', text: String(unread) }) : null]);
      (c.is_im ? dms : chans).appendChild(el('li', null, [b]));
    });
    apps.appendChild(el('li', null, [el('button', { type: 'button', className: state.current === 'home' ? 'current' : '', dataset: { channel: 'home' }, text: 'TrustOps — Home', onclick: function () { select('home'); } })]));
  }

  function nearBottom(node) { return node.scrollHeight - node.scrollTop - node.clientHeight < 60; }

  function renderMain() {
    var list = $('messages'), stick = nearBottom(list) || list.dataset.channel !== state.current;
    clear(list);
    list.dataset.channel = state.current;
    $('composer').hidden = state.current === 'home';
    if (state.current === 'home') {
      $('pane-title').textContent = 'TrustOps';
      $('pane-note').textContent = 'App Home';
      var home = state.view.home;
      if (!home) list.appendChild(el('div', { className: 'empty', text: 'The Home tab is loading…' }));
      else list.appendChild(el('div', { className: 'home' }, blocks(home.blocks, { viewId: home.id })));
      return;
    }
    var c = channelOf(state.current);
    if (!c) return;
    $('pane-title').textContent = c.is_im ? 'TrustOps' : '# ' + c.name;
    $('pane-note').textContent = c.is_im ? 'Direct messages with the app' : '';
    $('composer-input').placeholder = 'Message ' + (c.is_im ? 'TrustOps' : '#' + c.name) + ' — or type /trustops help';
    var items = visible(c);
    if (!items.length) list.appendChild(el('div', { className: 'empty', text: 'No messages yet. Try /trustops help.' }));
    items.forEach(function (m) { list.appendChild(message(m, c.id, { replies: true })); });
    state.seen[seenKey(c.id)] = items.length;
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function renderThread() {
    var pane = $('thread-pane');
    if (!state.thread) { pane.hidden = true; return; }
    var c = channelOf(state.thread.channel);
    var all = c ? c.messages.concat(c.ephemeral || []) : [];
    var root = all.filter(function (m) { return m.ts === state.thread.ts; })[0];
    if (!root) { state.thread = null; pane.hidden = true; return; }
    var replies = all.filter(function (m) { return m.thread_ts === root.ts && m.ts !== root.ts; }).sort(function (a, b) { return Number(a.ts) - Number(b.ts); });
    var list = clear($('thread-messages'));
    list.appendChild(message(root, c.id));
    list.appendChild(el('hr', { className: 'divider' }));
    replies.forEach(function (m) { list.appendChild(message(m, c.id)); });
    pane.hidden = false;
  }

  function renderTopbar() {
    var sw = $('user-switcher');
    if (!sw.options.length) {
      state.view.users.forEach(function (u) { sw.appendChild(el('option', { value: u.id, text: u.real_name })); });
    }
    state.view.users.forEach(function (u, i) { sw.options[i].textContent = u.real_name + ' — ' + u.role; });
    sw.value = state.me;
    var now = new Date(state.view.now), off = Math.round(state.view.offset_ms / 60000);
    $('clock').textContent = 'Sandbox time ' + now.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' + (off > 1 ? ' (+' + (off >= 1440 ? (off / 1440).toFixed(1) + 'd' : off >= 60 ? (off / 60).toFixed(1) + 'h' : off + 'm') + ')' : '');
    $('clock').dataset.now = state.view.now;
  }

  function render() {
    if (!state.view) return;
    if (!state.current) state.current = (state.view.channels.filter(function (c) { return c.name === 'general'; })[0] || {}).id;
    renderTopbar();
    renderMain();
    renderSidebar();
    renderThread();
    renderModal();
    document.body.dataset.ready = state.view.ready ? 'true' : 'false';
  }

  var loading = null, again = false;
  function refresh() {
    if (loading) { again = true; return loading; }
    loading = fetch('/sandbox/view?user=' + encodeURIComponent(state.me || ''), { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (v) { state.view = v; state.me = v.me; render(); })
      .catch(showError)
      .then(function () { loading = null; if (again) { again = false; refresh(); } });
    return loading;
  }

  function select(id) {
    state.current = id;
    if (id === 'home') post('/sandbox/home', { user: state.me }).catch(showError);
    render();
  }

  function openThread(channel, ts) { state.thread = { channel: channel, ts: ts }; renderThread(); }

  function status(text, isError) {
    var s = $('composer-status');
    s.textContent = text || '';
    s.className = 'composer-status' + (isError ? ' error' : '');
  }
  function showError(err) { status(String((err && err.message) || err), true); }

  function send(text, threadTs) {
    text = text.trim();
    if (!text) return Promise.resolve();
    var channel = state.current;
    if (text[0] === '/') {
      var cmd = text.split(/\s/)[0];
      if (cmd !== '/trustops') { status(cmd + ' is not a valid command. In this sandbox only /trustops is installed.', true); return Promise.resolve(); }
      status('Running ' + text.slice(0, 80) + ' …');
      return post('/sandbox/command', { user: state.me, channel: channel, text: text, wait: '0' }).then(function (r) {
        status(r.ack_status === 200 ? '' : '/trustops failed with the error "dispatch_failed" (HTTP ' + r.ack_status + ')', r.ack_status !== 200);
      }).catch(showError);
    }
    status('');
    return post('/sandbox/message', { user: state.me, channel: channel, text: text, thread_ts: threadTs }).catch(showError);
  }

  function composer(form, input, threadTs) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = input.value;
      input.value = '';
      send(text, threadTs ? threadTs() : undefined);
    });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
    });
  }

  function moveClock(by) {
    return post('/sandbox/clock', { by: by }).then(function () { status('Clock moved forward ' + by + '.'); }).catch(showError);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var fromHash = decodeURIComponent(location.hash.slice(1));
    state.me = /^U[A-Z0-9]+$/.test(fromHash) ? fromHash : null;
    composer($('composer'), $('composer-input'));
    composer($('thread-composer'), $('thread-input'), function () { return state.thread && state.thread.ts; });
    $('thread-close').addEventListener('click', function () { state.thread = null; renderThread(); });
    $('user-switcher').addEventListener('change', function (ev) {
      state.me = ev.target.value;
      location.hash = state.me;
      state.modalKey = null;
      refresh().then(function () { if (state.current === 'home') select('home'); });
    });
    document.querySelectorAll('[data-advance]').forEach(function (b) { b.addEventListener('click', function () { moveClock(b.dataset.advance); }); });
    $('advance').addEventListener('click', function () { if ($('advance-by').value) moveClock($('advance-by').value.trim()); });
    $('reset').addEventListener('click', function () {
      confirmDialog({ title: { text: 'Reset the demo?' }, text: { type: 'plain_text', text: 'Every message goes, the clock returns to now and the demo data starts over.' }, confirm: { text: 'Reset' }, style: 'danger' })
        .then(function (ok) { if (ok) { status('Resetting…'); return post('/sandbox/reset', {}).then(function () { state.seen = {}; state.thread = null; status('The demo started over.'); }); } })
        .catch(showError);
    });
    var events = new EventSource('/sandbox/events');
    events.addEventListener('change', function () { refresh(); });
    events.addEventListener('open', function () { refresh(); });
    refresh();
  });
})();
`;
