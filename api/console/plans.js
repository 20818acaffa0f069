// Plans and their participants: add or remove an organization with a role.

import { allNodes, gql, PAGE } from './api.js';
import { confirmAction, errorBox, field, fill, formError, h, options, pager, showFormError, clearFormErrors } from './dom.js';
import { setFilters } from './router.js';

const ROLES = ['FOCAL', 'PARTNER', 'STAKEHOLDER', 'FUNDER', 'PROGRAMME_TEAM'];
const PLANS = `query Plans($first: Int, $after: String, $filter: PlanFilter) {
  plans(first: $first, after: $after, filter: $filter) {
    nodes { id title status focalCity { name } participants { role organization { id name } } }
    pageInfo { hasNextPage endCursor } } }`;
const ONE = `query Plan($id: ID!) { plan(id: $id) {
  id title status focalCity { name } participants { role organization { id name } } } }`;
const ORGS = `query Orgs($after: String) { organizations(first: 100, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }`;
const ADD = `mutation Add($input: PlanParticipantInput!) { addPlanParticipant(input: $input) { plan { id } } }`;
const REMOVE = `mutation Remove($plan: ID!, $organization: ID!) { removePlanParticipant(plan: $plan, organization: $organization) { plan { id } } }`;

export function plansScreen({ params, refresh }) {
  const status = params.get('status') || '';
  // `?plan=ID` (a link from an organization's page) shows that plan alone.
  const only = params.get('plan');
  const list = h('div', { class: 'cards' });
  const orgs = allNodes(ORGS, 'organizations');
  const load = async (after) => {
    if (only) {
      return { nodes: [(await gql(ONE, { id: only })).plan], pageInfo: { hasNextPage: false } };
    }
    return (await gql(PLANS, { first: PAGE, after, filter: status ? { status } : null })).plans;
  };
  const statusSelect = h('select', { id: 'plan-status', testid: 'plan-filter-status', onchange: (e) => {
    setFilters('plans', new URLSearchParams({ status: e.target.value }));
  } }, options([['', 'any'], ['DRAFT', 'draft'], ['PUBLISHED', 'published']], status));
  const card = (p) => {
    const msg = h('div', {});
    const participants = h('ul', { class: 'participants' }, p.participants.map((x) => h('li', { testid: 'participant-row', 'data-id': x.organization.id },
      h('span', {}, x.organization.name), ` — ${x.role} `,
      h('button', { type: 'button', class: 'danger small', testid: 'participant-remove', 'aria-label': `Remove ${x.organization.name} from ${p.title}`, onclick: async () => {
        if (!(await confirmAction(`Remove "${x.organization.name}" from "${p.title}"?`, 'Remove'))) return;
        try {
          await gql(REMOVE, { plan: p.id, organization: x.organization.id });
          refresh();
        } catch (err) {
          fill(msg, errorBox(err));
        }
      } }, 'Remove'))));
    const orgSelect = h('select', { required: true }, h('option', { value: '' }, '(choose)'));
    orgs.then((all) => orgSelect.append(...all.map((o) => h('option', { value: o.id }, o.name)))).catch((err) => fill(msg, errorBox(err)));
    const add = h('form', { class: 'inline-form', testid: 'participant-form', novalidate: true },
      field('Organization', 'organization', orgSelect),
      field('Role', 'role', h('select', {}, options(ROLES.map((r) => [r, r]), 'PARTNER'))),
      formError(),
      h('button', { type: 'submit', testid: 'participant-add' }, 'Add'));
    add.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(add);
      try {
        await gql(ADD, { input: { plan: p.id, organization: orgSelect.value, role: add.elements.role.value } });
        refresh();
      } catch (err) {
        showFormError(add, err);
      }
    });
    return h('article', { class: 'card', testid: 'plan-row', 'data-id': p.id, id: `plan-${p.id}` },
      h('h2', {}, p.title),
      h('p', {}, h('span', { class: `badge ${p.status.toLowerCase()}` }, p.status), ' · focal city: ', p.focalCity ? p.focalCity.name : '—'),
      h('h3', {}, 'Participants'),
      p.participants.length ? participants : h('p', { class: 'empty' }, 'No participants.'),
      msg, add);
  };
  return h('div', {}, h('h1', {}, 'Plans and participants'),
    only
      ? h('p', {}, h('a', { href: '#/plans' }, 'All plans'))
      : h('div', { class: 'field inline' }, h('label', { for: 'plan-status' }, 'Status'), statusSelect),
    pager(list, load, (nodes) => list.append(...nodes.map(card)), 'No plans.'));
}
