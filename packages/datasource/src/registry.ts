import { HubSource, type BuiltinSourceType } from '@lynq/api';
import {
  DATASOURCE_CONTRACT_VERSION,
  type Datasource,
  type DatasourceContext,
  type DatasourcePlugin,
} from './contract.js';
import { DatasourceError, describeCause, isDatasourceError } from './errors.js';

/** Packages that serve the built-in types; loaded on first use, like any plugin. */
export const BUILTIN_PLUGIN_PACKAGES: Readonly<Record<BuiltinSourceType, string>> = {
  mysql: '@lynq/datasource-mysql',
  postgresql: '@lynq/datasource-postgres',
};

/** Imports a module by specifier. The operator passes its own so packages resolve from the app. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export interface DatasourceRegistryOptions {
  importer?: ModuleImporter;
  /** Load `mysql` and `postgresql` on demand from BUILTIN_PLUGIN_PACKAGES. Default true. */
  builtins?: boolean;
}

interface Entry {
  plugin: DatasourcePlugin;
  /** Package it came from, or `inline` for `register()`. */
  origin: string;
}

/**
 * Datasource types by name. Built-ins are imported when a hub first uses them; plugins are
 * imported by package name (`--datasource-plugins=@acme/lynq-datasource-redis`) and checked
 * against the contract before anything else can use them.
 */
export class DatasourceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly importer: ModuleImporter;
  private readonly builtins: boolean;

  constructor(options: DatasourceRegistryOptions = {}) {
    this.importer = options.importer ?? ((specifier) => import(specifier));
    this.builtins = options.builtins ?? true;
  }

  /** Registers a plugin object. Throws PLUGIN_INVALID for a bad shape or a taken type. */
  register(plugin: unknown, origin = 'inline'): DatasourcePlugin {
    const checked = checkPlugin(plugin, origin);
    const taken = this.entries.get(checked.type);
    if (taken !== undefined) {
      throw new DatasourceError({
        code: 'PLUGIN_INVALID',
        message: `datasource plugin ${JSON.stringify(origin)}: type ${JSON.stringify(checked.type)} is already registered by ${JSON.stringify(taken.origin)}`,
        type: checked.type,
      });
    }
    this.entries.set(checked.type, { plugin: checked, origin });
    return checked;
  }

  /**
   * Imports a plugin package and registers the plugin it exports (default export or named
   * `datasourcePlugin`). Errors name the package and what is wrong with it.
   */
  async loadPlugin(packageName: string): Promise<DatasourcePlugin> {
    let module: unknown;
    try {
      module = await this.importer(packageName);
    } catch (err) {
      const notFound =
        (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
        describeCause(err).includes(packageName);
      throw new DatasourceError({
        code: notFound ? 'PLUGIN_NOT_FOUND' : 'PLUGIN_INVALID',
        message: notFound
          ? `datasource plugin ${JSON.stringify(packageName)} is not installed (install it next to the operator)`
          : `datasource plugin ${JSON.stringify(packageName)} failed to load: ${describeCause(err)}`,
        cause: err,
      });
    }
    return this.register(pluginExport(module, packageName), packageName);
  }

  /** Types registered so far, plus the built-ins not loaded yet. */
  types(): string[] {
    const names = new Set(this.entries.keys());
    if (this.builtins) for (const t of Object.keys(BUILTIN_PLUGIN_PACKAGES)) names.add(t);
    return [...names].sort();
  }

  /** The plugin for `type`, importing a built-in on first use. Throws UNKNOWN_TYPE. */
  async resolve(type: string): Promise<DatasourcePlugin> {
    const entry = this.entries.get(type);
    if (entry !== undefined) return entry.plugin;
    if (this.builtins && Object.hasOwn(BUILTIN_PLUGIN_PACKAGES, type)) {
      const pkg = BUILTIN_PLUGIN_PACKAGES[type as BuiltinSourceType];
      return this.loadPlugin(pkg).catch((err: unknown) => {
        // Two hubs may load the same built-in at once; the loser's register() finds it taken.
        const raced = this.entries.get(type);
        if (raced !== undefined) return raced.plugin;
        throw err;
      });
    }
    throw new DatasourceError({
      code: 'UNKNOWN_TYPE',
      message: `spec.source.type: unknown datasource type ${JSON.stringify(type)} (known: ${this.types().join(', ')}; plugins are loaded with --datasource-plugins)`,
      fields: ['spec.source.type'],
      type,
    });
  }

  /**
   * Creates the datasource for a hub and checks the returned object against the contract.
   * Errors are DatasourceErrors; a plugin's other errors are wrapped, keeping the cause.
   */
  async create(context: DatasourceContext): Promise<Datasource> {
    const type = context.source.type;
    const plugin = await this.resolve(type);
    const origin = this.entries.get(type)?.origin ?? 'inline';
    const hub = `${context.hub.namespace}/${context.hub.name}`;
    let datasource: unknown;
    try {
      datasource = await plugin.create(context);
    } catch (err) {
      if (isDatasourceError(err)) throw err;
      throw new DatasourceError({
        code: 'QUERY_FAILED',
        message: `datasource plugin ${JSON.stringify(origin)} failed to create the datasource: ${describeCause(err)}`,
        hub,
        type,
        cause: err,
      });
    }
    const missing = datasourceShapeProblems(datasource);
    if (missing.length > 0) {
      throw new DatasourceError({
        code: 'PLUGIN_INVALID',
        message: `datasource plugin ${JSON.stringify(origin)} (type ${type}) created an invalid datasource: ${missing.join('; ')}`,
        hub,
        type,
      });
    }
    return datasource as Datasource;
  }
}

function pluginExport(module: unknown, packageName: string): unknown {
  if (typeof module === 'object' && module !== null) {
    const m = module as { default?: unknown; datasourcePlugin?: unknown };
    if (m.default !== undefined) return m.default;
    if (m.datasourcePlugin !== undefined) return m.datasourcePlugin;
  }
  throw new DatasourceError({
    code: 'PLUGIN_INVALID',
    message: `datasource plugin ${JSON.stringify(packageName)} is invalid: it exports no plugin (expected a default export or a named export "datasourcePlugin")`,
  });
}

/** Checks a plugin object; throws PLUGIN_INVALID listing everything that is wrong. */
function checkPlugin(value: unknown, origin: string): DatasourcePlugin {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) {
    problems.push(`the plugin export is ${value === null ? 'null' : typeof value}, not an object`);
  } else {
    const p = value as Partial<Record<keyof DatasourcePlugin, unknown>>;
    if (p.contractVersion === undefined) {
      problems.push(`missing contractVersion (expected ${DATASOURCE_CONTRACT_VERSION})`);
    } else if (p.contractVersion !== DATASOURCE_CONTRACT_VERSION) {
      problems.push(
        `contractVersion ${JSON.stringify(p.contractVersion)} is not supported (expected ${DATASOURCE_CONTRACT_VERSION})`,
      );
    }
    if (typeof p.type !== 'string') {
      problems.push('missing type (the spec.source.type it serves)');
    } else if (!HubSource.shape.type.safeParse(p.type).success) {
      problems.push(
        `type ${JSON.stringify(p.type)} is not a valid source type (lower-case letters, digits, "." and "-")`,
      );
    }
    if (typeof p.create !== 'function') problems.push('missing create(context) function');
  }
  if (problems.length > 0) {
    throw new DatasourceError({
      code: 'PLUGIN_INVALID',
      message: `datasource plugin ${JSON.stringify(origin)} is invalid: ${problems.join('; ')}`,
    });
  }
  return value as DatasourcePlugin;
}

/** What a datasource object lacks to meet the contract (empty when it is fine). */
export function datasourceShapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [`create() returned ${value === null ? 'null' : typeof value}, not an object`];
  }
  const d = value as Partial<Record<keyof Datasource, unknown>>;
  const problems: string[] = [];
  for (const method of ['fetchRows', 'describe', 'close'] as const) {
    if (typeof d[method] !== 'function') problems.push(`missing ${method}() method`);
  }
  if (d.watch !== undefined && typeof d.watch !== 'function') {
    problems.push('watch is present but not a function');
  }
  return problems;
}
