import { z } from 'zod';
import { API_VERSION, Kinds } from '../names.js';
import {
  ObjectMeta,
  SecretKeyRef,
  StatusCondition,
  freeFormObject,
  int32,
  int64,
} from './common.js';
import { stringMap } from './string-map.js';

/** Go-style duration with one unit, as Lynq's CRD pattern allows (e.g. `30s`, `5m`, `1h`). */
export const SYNC_INTERVAL_PATTERN = /^[0-9]+(s|m|h)$/;

export const BUILTIN_SOURCE_TYPES = ['mysql', 'postgresql'] as const;
export type BuiltinSourceType = (typeof BUILTIN_SOURCE_TYPES)[number];

/** Source type names: a built-in or the name a datasource plugin registers. */
export const SOURCE_TYPE_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export const TlsMode = z.enum(['disable', 'require', 'verify-ca', 'verify-full']);
export type TlsMode = z.infer<typeof TlsMode>;

export const DatabaseTls = z
  .strictObject({
    mode: TlsMode.meta({
      description:
        'disable: plain; require: TLS without verification; verify-ca: verify the chain; verify-full: chain and host name.',
    }),
    caSecretRef: SecretKeyRef.optional().meta({
      description: 'PEM CA bundle to verify the server with; default: the system roots.',
    }),
  })
  .meta({ description: 'TLS to the database (Lynq for TypeScript extension).' });
export type DatabaseTls = z.infer<typeof DatabaseTls>;

const identifier = (what: string) => z.string().min(1).meta({ description: what });

export const MySqlSource = z.strictObject({
  host: identifier('Host name or address of the MySQL/MariaDB server.'),
  port: int32().min(1).max(65535).default(3306),
  username: identifier('User to connect as (read-only access is enough).'),
  passwordRef: SecretKeyRef.optional(),
  database: identifier('Database (schema) name.'),
  table: identifier('Table or VIEW holding one row per node.'),
  tls: DatabaseTls.optional(),
});
export type MySqlSource = z.infer<typeof MySqlSource>;

export const PostgresSource = z.strictObject({
  host: identifier('Host name or address of the PostgreSQL server.'),
  port: int32().min(1).max(65535).default(5432),
  username: identifier('Role to connect as (read-only access is enough).'),
  passwordRef: SecretKeyRef.optional(),
  database: identifier('Database name.'),
  schema: z.string().min(1).default('public'),
  table: identifier('Table or VIEW holding one row per node.'),
  tls: DatabaseTls.optional(),
});
export type PostgresSource = z.infer<typeof PostgresSource>;

export const HubSource = z.strictObject({
  type: z.string().regex(SOURCE_TYPE_PATTERN).meta({
    description:
      '`mysql`, `postgresql`, or the name of a datasource plugin (configured by `config`).',
  }),
  syncInterval: z
    .string()
    .regex(SYNC_INTERVAL_PATTERN)
    .default('30s')
    .meta({ description: 'How often rows are read, e.g. 30s, 1m, 5m.' }),
  mysql: MySqlSource.optional(),
  postgresql: PostgresSource.optional(),
  config: freeFormObject('Configuration of a datasource plugin.').optional(),
});
export type HubSource = z.infer<typeof HubSource>;

export const ValueMappings = z.strictObject({
  uid: z.string().meta({ description: 'Column holding the node’s unique id.' }),
  activate: z.string().meta({ description: 'Column whose truthy value makes the row active.' }),
  hostOrUrl: z
    .string()
    .optional()
    .meta({ description: 'Deprecated: use extraValueMappings and toHost().' }),
});
export type ValueMappings = z.infer<typeof ValueMappings>;

export const DeletionGuard = z
  .strictObject({
    maxDeletePercent: int32()
      .min(0)
      .max(100)
      .default(50)
      .meta({ description: 'Hold a sync that would delete more than this share of the nodes…' }),
    minDeletions: int32()
      .min(0)
      .default(10)
      .meta({ description: '…and more than this many nodes.' }),
  })
  .meta({
    description: 'Caps how many LynqNodes one sync may delete (Lynq for TypeScript extension).',
  });
export type DeletionGuard = z.infer<typeof DeletionGuard>;

export const LynqHubSpec = z.strictObject({
  source: HubSource,
  valueMappings: ValueMappings,
  extraValueMappings: stringMap('Template variable → column.').optional(),
  deletionGuard: DeletionGuard.optional(),
});
export type LynqHubSpec = z.infer<typeof LynqHubSpec>;

export const LynqHubStatus = z.looseObject({
  observedGeneration: int64().optional(),
  referencingTemplates: int32().optional(),
  desired: int32().optional(),
  ready: int32().optional(),
  failed: int32().optional(),
  conditions: z.array(StatusCondition).optional(),
});
export type LynqHubStatus = z.infer<typeof LynqHubStatus>;

export const LynqHub = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(Kinds.Hub),
  metadata: ObjectMeta,
  spec: LynqHubSpec,
  status: LynqHubStatus.optional(),
});
export type LynqHub = z.infer<typeof LynqHub>;
export type LynqHubInput = z.input<typeof LynqHub>;
