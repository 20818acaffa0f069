// The console's only way to the server: GraphQL at /graphql with the pasted bearer token.

const KEY = 'ucap.token';

/** The token, in this tab's session storage (never a cookie, a URL or a log). */
export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(value) { sessionStorage.setItem(KEY, value); },
  forget() { sessionStorage.removeItem(KEY); },
};

/** A refused request: the API's message, `extensions.code` and, for bad input, `extensions.field`. */
export class ApiError extends Error {
  constructor(message, code, field) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** Runs one operation; returns `data` or throws the first error as an ApiError. */
export async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch('/graphql', {
      method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'omit', cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(`The server cannot be reached (${e.message}).`, 'NETWORK');
  }
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: reported below */ }
  const first = body && body.errors && body.errors[0];
  if (first) {
    const ext = first.extensions || {};
    throw new ApiError(first.message, ext.code, ext.field);
  }
  if (!res.ok || !body) throw new ApiError(`The server answered ${res.status}.`, `HTTP_${res.status}`);
  return body.data;
}

export const PAGE = 20;

/**
 * Every node of a connection, page by page (100 at a time, at most 50 pages): for pickers that
 * must offer every organization or operation, not only the first page. `query` takes `$after`
 * and selects `nodes` and `pageInfo { hasNextPage endCursor }` of the connection at `field`.
 */
export async function allNodes(query, field, variables = {}) {
  const nodes = [];
  let after = null;
  for (let page = 0; page < 50; page += 1) {
    const connection = (await gql(query, { ...variables, after }))[field];
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return nodes;
}
export const ROLES = ['ADMIN', 'EDITOR', 'VIEWER'];
