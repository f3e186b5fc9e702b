#!/usr/bin/env node
// The `tempo` command. The TypeScript sources are compiled to build/ by `npm run build:node`
// (run by npm install through the "prepare" script).
import { readFileSync, existsSync } from 'node:fs';

const entry = new URL('../build/src-main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tempo: not built yet: run `npm run build:node` in the project folder\n');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2), version);
