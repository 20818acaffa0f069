// Organizations: search, create, edit, delete; per organization its plans, tokens and audit trail.

import { gql, PAGE } from './api.js';
import {
  clearFormErrors, confirmAction, dialog, empty, errorBox, field, fill, formError, h, loading, options,
  pager, showFormError,
} from './dom.js';
import { setFilters } from './router.js';
import { tokenTable } from './tokens.js';
import { auditTable } from './audit.js';

export const KINDS = ['MUNICIPALITY', 'DISTRICT', 'UNIVERSITY', 'COMPANY', 'HOSPITAL', 'AGENCY', 'NETWORK', 'OTHER'];
const ORG_FIELDS = 'id name version kind website city { id name }';
const LIST = `query Organizations($first: Int, $after: String) {
  organizations(first: $first, after: $after) { nodes { ${ORG_FIELDS} } pageInfo { hasNextPage endCursor } } }`;
// The organizations list has no text filter; the search query finds them by name.
const SEARCH = `query SearchOrganizations($text: String!, $first: Int, $after: String) {
  search(text: $text, kinds: [ORGANIZATION], first: $first, after: $after) {
    nodes { record { ... on Organization { ${ORG_FIELDS} } } } pageInfo { hasNextPage endCursor } } }`;

export function organizationsScreen({ params }) {
  const q = params.get('q') || '';
  const body = h('tbody', {});
  const search = h('input', { type: 'search', id: 'org-search', testid: 'org-search', value: q });
  const load = async (after) => {
    if (q) {
      const page = (await gql(SEARCH, { text: q, first: PAGE, after })).search;
      return { ...page, nodes: page.nodes.map((n) => n.record) };
    }
    return (await gql(LIST, { first: PAGE, after })).organizations;
  };
  const row = (o) => h('tr', { testid: 'org-row', 'data-id': o.id },
    h('td', { 'data-label': 'Name' }, h('a', { href: `#/organization/${encodeURIComponent(o.id)}`, testid: 'org-open' }, o.name)),
    h('td', { 'data-label': 'Kind' }, o.kind),
    h('td', { 'data-label': 'City' }, o.city ? o.city.name : '—'),
    h('td', { 'data-label': 'Website' }, o.website || '—'));
  const table = h('table', { class: 'list' }, h('caption', { class: 'sr-only' }, 'Organizations'),
    h('thead', {}, h('tr', {}, ['Name', 'Kind', 'City', 'Website'].map((c) => h('th', { scope: 'col' }, c)))), body);
  return h('div', {},
    h('div', { class: 'heading' }, h('h1', {}, 'Organizations'),
      h('button', { type: 'button', testid: 'org-create', onclick: async () => {
        const saved = await editOrganization(null);
        if (saved) location.hash = `#/organization/${encodeURIComponent(saved.id)}`;
      } }, 'New organization')),
    h('form', { role: 'search', class: 'filters', onsubmit: (e) => {
      e.preventDefault();
      setFilters('organizations', new URLSearchParams({ q: search.value.trim() }));
    } }, h('label', { for: 'org-search' }, 'Search by name'), search, h('button', { type: 'submit' }, 'Search')),
    pager(h('div', { class: 'scroll' }, table), load, (nodes) => body.append(...nodes.map(row)),
      q ? 'No organization matches.' : 'No organizations yet.'),
    );
}

const CITIES = `query Cities($name: String) { cities(first: 50, filter: { name: $name }) { nodes { id name country { code } } } }`;
const CREATE = `mutation Create($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`;
const UPDATE = `mutation Update($input: UpdateOrganizationInput!, $version: Int) { updateOrganization(input: $input, version: $version) { organization { id } } }`;

/** The create or edit form; resolves with the saved organization, or nothing when cancelled. */
function editOrganization(org) {
  return dialog(org ? `Edit ${org.name}` : 'New organization', (close) => {
    const city = h('select', {}, h('option', { value: '' }, '(none)'));
    if (org && org.city) city.append(h('option', { value: org.city.id, selected: true }, org.city.name));
    const cityName = h('input', { type: 'search', testid: 'field-city-search' });
    const findCities = async () => {
      try {
        const found = (await gql(CITIES, { name: cityName.value.trim() || null })).cities.nodes;
        const keepValue = city.value;
        fill(city, h('option', { value: '' }, '(none)'),
          found.map((c) => h('option', { value: c.id, selected: c.id === keepValue }, c.country ? `${c.name} (${c.country.code})` : c.name)));
      } catch (err) {
        showFormError(form, { ...err, field: 'city' });
      }
    };
    const save = h('button', { type: 'submit', testid: 'org-save' }, 'Save');
    const form = h('form', { testid: 'org-form', novalidate: true },
      field('Name', 'name', h('input', { type: 'text', required: true, value: org ? org.name : '' })),
      field('Kind', 'kind', h('select', {}, options(KINDS.map((k) => [k, k]), org ? org.kind : 'OTHER'))),
      h('div', { class: 'field' }, h('label', { for: 'city-search' }, 'Find a city by name'),
        Object.assign(cityName, { id: 'city-search' }),
        h('button', { type: 'button', onclick: findCities }, 'Find')),
      field('City', 'city', city),
      field('Website', 'website', h('input', { type: 'url', value: org && org.website ? org.website : '' })),
      formError(),
      h('div', { class: 'actions' }, save, h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    findCities();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const values = {
        name: form.elements.name.value,
        kind: form.elements.kind.value,
        city: form.elements.city.value || null,
        website: form.elements.website.value.trim() || null,
      };
      save.disabled = true;
      try {
        const saved = org
          ? (await gql(UPDATE, { input: { id: org.id, ...values }, version: org.version })).updateOrganization
          : (await gql(CREATE, { input: values })).createOrganization;
        close(saved.organization);
      } catch (err) {
        showFormError(form, err);
        save.disabled = false;
      }
    });
    return form;
  }, 'org-dialog');
}

const ONE = `query Organization($id: ID!) { organization(id: $id) {
  ${ORG_FIELDS} participations { role plan { id title status } } } }`;
const DELETE = `mutation Delete($id: ID!, $version: Int!) { deleteOrganization(id: $id, version: $version) { deletedId } }`;

export function organizationScreen({ id, refresh }) {
  const box = h('div', { testid: 'org-detail' }, loading('the organization'));
  gql(ONE, { id }).then(({ organization: o }) => {
    const status = h('div', {});
    fill(box,
      h('div', { class: 'heading' }, h('h1', {}, o.name),
        h('button', { type: 'button', testid: 'org-edit', onclick: async () => { if (await editOrganization(o)) refresh(); } }, 'Edit'),
        h('button', { type: 'button', class: 'danger', testid: 'org-delete', onclick: async () => {
          if (!(await confirmAction(`Delete "${o.name}"?`, 'Delete'))) return;
          try {
            await gql(DELETE, { id: o.id, version: o.version });
            location.hash = '#/organizations';
          } catch (err) {
            fill(status, errorBox(err));
          }
        } }, 'Delete')),
      status,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Kind'), h('dd', {}, o.kind),
        h('dt', {}, 'City'), h('dd', {}, o.city ? o.city.name : '—'),
        h('dt', {}, 'Website'), h('dd', {}, o.website || '—'),
        h('dt', {}, 'ID'), h('dd', {}, h('code', {}, o.id))),
      h('h2', {}, 'Plans and roles'),
      o.participations.length
        ? h('ul', { testid: 'org-plans' }, o.participations.map((p) => h('li', {},
          h('a', { href: `#/plans?plan=${encodeURIComponent(p.plan.id)}` }, p.plan.title), ` — ${p.role} (${p.plan.status})`)))
        : empty('Takes part in no plan.'),
      h('h2', {}, 'Tokens'),
      tokenTable(new URLSearchParams(), { refresh, fixed: { organization: o.id } }),
      h('h2', {}, 'Audit trail'),
      auditTable({ target: o.id }));
  }).catch((err) => fill(box, h('h1', {}, 'Organization'), errorBox(err)));
  return box;
}
