// The demo's rows: a table of tenants in the local MariaDB (the one manifests/hub.yaml reads).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export const DATABASE_URL = 'mysql://root@127.0.0.1:3306/test';
export const TABLE = 'lynq_demo_tenants';

/** The first rows, also usable offline: `npm run lynq -- render ... --rows apps/demo/tenants.csv`. */
export const SEED_FILE = fileURLToPath(new URL('../tenants.csv', import.meta.url));

/** The seed rows as [tenant_id, is_active, plan, replicas] (a plain CSV: no quoting needed). */
export function seedRows(file = SEED_FILE): string[][] {
  const [, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  return rows.map((line) => line.split(','));
}

/**
 * Creates the table when it is missing and seeds it only when it is empty, so that a second
 * `npm start` keeps the rows the user added, changed or deleted. Returns the row count.
 */
export async function ensureTenantsTable(): Promise<{ rows: number; seeded: boolean }> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(DATABASE_URL);
  } catch (err) {
    throw new Error(
      `cannot connect to MariaDB at 127.0.0.1:3306 (user root, no password, database test): ` +
        `${err instanceof Error ? err.message : String(err)}. ` +
        `Start it (bash tools/ensure-databases.sh) and run npm start again.`,
      { cause: err },
    );
  }
  try {
    await conn.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (
         tenant_id VARCHAR(50) PRIMARY KEY,
         is_active TINYINT(1) NOT NULL DEFAULT 1,
         plan VARCHAR(32) NOT NULL DEFAULT 'basic',
         replicas INT NOT NULL DEFAULT 1
       )`,
    );
    const [counted] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
    const existing = Number(counted[0]?.['n'] ?? 0);
    if (existing > 0) return { rows: existing, seeded: false };
    const seed = seedRows();
    await conn.query(`INSERT INTO ${TABLE} (tenant_id, is_active, plan, replicas) VALUES ?`, [
      seed,
    ]);
    return { rows: seed.length, seeded: true };
  } finally {
    await conn.end();
  }
}
