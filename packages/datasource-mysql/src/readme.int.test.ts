// The README's example is what a new user runs first: run it, against a table made from its SQL.
import { readFileSync } from 'node:fs';
import { uniqueName } from '@lynq/testkit';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import { adminConnection } from './testing/fixtures.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The body of the first fenced block of `lang` that contains `marker`. */
function block(lang: string, marker: string): string {
  for (const match of readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    if (match[1] === lang && match[2]!.includes(marker)) return match[2]!;
  }
  throw new Error(`README.md has no ${lang} block with ${marker}`);
}

/** Evaluates a JavaScript literal written in the README (our own document, not input). */
function literal(text: string): unknown {
  return new Function(`return (${text});`)();
}

const table = uniqueName('lynq_readme', '_');
let admin: mysql.Connection;

beforeAll(async () => {
  admin = await adminConnection();
  const sql = block('sql', 'CREATE TABLE tenants').replaceAll(/\btenants\b/g, table);
  for (const statement of sql.split(/;\s*\n/).filter((s) => s.trim() !== '')) {
    await admin.query(statement);
  }
});

afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${admin.escapeId(table)}`);
  await admin.end();
});

describe('README example', () => {
  it('prints the rows and problems it shows', async () => {
    const example = block('ts', 'createMysqlDatasource({');
    const code = example
      .replace(/^import .*$/m, '')
      .replace("table: 'tenants'", `table: '${table}'`);
    expect(code).toContain(table);
    // The printed values, as the comments under each console.log show them.
    const shown = [
      ...example.matchAll(/console\.log\(\w+\);(?: \/\/ (.*)|\n((?:\/\/.*\n)+))/g),
    ].map((m) => literal(m[1] ?? m[2]!.replaceAll(/^\/\/ ?/gm, '')));
    expect(shown).toHaveLength(2);
    const printed: unknown[] = [];
    const console = { log: (value: unknown) => printed.push(value) };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('createMysqlDatasource', 'console', code)(
      createMysqlDatasource,
      console,
    );
    expect(printed).toEqual(shown);
  });
});
