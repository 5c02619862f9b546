// Database credentials (reference §1.3 passwordRef, issue 12 §2, ARCHITECTURE "Secrets never reach
// logs, events or status"): a hub reads its password from a Secret; a wrong one is a connection
// failure that deletes nothing; a corrected or rotated Secret is picked up; the password appears
// in no status, event or log line.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { mysqlUrl, uniqueName } from '@lynq/testkit';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'creds' });
const HUB = 'secured';
const USER = uniqueName('e2e_u', '_').slice(0, 32);
const passwords = {
  wrong: `wrong-${randomBytes(8).toString('hex')}`,
  first: `first-${randomBytes(8).toString('hex')}`,
  rotated: `rotated-${randomBytes(8).toString('hex')}`,
};

function secret(password: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-cred', namespace: s.namespace },
    stringData: { password },
  };
}

async function setSecret(password: string) {
  await s.kube.mergePatch(Res.Secret, 'db-cred', s.namespace, { stringData: { password } });
}

function hubReady(status: 'True' | 'False', timeoutMs = 30_000) {
  return s.waitFor(
    async (note) => {
      const h = await s.hub(HUB);
      note(h?.status?.conditions);
      return conditionOf(h, 'Ready')?.status === status ? h : undefined;
    },
    { what: `hub ${HUB} Ready=${status}`, timeoutMs },
  );
}

beforeAll(async () => {
  const user = `'${USER}'@'%'`;
  await s.db.exec(`CREATE USER ${user} IDENTIFIED BY '${passwords.first}'`);
  s.onCleanup(() => s.db.exec(`DROP USER IF EXISTS ${user}`));
  const url = new URL(mysqlUrl());
  const database = url.pathname.slice(1);
  await s.db.exec(`GRANT SELECT ON ${s.db.ident(database)}.${s.db.ident(s.table)} TO ${user}`);
  // The user works, so a failure below is the operator's.
  url.username = USER;
  url.password = passwords.first;
  const probe = await mysql.createConnection(url.toString());
  await probe.end();
  await s.db.insert(s.table, [{ id: 'c1', active: '1', plan: 'x', region: 'y' }]);
  await s.create(secret(passwords.wrong));
  const source = mysqlSource(s.table);
  if (source.mysql === undefined) throw new Error('mysqlSource without mysql');
  source.mysql.username = USER;
  source.mysql.passwordRef = { name: 'db-cred', key: 'password' };
  await s.create(hub({ name: HUB, namespace: s.namespace, source }));
  await s.create(
    form({
      name: 'web',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { x: '1' })],
    }),
  );
});

describe('database credentials from a Secret', () => {
  it('a wrong password: Ready=False DatabaseConnectionFailed, a DatabaseQueryFailed event, no node', async () => {
    const h = await hubReady('False');
    expect(conditionOf(h, 'Ready')?.reason).toBe('DatabaseConnectionFailed');
    await s.event({ kind: 'LynqHub', name: HUB }, 'DatabaseQueryFailed');
    expect(await s.kube.nodesOf(HUB, s.namespace)).toEqual([]);
  });

  it('the Secret corrected: the next sync connects and the node appears', async () => {
    await setSecret(passwords.first);
    await hubReady('True', 45_000);
    await s.nodeReady(nodeName('c1', 'web'));
  });

  it('the password rotated in the database and the Secret: syncs keep working on new connections', async () => {
    await s.db.exec(`ALTER USER '${USER}'@'%' IDENTIFIED BY '${passwords.rotated}'`);
    await setSecret(passwords.rotated);
    // Open connections keep their old login: cut them, so only a rebuilt pool can read.
    const sessions = await s.db.query<{ ID: number }>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?',
      [USER],
    );
    for (const { ID } of sessions)
      await s.db.exec(`KILL CONNECTION ${Number(ID)}`).catch(() => undefined);
    await s.db.insert(s.table, [{ id: 'c2', active: '1', plan: 'x', region: 'y' }]);
    await s.nodeReady(nodeName('c2', 'web'), 45_000);
    await hubReady('True');
  });

  it('no password appears in the hub status, any event, or the operator log', async () => {
    const h = await s.hub(HUB);
    const events = await s.kube.list(Res.Event, s.namespace);
    const texts = {
      status: JSON.stringify(h?.status),
      events: JSON.stringify(events.map((e) => e['message'])),
      log: s.operator.logs(),
    };
    for (const [where, text] of Object.entries(texts))
      for (const [which, password] of Object.entries(passwords))
        expect(text.includes(password), `${which} password in ${where}`).toBe(false);
  });
});
