// Webhooks: endpoints per organization (register with the secret shown once, rotate the secret
// with an overlap, disable/enable, delete) and each endpoint's delivery log with redelivery.

import { allNodes, gql, PAGE } from './api.js';
import {
  clearFormErrors, confirmAction, dialog, errorBox, field, formError, h, pager, secretOnce,
  showFormError, time,
} from './dom.js';

const FIELDS = `id url description eventTypes enabled disabledReason previousSecretExpiresAt createdAt
  organization { id name } plan { id title }`;
const LIST = `query Hooks($first: Int, $after: String) { webhookEndpoints(first: $first, after: $after) {
  nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;
const ORGS = `query Orgs($after: String) { organizations(first: 100, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }`;
const PLANS = `query Plans($after: String) { plans(first: 100, after: $after) { nodes { id title } pageInfo { hasNextPage endCursor } } }`;
const TYPES = `query Types { webhookEventTypes }`;
const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`;
const ROTATE = `mutation Rotate($id: ID!, $overlap: Int) { rotateWebhookSecret(id: $id, overlapSeconds: $overlap) { secret endpoint { id previousSecretExpiresAt } } }`;
const DISABLE = `mutation Disable($id: ID!, $reason: String!) { disableWebhookEndpoint(id: $id, reason: $reason) { endpoint { id } } }`;
const ENABLE = `mutation Enable($id: ID!) { enableWebhookEndpoint(id: $id) { endpoint { id } } }`;
const DELETE = `mutation Delete($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedId } }`;
const DELIVERIES = `query Deliveries($id: ID!, $last: Int, $before: String) { webhookEndpoint(id: $id) {
  deliveries(last: $last, before: $before) { nodes { id webhookId status attemptCount nextAttemptAt createdAt
  finishedAt lastError attempts { attempt at statusCode latencyMs error } }
  pageInfo: pageInfo { hasNextPage: hasPreviousPage endCursor: startCursor } } } }`;
const REDELIVER = `mutation Redeliver($id: ID!) { redeliverWebhook(id: $id) { delivery { id status } } }`;

export function webhooksScreen({ refresh }) {
  const list = h('div', {});
  const load = async (after) => (await gql(LIST, { first: PAGE, after })).webhookEndpoints;
  const register = h('button', { type: 'button', testid: 'webhook-create', onclick: () => create(refresh) },
    'Register an endpoint');
  return h('div', {}, h('h1', {}, 'Webhooks ', register),
    pager(list, load, (nodes) => list.append(...nodes.map((e) => row(e, refresh))), 'No webhook endpoints.'));
}

function row(e, refresh) {
  const act = (label, testid, run, danger = false) => h('button', {
    type: 'button', testid, class: danger ? 'danger' : null, onclick: () => attempt(label, run, refresh),
  }, label);
  const log = h('div', { testid: 'webhook-log' });
  return h('article', { class: 'card', testid: 'webhook-row', 'data-id': e.id, 'data-enabled': String(e.enabled) },
    h('h2', {}, e.url),
    h('p', {}, 'For ', e.organization ? e.organization.name : '(deleted organization)',
      e.plan ? ` · plan ${e.plan.title}` : ' · every plan it may read',
      ' · events: ', e.eventTypes.length ? e.eventTypes.join(', ') : 'all'),
    e.description ? h('p', {}, e.description) : null,
    h('p', { testid: 'webhook-state' }, e.enabled ? 'Enabled' : `Disabled: ${e.disabledReason || 'no reason given'}`,
      e.previousSecretExpiresAt ? h('span', {}, ' · the previous secret also signs until ', time(e.previousSecretExpiresAt)) : null),
    h('div', { class: 'actions' },
      e.enabled
        ? act('Disable', 'webhook-disable', async () => {
          const reason = await ask('Disable the endpoint', 'Reason (shown to admins)');
          return reason && gql(DISABLE, { id: e.id, reason });
        })
        : act('Enable', 'webhook-enable', () => gql(ENABLE, { id: e.id })),
      act('Rotate secret', 'webhook-rotate', () => rotate(e)),
      h('button', { type: 'button', testid: 'webhook-deliveries', onclick: () => deliveries(e, log) }, 'Delivery log'),
      act('Delete', 'webhook-delete', async () => (await confirmAction(`Delete the endpoint ${e.url}? Its delivery log goes with it.`, 'Delete'))
        && gql(DELETE, { id: e.id }), true)),
    log);
}

/** Runs an action; refreshes on success, shows the API's refusal otherwise. */
async function attempt(label, run, refresh) {
  try {
    if (await run()) refresh();
  } catch (err) {
    await dialog(`${label}: refused`, (close) => h('div', {}, errorBox(err),
      h('button', { type: 'button', onclick: () => close() }, 'Close')), 'webhook-refused');
  }
}

/** Asks for one line of text; null when cancelled. */
function ask(title, label) {
  return dialog(title, (close) => {
    const input = h('input', { type: 'text', required: true, maxlength: 500 });
    const form = h('form', { testid: 'ask-form' }, field(label, 'reason', input),
      h('div', { class: 'actions' }, h('button', { type: 'submit', testid: 'ask-submit' }, 'OK'),
        h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); close(input.value.trim() || null); });
    return form;
  }, 'ask');
}

async function rotate(e) {
  const hours = await ask('Rotate the signing secret', 'Hours the old secret keeps signing too (0 to 168)');
  if (hours === null) return false;
  const rotated = (await gql(ROTATE, { id: e.id, overlap: Math.round(Number(hours) * 3600) })).rotateWebhookSecret;
  await showSecret(rotated.secret);
  return true;
}

function showSecret(secret) {
  return secretOnce({
    title: 'Copy the signing secret now',
    warning: 'This is the only time the secret is shown. The receiver verifies every delivery with it (Standard Webhooks); it cannot be shown again.',
    secret,
    prefix: 'webhook',
  });
}

async function create(refresh) {
  const created = await dialog('Register a webhook endpoint', (close) => {
    const orgs = h('select', { required: true });
    const plans = h('select', {}, h('option', { value: '' }, 'Every plan the organization may read'));
    const types = h('select', { multiple: true, size: 6 });
    const submit = h('button', { type: 'submit', testid: 'webhook-submit' }, 'Register');
    const form = h('form', { testid: 'webhook-form', novalidate: true },
      field('Organization (whose view of the data it receives)', 'organization', orgs),
      field('URL', 'url', h('input', { type: 'url', required: true, placeholder: 'https://partner.example/ucap-hooks' })),
      field('Event types (none chosen: every event)', 'eventTypes', types, 'Ctrl/Cmd or Shift to choose several.'),
      field('Plan', 'plan', plans),
      field('Description', 'description', h('input', { type: 'text', maxlength: 500 })),
      formError(),
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    allNodes(ORGS, 'organizations').then((nodes) => orgs.append(...nodes.map((o) => h('option', { value: o.id }, o.name))))
      .catch((err) => showFormError(form, { ...err, field: 'organization' }));
    allNodes(PLANS, 'plans').then((nodes) => plans.append(...nodes.map((p) => h('option', { value: p.id }, p.title))))
      .catch((err) => showFormError(form, { ...err, field: 'plan' }));
    gql(TYPES).then((d) => types.append(...d.webhookEventTypes.map((t) => h('option', { value: t }, t))))
      .catch((err) => showFormError(form, { ...err, field: 'eventTypes' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form);
      const input = {
        organization: orgs.value,
        url: form.elements.url.value,
        eventTypes: [...types.selectedOptions].map((o) => o.value),
        plan: plans.value || null,
        description: form.elements.description.value || null,
      };
      submit.disabled = true;
      try {
        close((await gql(CREATE, { input })).createWebhookEndpoint);
      } catch (err) {
        showFormError(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }, 'webhook-dialog');
  if (created) {
    await showSecret(created.secret);
    refresh();
  }
}

/** The endpoint's deliveries, newest first, each with its attempts; failed ones can be sent again. */
function deliveries(e, into) {
  const list = h('div', {});
  const load = async (before) => {
    const page = (await gql(DELIVERIES, { id: e.id, last: PAGE, before })).webhookEndpoint.deliveries;
    return { nodes: [...page.nodes].reverse(), pageInfo: page.pageInfo };
  };
  const render = (d) => h('details', { testid: 'delivery-row', 'data-status': d.status },
    h('summary', {}, `${d.status} · ${d.attemptCount} attempt(s) · queued `, time(d.createdAt),
      d.lastError ? ` · ${d.lastError}` : ''),
    h('p', {}, 'webhook-id ', h('code', {}, d.webhookId)),
    h('ul', {}, ...d.attempts.map((a) => h('li', {}, `#${a.attempt} `, time(a.at),
      ` · ${a.statusCode ?? 'no answer'} · ${a.latencyMs} ms`, a.error ? ` · ${a.error}` : ''))),
    h('button', { type: 'button', testid: 'delivery-redeliver', onclick: async () => {
      try {
        await gql(REDELIVER, { id: d.id });
        deliveries(e, into);
      } catch (err) {
        into.prepend(errorBox(err));
      }
    } }, 'Send again'));
  into.replaceChildren(h('h3', {}, 'Delivery log (newest first)'),
    pager(list, load, (nodes) => list.append(...nodes.map(render)), 'No deliveries yet.'));
}
