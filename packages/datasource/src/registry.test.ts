import { describe, expect, it } from 'vitest';
import type { Datasource, DatasourceContext, DatasourcePlugin } from './contract.js';
import { DatasourceError } from './errors.js';
import { DatasourceRegistry } from './registry.js';

const datasource: Datasource = {
  fetchRows: () => Promise.resolve({ rows: [], problems: [], totalRows: 0 }),
  describe: () => ({
    type: 'memory',
    target: 'memory',
    watchable: false,
    health: { state: 'unknown', consecutiveFailures: 0 },
  }),
  close: () => Promise.resolve(),
};
const plugin: DatasourcePlugin = {
  contractVersion: 1,
  type: 'memory',
  create: () => Promise.resolve(datasource),
};

const context = (type: string): DatasourceContext => ({
  hub: { namespace: 'ns', name: 'hub' },
  source: { type, syncInterval: '30s' },
  valueMappings: { uid: 'id', activate: 'on' },
  resolveSecret: () => Promise.reject(new Error('no secrets here')),
});

async function rejection(promise: Promise<unknown>): Promise<DatasourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DatasourceError);
    return err as DatasourceError;
  }
  throw new Error('expected a rejection');
}

/** An importer over a fixed table of modules, as node's import() would resolve them. */
function importer(modules: Record<string, unknown>) {
  return (specifier: string) => {
    if (Object.hasOwn(modules, specifier)) return Promise.resolve(modules[specifier]);
    const err = new Error(`Cannot find package '${specifier}' imported from /app/main.js`);
    (err as Error & { code: string }).code = 'ERR_MODULE_NOT_FOUND';
    return Promise.reject(err);
  };
}

describe('DatasourceRegistry', () => {
  it('loads a plugin by package name from its default or named export', async () => {
    const registry = new DatasourceRegistry({
      builtins: false,
      importer: importer({
        '@acme/a': { default: plugin },
        '@acme/b': { datasourcePlugin: { ...plugin, type: 'other' } },
      }),
    });
    expect((await registry.loadPlugin('@acme/a')).type).toBe('memory');
    expect((await registry.loadPlugin('@acme/b')).type).toBe('other');
    expect(registry.types()).toEqual(['memory', 'other']);
    expect(await registry.create(context('memory'))).toBe(datasource);
  });

  it('names the package and every missing part of an invalid plugin', async () => {
    const registry = new DatasourceRegistry({
      builtins: false,
      importer: importer({
        '@acme/empty': {},
        '@acme/half': { default: { type: 'Bad Type!' } },
        '@acme/future': { default: { ...plugin, contractVersion: 2 } },
      }),
    });
    expect((await rejection(registry.loadPlugin('@acme/empty'))).message).toBe(
      'datasource plugin "@acme/empty" is invalid: it exports no plugin (expected a default export or a named export "datasourcePlugin")',
    );
    const half = await rejection(registry.loadPlugin('@acme/half'));
    expect(half.code).toBe('PLUGIN_INVALID');
    expect(half.message).toBe(
      'datasource plugin "@acme/half" is invalid: missing contractVersion (expected 1); type "Bad Type!" is not a valid source type (lower-case letters, digits, "." and "-"); missing create(context) function',
    );
    expect((await rejection(registry.loadPlugin('@acme/future'))).message).toMatch(
      /contractVersion 2 is not supported \(expected 1\)/,
    );
  });

  it('reports a plugin that is not installed', async () => {
    const registry = new DatasourceRegistry({ importer: importer({}) });
    const err = await rejection(registry.loadPlugin('@acme/lynq-datasource-redis'));
    expect(err.code).toBe('PLUGIN_NOT_FOUND');
    expect(err.message).toBe(
      'datasource plugin "@acme/lynq-datasource-redis" is not installed (install it next to the operator)',
    );
  });

  it('refuses a second plugin for a taken type', async () => {
    const registry = new DatasourceRegistry({
      builtins: false,
      importer: importer({ '@acme/a': { default: plugin }, '@acme/c': { default: plugin } }),
    });
    await registry.loadPlugin('@acme/a');
    expect((await rejection(registry.loadPlugin('@acme/c'))).message).toBe(
      'datasource plugin "@acme/c": type "memory" is already registered by "@acme/a"',
    );
  });

  it('lists the built-ins and loads them on first use through the importer', async () => {
    const seen: string[] = [];
    const registry = new DatasourceRegistry({
      importer: (s) => {
        seen.push(s);
        return importer({ '@lynq/datasource-mysql': { default: { ...plugin, type: 'mysql' } } })(s);
      },
    });
    expect(registry.types()).toEqual(['mysql', 'postgresql']);
    const [a, b] = await Promise.all([registry.resolve('mysql'), registry.resolve('mysql')]);
    expect(a.type).toBe('mysql');
    expect(b).toBe(a);
    expect(seen.every((s) => s === '@lynq/datasource-mysql')).toBe(true);
  });

  it('rejects an unknown type naming the field and the known types', async () => {
    const registry = new DatasourceRegistry({ importer: importer({}) });
    const err = await rejection(registry.create(context('redis')));
    expect(err.code).toBe('UNKNOWN_TYPE');
    expect(err.fields).toEqual(['spec.source.type']);
    expect(err.message).toBe(
      'spec.source.type: unknown datasource type "redis" (known: mysql, postgresql; plugins are loaded with --datasource-plugins)',
    );
  });

  it('checks the datasource a plugin creates, and wraps its foreign errors', async () => {
    const registry = new DatasourceRegistry({ builtins: false });
    registry.register(
      { ...plugin, type: 'broken', create: () => Promise.resolve({ fetchRows: 1, watch: 'x' }) },
      '@acme/broken',
    );
    registry.register(
      { ...plugin, type: 'throws', create: () => Promise.reject(new TypeError('boom')) },
      '@acme/throws',
    );
    expect((await rejection(registry.create(context('broken')))).message).toBe(
      'datasource plugin "@acme/broken" (type broken) created an invalid datasource: missing fetchRows() method; missing describe() method; missing close() method; watch is present but not a function',
    );
    const wrapped = await rejection(registry.create(context('throws')));
    expect(wrapped.message).toBe(
      'datasource plugin "@acme/throws" failed to create the datasource: boom',
    );
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(wrapped.hub).toBe('ns/hub');
  });
});
