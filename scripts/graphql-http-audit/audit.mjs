// Runs the graphql-http audit suite (GraphQL over HTTP spec conformance) against a running server.
// Usage: node audit.mjs http://127.0.0.1:18089/graphql
// Prints every result; exits 1 when a MUST fails (status "error"), 2 when the audit cannot run.
// Failed SHOULDs ("warn") and MAYs ("notice") are printed but do not fail.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

let results;
try {
  results = await auditServer({ url });
} catch (err) {
  console.error(`audit could not run against ${url}: ${err?.stack ?? err}`);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`       reason: ${result.reason}`);
    const res = result.response;
    if (res) {
      const body = await res.text().catch(() => '<unreadable>');
      console.log(`       response: ${res.status} ${res.headers.get('content-type') ?? '-'} ${body.slice(0, 300)}`);
    }
  }
}

console.log(
  `\ngraphql-http audit of ${url}: ${results.length} audits, ` +
    `${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`,
);
process.exit(counts.error > 0 ? 1 : 0);
