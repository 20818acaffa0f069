// The audit log: filter by action, actor token, target and time range; each change readable.

import { gql, PAGE } from './api.js';
import { field, h, pager, time } from './dom.js';
import { setFilters } from './router.js';

const AUDIT = `query Audit($first: Int, $after: String, $filter: AuditFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    nodes { id at actor actorToken action targetKind target changes { field before after } detail }
    pageInfo { hasNextPage endCursor } } }`;

const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v, null, 1));

/** The entries matching `filter` (an AuditFilter), newest first. */
export function auditTable(filter) {
  const list = h('ol', { class: 'audit', testid: 'audit-list' });
  const load = async (after) => (await gql(AUDIT, { first: PAGE, after, filter })).auditLog;
  const entry = (e) => h('li', { testid: 'audit-row', 'data-id': e.id },
    h('p', { class: 'audit-head' }, time(e.at), ' ', h('strong', {}, e.action), ` by ${e.actor}`,
      ` on ${e.targetKind}`, e.target ? ` ${e.target}` : ''),
    e.changes.length ? h('table', { class: 'changes' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
      h('tbody', {}, e.changes.map((c) => h('tr', {}, h('td', {}, c.field),
        h('td', {}, h('pre', {}, show(c.before))), h('td', {}, h('pre', {}, show(c.after))))))) : null,
    e.detail && Object.keys(e.detail).length ? h('details', {}, h('summary', {}, 'Detail'), h('pre', {}, show(e.detail))) : null);
  return pager(list, load, (nodes) => list.append(...nodes.map(entry)), 'No entries.');
}

/** A `datetime-local` value as the API's DateTime (the browser's time zone). */
const iso = (local) => (local ? new Date(local).toISOString() : null);

export function auditScreen({ params }) {
  const names = [['action', 'Action (e.g. TOKEN_ISSUED)', 'text'], ['actorToken', 'Actor token ID', 'text'],
    ['target', 'Target ID', 'text'], ['since', 'Since', 'datetime-local'], ['until', 'Until', 'datetime-local']];
  const form = h('form', { class: 'filters', testid: 'audit-filter' },
    names.map(([name, label, type]) => field(label, name, h('input', { type, value: params.get(name) || '' }))),
    h('button', { type: 'submit', testid: 'audit-apply' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setFilters('audit', new URLSearchParams(names.map(([n]) => [n, form.elements[n].value.trim()])));
  });
  const filter = {};
  for (const [name] of names) {
    const v = params.get(name);
    if (v) filter[name] = name === 'since' || name === 'until' ? iso(v) : v;
  }
  return h('div', {}, h('h1', {}, 'Audit log'), form, auditTable(filter));
}
