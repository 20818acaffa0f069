// Tokens: list with status filters, issue (shown once), revoke, rotate with a grace period.

import { allNodes, gql, PAGE, ROLES } from './api.js';
import {
  clearFormErrors, confirmAction, dialog, errorBox, field, formError, h, options, pager,
  secretOnce, showFormError, time,
} from './dom.js';
import { setFilters } from './router.js';

const FIELDS = `id label role organizations { id name } issuedBy createdAt expiresAt lastUsedAt
  revokedAt active replacedBy allowedOperations { sha256 name }`;

const TOKENS = `query Tokens($first: Int, $after: String, $filter: TokenFilter) {
  tokens(first: $first, after: $after, filter: $filter) {
    nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } totalCount } }`;

const STATUSES = [
  ['all', 'All'], ['active', 'Active'], ['expiring', 'Expiring in 7 days'],
  ['expired', 'Expired'], ['revoked', 'Revoked'],
];
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** What a token's record says about it now. */
export function statusOf(t, now = Date.now()) {
  const revokedAt = t.revokedAt && Date.parse(t.revokedAt);
  if (revokedAt && revokedAt <= now) return 'revoked';
  if (Date.parse(t.expiresAt) <= now) return 'expired';
  if (revokedAt) return 'grace';
  if (Date.parse(t.expiresAt) - now <= WEEK_MS) return 'expiring';
  return 'active';
}

function apiFilter(params) {
  const status = params.get('status') || 'all';
  const filter = {};
  if (status !== 'all') filter.status = status.toUpperCase();
  if (params.get('role')) filter.role = params.get('role');
  if (params.get('organization')) filter.organization = params.get('organization');
  return filter;
}

/** The token list; `fixed` filters (an organization's page) are not shown as controls. */
export function tokenTable(params, { refresh, fixed = {} } = {}) {
  const body = h('tbody', {});
  const table = h('table', { class: 'list', testid: 'token-table' },
    h('caption', { class: 'sr-only' }, 'Tokens'),
    h('thead', {}, h('tr', {}, ['Label', 'Role', 'Organizations', 'Status', 'Issued by', 'Created',
      'Expires', 'Last used', 'Replaced by', 'Allowed operations', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  const load = async (after) => {
    const data = await gql(TOKENS, { first: PAGE, after, filter: { ...apiFilter(params), ...fixed } });
    return data.tokens;
  };
  const row = (t) => {
    const s = statusOf(t);
    const actions = h('td', { class: 'actions' });
    if (s !== 'revoked' && s !== 'expired') {
      actions.append(
        h('button', { type: 'button', testid: 'token-rotate', onclick: () => rotate(t, refresh) }, 'Rotate'),
        h('button', { type: 'button', class: 'danger', testid: 'token-revoke', onclick: () => revoke(t, refresh) }, 'Revoke'));
    }
    return h('tr', { testid: 'token-row', 'data-id': t.id, 'data-status': s },
      h('td', { 'data-label': 'Label' }, t.label),
      h('td', { 'data-label': 'Role' }, t.role),
      h('td', { 'data-label': 'Organizations' }, t.organizations.map((o) => o.name).join(', ') || '—'),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${s}` },
        s === 'grace' ? 'active until ' : s, s === 'grace' ? time(t.revokedAt) : null)),
      h('td', { 'data-label': 'Issued by' }, t.issuedBy),
      h('td', { 'data-label': 'Created' }, time(t.createdAt)),
      h('td', { 'data-label': 'Expires' }, time(t.expiresAt)),
      h('td', { 'data-label': 'Last used' }, time(t.lastUsedAt)),
      h('td', { 'data-label': 'Replaced by' }, t.replacedBy || '—'),
      h('td', { 'data-label': 'Allowed operations' },
        t.allowedOperations.length ? t.allowedOperations.map((o) => o.name).join(', ') : 'any'),
      actions);
  };
  return pager(h('div', { class: 'scroll' }, table), load, (nodes) => body.append(...nodes.map(row)), 'No tokens match.');
}

export function tokensScreen({ params, refresh }) {
  const status = params.get('status') || 'all';
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Status' },
    STATUSES.map(([value, label]) => h('a', {
      href: `#/tokens${value === 'all' ? '' : `?status=${value}`}`,
      class: 'chip', testid: `token-filter-${value}`, 'aria-current': value === status ? 'true' : null,
    }, label)));
  const roleSelect = h('select', { testid: 'token-filter-role', onchange: (e) => {
    const p = new URLSearchParams(params); p.set('role', e.target.value); setFilters('tokens', p);
  } }, options([['', 'any role'], ...ROLES.map((r) => [r, r])], params.get('role') || ''));
  return h('div', {},
    h('div', { class: 'heading' }, h('h1', {}, 'Tokens'),
      h('button', { type: 'button', id: 'issue-token', testid: 'issue-token', onclick: () => issue(refresh) }, 'Issue a token')),
    filters,
    h('div', { class: 'field inline' }, h('label', { for: 'token-role-filter' }, 'Role'), Object.assign(roleSelect, { id: 'token-role-filter' })),
    tokenTable(params, { refresh }));
}

const ORGS = `query Orgs($after: String) { organizations(first: 100, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }`;
const OPS = `query Ops($after: String) { persistedOperations(first: 100, after: $after) { nodes { sha256 name } pageInfo { hasNextPage endCursor } } }`;
const ISSUE = `mutation Issue($input: IssueTokenInput!) { issueToken(input: $input) { token record { ${FIELDS} } } }`;

async function issue(refresh) {
  const shown = await dialog('Issue a token', (close) => {
    const orgs = h('select', { multiple: true, size: 5 });
    const ops = h('select', { multiple: true, size: 4 });
    const submit = h('button', { type: 'submit', testid: 'issue-submit' }, 'Issue');
    const form = h('form', { testid: 'issue-form', novalidate: true },
      field('Role', 'role', h('select', {}, options(ROLES.map((r) => [r, r]), 'VIEWER'))),
      field('Organizations (the first is the main one)', 'organization', orgs, 'Ctrl/Cmd or Shift to choose several; optional for ADMIN.'),
      field('Label', 'label', h('input', { type: 'text', required: true, maxlength: 200 }), 'What the token is for.'),
      field('Lifetime in days', 'expiresIn', h('input', { type: 'number', min: 1, value: 30, required: true })),
      field('Allowed operations (optional)', 'operations', ops, 'Restricts the token to these persisted operations.'),
      formError(),
      h('div', { class: 'actions' }, submit,
        h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    orgs.dataset.testid = 'field-organizations';
    allNodes(ORGS, 'organizations').then((nodes) => orgs.append(...nodes.map((o) => h('option', { value: o.id }, o.name))))
      .catch((err) => showFormError(form, { ...err, field: 'organization' }));
    allNodes(OPS, 'persistedOperations').then((nodes) => ops.append(...nodes.map((o) => h('option', { value: o.sha256 }, o.name))))
      .catch((err) => showFormError(form, { ...err, field: 'operations' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const chosen = [...orgs.selectedOptions].map((o) => o.value);
      const days = Number(form.elements.expiresIn.value);
      const input = {
        role: form.elements.role.value,
        label: form.elements.label.value,
        expiresIn: Math.round(days * 86400),
        organization: chosen[0] || null,
        alsoOrganizations: chosen.slice(1),
        operations: [...ops.selectedOptions].map((o) => o.value),
      };
      submit.disabled = true;
      try {
        close((await gql(ISSUE, { input })).issueToken);
      } catch (err) {
        showFormError(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }, 'issue-dialog');
  if (shown) {
    await showOnce(shown, null);
    refresh();
  }
}

/** The new token's secret, once (with the old token beside it after a rotation). */
function showOnce(issued, old) {
  const secret = issued.token;
  issued.token = null;
  return secretOnce({
    title: 'Copy the token now',
    warning: 'This is the only time the token is shown. Copy it now and hand it over safely; it cannot be shown again.',
    secret,
    prefix: 'token',
    extra: old ? h('div', { class: 'side-by-side', testid: 'rotation' },
      h('div', {}, h('h3', {}, 'Old token'), h('p', {}, old.label), h('p', {}, 'Accepted until ', time(old.revokedAt))),
      h('div', {}, h('h3', {}, 'New token'), h('p', {}, issued.record.label), h('p', {}, 'Expires ', time(issued.record.expiresAt)))) : null,
  });
}

const REVOKE = `mutation Revoke($id: ID!) { revokeToken(id: $id) { record { id revokedAt } } }`;
const ROTATE = `mutation Rotate($id: ID!, $grace: Int!) { rotateToken(id: $id, grace: $grace) { token record { ${FIELDS} } replaces { ${FIELDS} } } }`;

async function revoke(t, refresh) {
  if (!(await confirmAction(`Revoke "${t.label}"? Clients using it are refused from now on.`, 'Revoke'))) return;
  try {
    await gql(REVOKE, { id: t.id });
    refresh();
  } catch (err) {
    await dialog('Not revoked', (close) => h('div', {}, errorBox(err),
      h('button', { type: 'button', onclick: () => close() }, 'Close')));
  }
}

async function rotate(t, refresh) {
  const result = await dialog(`Rotate "${t.label}"`, (close) => {
    const submit = h('button', { type: 'submit', testid: 'rotate-submit' }, 'Rotate');
    const grace = h('input', { type: 'number', min: 0, value: 60, required: true, testid: 'rotate-grace' });
    const form = h('form', { testid: 'rotate-form' },
      h('p', {}, 'A successor is issued with the same role, organizations, label and lifetime; the old token stays accepted during the grace period.'),
      field('Grace period in minutes', 'grace', grace),
      formError(),
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const rotated = (await gql(ROTATE, { id: t.id, grace: Math.round(Number(grace.value) * 60) })).rotateToken;
        close(rotated);
      } catch (err) {
        showFormError(form, err);
        submit.disabled = false;
      }
    });
    return form;
  }, 'rotate-dialog');
  if (!result) return;
  // The old token stays accepted until the grace period ends (as the server set it); both are
  // shown side by side.
  await showOnce(result, result.replaces || t);
  refresh();
}
