// Writes deploy/crds/*.yaml from the schemas: `npm run generate:crds -w @lynq/api`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './generate.js';

export const CRD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../deploy/crds');

mkdirSync(CRD_DIR, { recursive: true });
for (const { fileName, text } of renderCrdFiles()) {
  writeFileSync(join(CRD_DIR, fileName), text);
  console.log(`wrote deploy/crds/${fileName}`);
}
