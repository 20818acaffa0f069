// The URL hash is the console's state: `#/tokens?status=active` is a screen and its filters.

/** The route and its filters: `#/tokens?status=active` → [['tokens'], URLSearchParams]. */
export function route() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return [path.split('/').filter(Boolean).map(decodeURIComponent), new URLSearchParams(query || '')];
}

/** Keeps a screen's filters in the URL (and so in history and bookmarks). */
export function setFilters(name, params) {
  for (const [k, v] of [...params]) if (!v) params.delete(k);
  const q = params.toString();
  location.hash = `#/${name}${q ? `?${q}` : ''}`;
}
