// GraphiQL on ucap's own origin: queries go to /graphql and subscriptions to /graphql/ws, both
// with the headers typed into GraphiQL's header editor (e.g. {"Authorization": "Bearer …"}), so
// what a page shows follows that token. Over the WebSocket the headers travel as the
// connection_init payload, which is where /graphql/ws reads a token; one connection per distinct
// set of headers.
(function start() {
  'use strict';
  // What the page's Content-Security-Policy refused, for whoever debugs a blank editor (and the
  // browser test, which expects none).
  window.ucapRefused = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.ucapRefused.push(`${e.effectiveDirective} ${e.blockedURI}`);
    console.warn('refused by the Content-Security-Policy:', e.effectiveDirective, e.blockedURI);
  });
  const url = new URL('/graphql', window.location.href).href;
  const ws = new URL('/graphql/ws', window.location.href);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetchers = new Map();
  function fetcherFor(headers) {
    const key = JSON.stringify(headers || {});
    if (!fetchers.has(key)) {
      fetchers.set(key, GraphiQL.createFetcher({
        url,
        wsClient: graphqlWs.createClient({ url: ws.href, connectionParams: headers || {}, lazy: true }),
      }));
    }
    return fetchers.get(key);
  }
  const fetcher = (params, options) => fetcherFor(options && options.headers)(params, options);
  const defaultQuery = [
    '# ucap: Urban Cooperation Action Plans. Public data needs no token; to act as a token, add',
    '# {"Authorization": "Bearer <token>"} under Headers below. The schema is also at /schema.graphql.',
    '{',
    '  plans(first: 5) {',
    '    totalCount',
    '    nodes { title status focalCity { name country { name } } }',
    '  }',
    '}',
    '',
  ].join('\n');
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
  }));
}());
