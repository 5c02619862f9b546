// Bundles the browser UI (src/ui) with esbuild into dist/public: index.html, assets/app.js,
// assets/app.css. `--dev` adds a source map and skips minification.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'public');
const dev = process.argv.includes('--dev');
const started = Date.now();
// From scratch: a source map of an earlier --dev build must not ship with a production bundle.
await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src/ui/main.tsx')],
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  outfile: join(out, 'assets', 'app.js'),
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: !dev,
  sourcemap: dev,
  metafile: true,
  logLevel: 'warning',
});
await copyFile(join(root, 'src/ui/index.html'), join(out, 'index.html'));
await copyFile(join(root, 'src/ui/app.css'), join(out, 'assets', 'app.css'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `dashboard UI built in ${Date.now() - started} ms (${Math.round(bytes / 1024)} KiB js${dev ? ', dev' : ''})`,
);
