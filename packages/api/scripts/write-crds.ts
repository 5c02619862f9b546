// Writes deploy/crds/*.yaml from the schemas: `npm run generate:crds -w @lynq/api`.
//
// A script, outside src/: it is never compiled into dist, so nothing a user imports from
// @lynq/api writes a file (generate.ts only returns the texts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from '../src/crd/generate.js';

const CRD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../deploy/crds');

mkdirSync(CRD_DIR, { recursive: true });
for (const { fileName, text } of renderCrdFiles()) {
  writeFileSync(join(CRD_DIR, fileName), text);
  console.log(`wrote deploy/crds/${fileName}`);
}
