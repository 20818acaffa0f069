// Compares two SDL files with GraphQL Inspector: prints every change and exits 1 when one of them
// breaks clients (a type, field, argument or enum value removed, a type changed, an argument made
// required …), 0 otherwise.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff } from '@graphql-inspector/core';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node diff.mjs OLD.graphql NEW.graphql');
  process.exit(2);
}
const load = (path) => {
  try {
    return buildSchema(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`${path} is not a valid schema: ${e.message}`);
    process.exit(1);
  }
};
const changes = await diff(load(before), load(after));
let breaking = 0;
for (const change of changes) {
  const level = change.criticality.level;
  if (level === CriticalityLevel.Breaking) breaking += 1;
  console.log(`${level.padEnd(13)} ${change.message}`);
}
console.log(`${changes.length} change(s), ${breaking} breaking`);
process.exit(breaking > 0 ? 1 : 0);
