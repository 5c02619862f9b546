// What keeps the shipped alerts and dashboard honest: every series selector in every alert
// expression and every dashboard query must name a metric the running operator exports, with
// label names it really has. Expressions are taken apart by Prometheus' own PromQL parser
// (tools/go-tools/promtool/promql-selectors), not by regular expressions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goTool } from './harness/go-tools.js';
import type { Scrape } from './harness/metrics.js';
import { REPO_ROOT } from './harness/operator.js';

const CHART_FILES = join(REPO_ROOT, 'deploy', 'helm', 'lynq', 'files');

/** The files under test. */
export const MonitoringFiles = {
  rules: join(CHART_FILES, 'prometheus-rules.yaml'),
  dashboard: join(CHART_FILES, 'grafana-dashboard.json'),
  ruleTests: join(REPO_ROOT, 'deploy', 'monitoring-tests', 'prometheus-rules.test.yaml'),
  runbooks: join(REPO_ROOT, 'docs', 'alert-runbooks.md'),
} as const;

/** A series selector: its metric name ('' when it has none fixed) and its matchers' label names. */
export interface Selector {
  metric: string;
  labels: string[];
}

/** A PromQL expression, where it comes from, and its selectors (or why it does not parse). */
export interface Query {
  /** `alert LynqNodeDegraded`, `panel "Work Queue Depth" A`, `variable namespace`. */
  where: string;
  expr: string;
  selectors: Selector[];
  error?: string;
}

export interface AlertRule {
  group: string;
  alert: string;
  expr: string;
  /** Prometheus' duration text: `5m`, `0s`. */
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  query: Query;
}

/** One exported metric family as a scrape shows it. */
export interface ExportedMetric {
  /** `# TYPE`: counter, gauge, histogram, summary, untyped. */
  type: string;
  /** Label names seen on its samples (`le` / `quantile` included). */
  labels: Set<string>;
  samples: number;
}

/**
 * Labels Prometheus adds from the scrape target (the ServiceMonitor's service, pod, namespace):
 * an expression may select or group by them on any metric.
 */
export const TARGET_LABELS: ReadonlySet<string> = new Set([
  'job',
  'instance',
  'namespace',
  'pod',
  'service',
  'container',
  'endpoint',
]);

function promqlSelectors(args: string[], input?: string): unknown {
  const out = execFileSync(goTool('promtool', 'promql-selectors'), args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
  });
  return JSON.parse(out) as unknown;
}

interface RawExpr {
  expr: string;
  selectors: Selector[];
  error?: string;
}

interface RawRules {
  groups: {
    name: string;
    rules: (RawExpr & {
      alert?: string;
      record?: string;
      for: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    })[];
  }[];
  errors: string[];
}

/**
 * The alerting rules of a rule file, read by Prometheus' own rule-file reader. `errors` holds
 * what Prometheus would refuse (also reported by `promtool check rules`).
 */
export function readAlertRules(file: string = MonitoringFiles.rules): {
  rules: AlertRule[];
  errors: string[];
} {
  const raw = promqlSelectors(['--rules', file]) as RawRules;
  const rules: AlertRule[] = [];
  for (const group of raw.groups)
    for (const r of group.rules) {
      const name = r.alert ?? `record ${r.record ?? '?'}`;
      rules.push({
        group: group.name,
        alert: name,
        expr: r.expr,
        for: r.for,
        labels: r.labels,
        annotations: r.annotations,
        query: {
          where: `alert ${name}`,
          expr: r.expr,
          selectors: r.selectors,
          ...(r.error ? { error: r.error } : {}),
        },
      });
    }
  return { rules, errors: raw.errors };
}

// Grafana's interval variables stand where PromQL wants a duration; any duration parses the same.
const GRAFANA_DURATIONS =
  /\$(?:\{__(?:rate_interval|interval|range)\}|__(?:rate_interval|interval|range)\b)/g;

/** A Grafana query as PromQL: interval variables become a duration. */
export function grafanaToPromql(expr: string): string {
  return expr.replace(GRAFANA_DURATIONS, '5m');
}

interface PanelLike {
  title?: string;
  type?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: PanelLike[];
}

interface DashboardLike {
  panels?: PanelLike[];
  templating?: { list?: { name?: string; type?: string; query?: unknown }[] };
}

/** Every panel of a dashboard, rows' nested panels included. */
export function dashboardPanels(dashboard: unknown): PanelLike[] {
  const out: PanelLike[] = [];
  const walk = (panels: PanelLike[] | undefined) => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk((dashboard as DashboardLike).panels);
  return out;
}

/**
 * The PromQL a dashboard runs, with where each comes from: every panel target, and the series
 * selector of every `label_values(selector, label)` / `query_result(expr)` variable.
 */
export function dashboardExpressions(dashboard: unknown): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const panel of dashboardPanels(dashboard))
    for (const t of panel.targets ?? [])
      if (typeof t.expr === 'string' && t.expr.trim() !== '')
        out.push({
          where: `panel ${JSON.stringify(panel.title ?? '?')} ${t.refId ?? '?'}`,
          expr: grafanaToPromql(t.expr),
        });
  for (const v of (dashboard as DashboardLike).templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = v.query;
    const text =
      typeof q === 'string'
        ? q
        : typeof q === 'object' &&
            q !== null &&
            typeof (q as { query?: unknown }).query === 'string'
          ? (q as { query: string }).query
          : '';
    const m =
      /^\s*(?:label_values\(\s*(.+?)\s*,\s*[a-zA-Z_]\w*\s*\)|query_result\((.+)\))\s*$/s.exec(text);
    if (m !== null)
      out.push({ where: `variable ${v.name ?? '?'}`, expr: grafanaToPromql(m[1] ?? m[2] ?? '') });
  }
  return out;
}

/** Parses expressions with Prometheus' parser. */
export function parseQueries(exprs: { where: string; expr: string }[]): Query[] {
  if (exprs.length === 0) return [];
  const raw = promqlSelectors([], JSON.stringify(exprs.map((e) => e.expr))) as RawExpr[];
  return raw.map((r, i) => ({
    where: exprs[i]!.where,
    expr: r.expr,
    selectors: r.selectors,
    ...(r.error ? { error: r.error } : {}),
  }));
}

/** The metric families of a scrape, by name. */
export function exportedMetrics(scrape: Scrape): Map<string, ExportedMetric> {
  const out = new Map<string, ExportedMetric>();
  for (const [name, type] of scrape.types) out.set(name, { type, labels: new Set(), samples: 0 });
  for (const sample of scrape.samples) {
    const family = familyOf(sample.name, out);
    if (family === undefined) continue;
    family.metric.samples++;
    for (const [label] of sample.labels) family.metric.labels.add(label);
  }
  return out;
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  _bucket: ['histogram'],
  _sum: ['histogram', 'summary'],
  _count: ['histogram', 'summary'],
};

/** The family a series name belongs to: itself, or a histogram's/summary's _bucket/_sum/_count. */
function familyOf(
  name: string,
  families: ReadonlyMap<string, ExportedMetric>,
): { name: string; metric: ExportedMetric; suffix: string } | undefined {
  const exact = families.get(name);
  if (exact !== undefined && exact.type !== 'histogram' && exact.type !== 'summary')
    return { name, metric: exact, suffix: '' };
  for (const [suffix, types] of Object.entries(SUFFIXES)) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const metric = families.get(base);
    if (metric !== undefined && types.includes(metric.type)) return { name: base, metric, suffix };
  }
  return undefined;
}

export interface CheckOptions {
  /** A metric with no sample fails (its labels cannot be checked). Default true. */
  requireSamples?: boolean;
}

/**
 * What is wrong with `queries` against what an operator exports, one sentence per problem:
 * a query that does not parse, a selector without a metric name, a metric the operator does not
 * export (a histogram's series only as _bucket/_sum/_count), a label it does not have.
 */
export function checkQueries(
  queries: readonly Query[],
  exported: ReadonlyMap<string, ExportedMetric>,
  options: CheckOptions = {},
): string[] {
  const requireSamples = options.requireSamples ?? true;
  const problems: string[] = [];
  for (const q of queries) {
    if (q.error !== undefined) {
      problems.push(`${q.where}: does not parse: ${q.error}`);
      continue;
    }
    if (q.selectors.length === 0) problems.push(`${q.where}: selects no metric`);
    for (const s of q.selectors) {
      if (s.metric === '') {
        problems.push(`${q.where}: a selector without a metric name: ${q.expr}`);
        continue;
      }
      const family = familyOf(s.metric, exported);
      if (family === undefined) {
        const histogram = exported.get(s.metric);
        problems.push(
          histogram !== undefined
            ? `${q.where}: ${s.metric} is a ${histogram.type}: select ${s.metric}_bucket, _sum or _count`
            : `${q.where}: ${s.metric} is not a metric the operator exports`,
        );
        continue;
      }
      if (family.metric.samples === 0) {
        if (requireSamples)
          problems.push(`${q.where}: ${family.name} is declared but has no samples to check`);
        continue;
      }
      const own = new Set(family.metric.labels);
      if (family.suffix !== '_bucket') own.delete('le');
      for (const label of s.labels)
        if (!own.has(label) && !TARGET_LABELS.has(label))
          problems.push(
            `${q.where}: ${s.metric} has no label ${label} (it has ${[...own].sort().join(', ') || 'none'})`,
          );
    }
  }
  return problems;
}

/** GitHub's anchor of a Markdown heading. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The `## ` headings of a Markdown document, as anchors. */
export function sectionAnchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (m !== null) out.add(headingAnchor(m[1]!));
  }
  return out;
}

/**
 * What is wrong with the alerting rules as shipped: each needs a severity label that matches its
 * group (lynq.critical / lynq.warning / lynq.info), a summary, a description, and a runbook_url
 * `docs/alert-runbooks.md#<alert in lower case>` whose section exists; no runbook may describe an
 * alert that does not exist.
 */
export function checkAlertMetadata(rules: readonly AlertRule[], runbooks: string): string[] {
  const problems: string[] = [];
  const anchors = sectionAnchors(runbooks);
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.alert)) problems.push(`alert ${r.alert}: defined twice`);
    names.add(r.alert);
    const severity = r.labels['severity'];
    if (`lynq.${severity ?? ''}` !== r.group)
      problems.push(`alert ${r.alert}: severity ${String(severity)} in group ${r.group}`);
    for (const key of ['summary', 'description'])
      if ((r.annotations[key] ?? '').trim() === '')
        problems.push(`alert ${r.alert}: no ${key} annotation`);
    const anchor = r.alert.toLowerCase();
    const want = `docs/alert-runbooks.md#${anchor}`;
    if (r.annotations['runbook_url'] !== want)
      problems.push(
        `alert ${r.alert}: runbook_url is ${String(r.annotations['runbook_url'])}, not ${want}`,
      );
    if (!anchors.has(anchor))
      problems.push(`alert ${r.alert}: docs/alert-runbooks.md has no "## ${r.alert}"`);
  }
  const lower = new Set([...names].map((n) => n.toLowerCase()));
  for (const anchor of anchors)
    if (/^[a-z]+$/.test(anchor) && !lower.has(anchor))
      problems.push(`docs/alert-runbooks.md#${anchor}: a runbook for an alert that does not exist`);
  return problems;
}

/** The shipped rules and dashboard as queries. */
export function shippedQueries(): { rules: AlertRule[]; ruleErrors: string[]; queries: Query[] } {
  const { rules, errors } = readAlertRules();
  const dashboard = JSON.parse(readFileSync(MonitoringFiles.dashboard, 'utf8')) as unknown;
  return {
    rules,
    ruleErrors: errors,
    queries: [...rules.map((r) => r.query), ...parseQueries(dashboardExpressions(dashboard))],
  };
}
