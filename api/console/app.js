// The admin console: sign-in, the router over the URL hash, and the screens' modules.
//
// Selectors for browser tests (stable; ids are unique, data-testid may repeat in lists):
//   #token-input / [data-testid=sign-in-token]   the token field;  [data-testid=sign-in-submit]
//   [data-testid=sign-out], [data-testid=who] (role of the signed-in token)
//   [data-testid=nav-tokens|nav-organizations|nav-plans|nav-audit|nav-operations|nav-webhooks]
//   [data-testid=error] with [data-testid=error-code] and [data-testid=error-message]: any refusal;
//     next to a form field inside its `.field-error[data-for=FIELD]`, else in `[data-for=_form]`
//   [data-testid=loading], [data-testid=empty], [data-testid=load-more]
//   Tokens: [data-testid=token-filter-*] (all, active, expiring, expired, revoked),
//     [data-testid=issue-token], form [data-testid=issue-form] with [data-testid=field-role|field-organizations|
//     field-label|field-expiresIn|field-operations] and [data-testid=issue-submit];
//     [data-testid=token-once] (the dialog), [data-testid=token-secret] (the token text, shown once),
//     [data-testid=token-copy], [data-testid=token-once-close];
//     rows tr[data-testid=token-row][data-id=ID] with [data-testid=token-revoke] and [data-testid=token-rotate];
//     [data-testid=rotate-grace], [data-testid=rotate-submit]; [data-testid=confirm-yes|confirm-no]
//   Organizations: [data-testid=org-search], [data-testid=org-create], form [data-testid=org-form]
//     (field-name, field-kind, field-city, field-website, [data-testid=org-save]),
//     rows tr[data-testid=org-row][data-id=ID] with a link [data-testid=org-open],
//     detail [data-testid=org-detail] with [data-testid=org-edit] and [data-testid=org-delete]
//   Plans: rows [data-testid=plan-row][data-id=ID], [data-testid=participant-row],
//     [data-testid=participant-remove], form [data-testid=participant-form] ([data-testid=participant-add])
//   Audit: form [data-testid=audit-filter], rows [data-testid=audit-row]
//   Operations: rows [data-testid=operation-row], form [data-testid=operation-form]
//     ([data-testid=operation-register])
//   Webhooks: [data-testid=webhook-create], form [data-testid=webhook-form] (field-organization, field-url,
//     field-eventTypes, field-plan, field-description, [data-testid=webhook-submit]); the secret once in
//     [data-testid=webhook-secret] ([data-testid=webhook-once-close]); rows [data-testid=webhook-row]
//     [data-id][data-enabled] with webhook-state, webhook-disable|webhook-enable, webhook-rotate,
//     webhook-deliveries, webhook-delete; the log's [data-testid=delivery-row][data-status] with
//     [data-testid=delivery-redeliver]; refusals in [data-testid=webhook-refused]
//   Read-only view of EDITOR and VIEWER tokens: [data-testid=me-view]

import { gql, session } from './api.js';
import { errorBox, fill, h, loading, showFormError } from './dom.js';
import { tokensScreen } from './tokens.js';
import { organizationsScreen, organizationScreen } from './organizations.js';
import { plansScreen } from './plans.js';
import { auditScreen } from './audit.js';
import { operationsScreen } from './operations.js';
import { webhooksScreen } from './webhooks.js';
import { meScreen } from './me.js';
import { route } from './router.js';

const ME = `query Me { me { tokenId role expiresAt organizations { id name } } }`;

const screens = {
  tokens: tokensScreen,
  organizations: organizationsScreen,
  organization: organizationScreen,
  plans: plansScreen,
  audit: auditScreen,
  operations: operationsScreen,
  webhooks: webhooksScreen,
};

const $ = (id) => document.getElementById(id);
let me = null;

function showSignIn(err) {
  me = null;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('screen').replaceChildren();
  $('sign-in-screen').hidden = false;
  const form = $('sign-in');
  form.reset();
  if (err) showFormError(form, { ...err, field: 'token' });
  $('token-input').focus();
}

async function signIn(token) {
  session.token = token;
  try {
    me = (await gql(ME)).me;
    if (!me) throw { code: 'UNAUTHENTICATED', message: 'This token is not accepted.' };
  } catch (err) {
    session.forget();
    showSignIn(err);
    return;
  }
  $('sign-in-screen').hidden = true;
  $('nav').hidden = me.role !== 'ADMIN';
  $('who').hidden = false;
  fill($('who-text'), `Signed in: ${me.role}`);
  render();
}

function signOut() {
  session.forget();
  me = null;
  history.replaceState(null, '', location.pathname);
  showSignIn();
}

async function render() {
  if (!me) return;
  const screen = $('screen');
  if (me.role !== 'ADMIN') {
    fill(screen, loading('your view'));
    fill(screen, await meScreen(me));
    return;
  }
  const [parts, params] = route();
  const name = parts[0] || 'tokens';
  const show = screens[name];
  for (const link of document.querySelectorAll('#nav a')) {
    const current = link.getAttribute('href') === `#/${name === 'organization' ? 'organizations' : name}`;
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (!show) {
    fill(screen, errorBox({ code: 'NOT_FOUND', message: `No screen "${name}".` }));
    return;
  }
  try {
    fill(screen, show({ params, id: parts[1], me, refresh: render }));
  } catch (err) {
    fill(screen, errorBox(err));
  }
  const heading = screen.querySelector('h1');
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

window.addEventListener('hashchange', render);
$('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('token-input').value.trim().replace(/^Bearer\s+/i, '');
  $('token-input').value = '';
  if (token) signIn(token);
});
$('sign-out').addEventListener('click', signOut);

if (session.token) signIn(session.token); else showSignIn();
