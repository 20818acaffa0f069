// What an EDITOR or VIEWER token may read, read-only: the token, its organizations and their plans.

import { gql } from './api.js';
import { empty, errorBox, h, time } from './dom.js';

const ME = `query MyView { me { role expiresAt organizations { id name kind participations { role plan { id title status } } } } }`;

export async function meScreen() {
  try {
    const { me } = await gql(ME);
    return h('div', { testid: 'me-view' }, h('h1', {}, 'Your access'),
      h('p', {}, `This ${me.role} token is read-only here and expires `, time(me.expiresAt), '.'),
      h('h2', {}, 'Your organizations and their plans'),
      me.organizations.length ? h('ul', {}, me.organizations.map((o) => h('li', { testid: 'org-row', 'data-id': o.id },
        h('strong', {}, o.name), ` (${o.kind})`,
        o.participations.length ? h('ul', {}, o.participations.map((p) => h('li', {}, p.plan.title, ` — ${p.role} (${p.plan.status})`))) : null)))
        : empty('This token acts for no organization.'));
  } catch (err) {
    return errorBox(err);
  }
}
