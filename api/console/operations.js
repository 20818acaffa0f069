// Persisted operations: list, register and remove; which tokens are restricted to which. The API
// refuses to remove one that a usable token is restricted to, and the console shows why.

import { allNodes, gql, PAGE } from './api.js';
import {
  clearFormErrors, confirmAction, dialog, errorBox, field, formError, h, pager, showFormError, time,
} from './dom.js';

const OPS = `query Ops($first: Int, $after: String) { persistedOperations(first: $first, after: $after) {
  nodes { sha256 name document createdAt } pageInfo { hasNextPage endCursor } } }`;
const RESTRICTED = `query Restricted($after: String) { tokens(first: 100, after: $after, filter: { active: true }) { nodes { id label allowedOperations { sha256 } } pageInfo { hasNextPage endCursor } } }`;
const REMOVE = `mutation Remove($sha256: String!) { removePersistedOperation(sha256: $sha256) { sha256 } }`;
const REGISTER = `mutation Register($input: RegisterPersistedOperationInput!) { registerPersistedOperation(input: $input) { sha256 } }`;

export function operationsScreen({ refresh }) {
  const list = h('div', {});
  const byOperation = allNodes(RESTRICTED, 'tokens').then((tokens) => {
    const map = new Map();
    for (const t of tokens) for (const o of t.allowedOperations) map.set(o.sha256, [...(map.get(o.sha256) || []), t.label]);
    return map;
  }).catch(() => new Map());
  const load = async (after) => (await gql(OPS, { first: PAGE, after })).persistedOperations;
  const row = (o) => {
    const users = h('span', {}, '…');
    byOperation.then((m) => users.replaceChildren((m.get(o.sha256) || []).join(', ') || 'no active token restricted to it'));
    return h('article', { class: 'card', testid: 'operation-row', 'data-id': o.sha256 },
      h('h2', {}, o.name), h('p', {}, 'sha256 ', h('code', {}, o.sha256), ' · registered ', time(o.createdAt)),
      h('p', {}, 'Tokens restricted to it: ', users),
      h('details', {}, h('summary', {}, 'Document'), h('pre', {}, o.document)),
      h('div', { class: 'actions' }, h('button', {
        type: 'button', class: 'danger', testid: 'operation-remove', onclick: () => remove(o, refresh),
      }, 'Remove')));
  };
  const submit = h('button', { type: 'submit', testid: 'operation-register' }, 'Register');
  const form = h('form', { testid: 'operation-form', novalidate: true },
    field('Name', 'name', h('input', { type: 'text', required: true })),
    field('Document', 'document', h('textarea', { rows: 6, required: true, spellcheck: 'false' })),
    formError(), submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    try {
      await gql(REGISTER, { input: { name: form.elements.name.value, document: form.elements.document.value } });
      refresh();
    } catch (err) {
      showFormError(form, err);
    }
  });
  return h('div', {}, h('h1', {}, 'Persisted operations'),
    h('details', { class: 'register' }, h('summary', {}, 'Register an operation'), form),
    pager(list, load, (nodes) => list.append(...nodes.map(row)), 'No persisted operations.'));
}

async function remove(o, refresh) {
  if (!(await confirmAction(`Remove "${o.name}"? Clients can no longer run it by its hash.`, 'Remove'))) return;
  try {
    await gql(REMOVE, { sha256: o.sha256 });
    refresh();
  } catch (err) {
    await dialog('Not removed', (close) => h('div', {}, errorBox(err),
      h('button', { type: 'button', onclick: () => close() }, 'Close')), 'remove-refused');
  }
}
