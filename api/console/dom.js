// Building the page without ever parsing data as HTML: every string becomes a text node.

/** An element with attributes (`on*` functions become listeners) and children (strings are text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function loading(what) {
  return h('p', { class: 'loading', role: 'status', testid: 'loading' }, `Loading ${what}…`);
}

export function empty(text) {
  return h('p', { class: 'empty', testid: 'empty' }, text);
}

/** A refused action or failed load: the API's message and its `extensions.code`. */
export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert', testid: 'error' },
    h('strong', { testid: 'error-code' }, err.code || 'ERROR'), ' ',
    h('span', { testid: 'error-message' }, err.message || String(err)));
}

/** Shows `err` next to the form field it names (`extensions.field`), else at the form's foot. */
export function showFormError(form, err) {
  clearFormErrors(form);
  const named = err.field && form.querySelector(`[data-for="${CSS.escape(err.field)}"]`);
  const slot = named || form.querySelector('[data-for="_form"]');
  if (!slot) return;
  fill(slot, errorBox(err));
  const input = named && form.elements.namedItem(err.field);
  if (input && input.focus) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

export function clearFormErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) slot.replaceChildren();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

let fieldCount = 0;

/** A labelled input with its error slot; `name` is the API's field name. */
export function field(label, name, input, hint) {
  const id = `f-${name}-${++fieldCount}`;
  input.id = id;
  input.name = name;
  if (!input.dataset.testid) input.dataset.testid = `field-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label), input,
    hint ? h('small', {}, hint) : null,
    h('p', { class: 'field-error', 'data-for': name }));
}

/** The slot for errors that name no field. */
export function formError() {
  return h('p', { class: 'field-error', 'data-for': '_form' });
}

export function options(values, selected) {
  return values.map(([value, label]) => h('option', { value, selected: value === selected }, label));
}

/** A date-time for people; the machine value in `datetime`. */
export function time(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString());
}

/** A modal dialog; resolves with what `close` is given. `build(close)` returns its content. */
export function dialog(title, build, testid = 'dialog') {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-label': title, testid });
    const close = (value) => { d.close(); d.remove(); resolve(value); };
    d.addEventListener('cancel', (e) => { e.preventDefault(); close(undefined); });
    fill(d, h('h2', {}, title), build(close));
    document.body.append(d);
    d.showModal();
  });
}

/**
 * A secret shown once (a token, a webhook signing secret): in this dialog only, with a copy button
 * and a warning, and dropped when it closes. Test ids: `${prefix}-once`, `${prefix}-secret`,
 * `${prefix}-copy`, `${prefix}-copied`, `${prefix}-once-close`.
 */
export function secretOnce({ title, warning, secret, prefix, extra = null }) {
  let kept = secret;
  return dialog(title, (close) => {
    const text = h('code', { id: `${prefix}-secret`, testid: `${prefix}-secret`, class: 'secret', tabindex: 0 }, kept);
    const copied = h('span', { role: 'status', testid: `${prefix}-copied` });
    const done = () => {
      kept = null;
      text.replaceChildren();
      close();
    };
    return h('div', { class: 'once', testid: `${prefix}-once` },
      h('p', { class: 'warning' }, warning),
      text,
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: `${prefix}-copy`, testid: `${prefix}-copy`, onclick: async () => {
          try {
            await navigator.clipboard.writeText(kept);
            fill(copied, 'Copied.');
          } catch {
            const range = document.createRange();
            range.selectNodeContents(text);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            fill(copied, 'Selected: press Ctrl+C (Cmd+C) to copy.');
          }
        } }, 'Copy'), copied,
        h('button', { type: 'button', testid: `${prefix}-once-close`, onclick: done }, 'I have copied it')),
      extra);
  }, `${prefix}-once-dialog`).then(() => { kept = null; });
}

/** Asks before a destructive action. */
export function confirmAction(text, action = 'Confirm') {
  return dialog('Are you sure?', (close) => h('div', {},
    h('p', {}, text),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', testid: 'confirm-yes', onclick: () => close(true) }, action),
      h('button', { type: 'button', testid: 'confirm-no', onclick: () => close(false) }, 'Cancel'))), 'confirm');
}

/** A "Load more" pager over a cursor connection: `load(after)` returns `{nodes, pageInfo}`. */
export function pager(list, load, renderRows, emptyText) {
  const more = h('button', { type: 'button', testid: 'load-more', class: 'more' }, 'Load more');
  const status = h('div', {});
  const wrap = h('div', {}, list, status, more);
  more.hidden = true;
  let after = null;
  let count = 0;
  async function next() {
    more.hidden = true;
    fill(status, loading('…'));
    try {
      const page = await load(after);
      fill(status);
      count += page.nodes.length;
      renderRows(page.nodes);
      if (count === 0) fill(status, empty(emptyText));
      after = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
    } catch (err) {
      fill(status, errorBox(err));
    }
  }
  more.addEventListener('click', next);
  next();
  return wrap;
}
