// `npm run schema:print` writes schema/schema.graphql from the Pothos schema; `npm run schema:check` fails
// when the committed file differs, so the contract that clients code against never drifts unnoticed.
import fs from 'node:fs';
import path from 'node:path';
import { printedSchema } from '../graphql/schema.ts';

const file = path.resolve(import.meta.dirname, '../../schema/schema.graphql');
const printed = printedSchema();

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== printed) {
    console.error('schema/schema.graphql is out of date: run `npm run schema:print` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql matches the code.');
} else {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, printed);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}
