// Overview, Hub, Form and Node pages.
import { useEffect } from 'preact/hooks';
import type { FormDetail, HubDetail, NodeDetail, NodeSummary, PolicyView } from '../view-model.js';
import {
  Badge,
  Conditions,
  Events,
  KeyValues,
  Pill,
  Section,
  Table,
  Time,
  enc,
  useDetail,
  useStore,
} from './common.js';
import { DependencyGraph } from './graph.js';
import { safeDecode } from './decode.js';

function Stat({ label, value, tone }: { label: string; value: number | string; tone?: string }) {
  return (
    <div class={`stat ${tone ?? ''}`}>
      <span class="stat-value">{value}</span>
      <span class="stat-label">{label}</span>
    </div>
  );
}

export function Overview() {
  const s = useStore();
  const o = s.overview;
  if (o === undefined) return <Loading />;
  const hubs = [...s.hubs.values()];
  const forms = [...s.forms.values()];
  return (
    <div class="page">
      <h1>Overview</h1>
      <div class="stats" role="group" aria-label="Counts">
        <Stat label="hubs" value={o.hubs.total} />
        <Stat label="forms" value={o.forms.total} />
        <Stat label="nodes" value={o.nodes.total} />
        <Stat label="ready" value={o.nodes.ready} tone="s-ready" />
        <Stat label="failed" value={o.nodes.failed} tone="s-failed" />
        <Stat label="pending" value={o.nodes.pending} tone="s-pending" />
        <Stat label="skipped" value={o.nodes.skipped} tone="s-skipped" />
        <Stat label="orphaned objects" value={o.orphans} />
      </div>
      {!s.synced ? <p class="muted">Still reading the cluster…</p> : null}
      <div class="grid2">
        <Section title="Datasource health" id="ds">
          {o.datasources.length === 0 ? (
            <p class="muted">No hubs.</p>
          ) : (
            <Table columns={['Hub', 'Type', 'Health', 'Healthy since', 'Message']}>
              {o.datasources.map((d) => (
                <tr key={d.hub}>
                  <td>
                    <a href={`/hubs/${enc(d.hub)}`}>{d.hub}</a>
                  </td>
                  <td>{d.type}</td>
                  <td>
                    <Badge status={d.healthy ? 'ready' : 'failed'} />
                  </td>
                  <td>
                    <Time at={d.healthySince} />
                  </td>
                  <td class="msg">{d.message}</td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
        <Section title="Rollouts in progress" id="rollouts">
          {o.rollouts.length === 0 ? (
            <p class="muted">No rollout in progress.</p>
          ) : (
            <ul class="plain">
              {o.rollouts.map((r) => (
                <li key={r.form}>
                  <a href={`/forms/${enc(r.form)}`}>{r.form}</a> <Pill>{r.phase}</Pill>
                  <Progress
                    value={r.updatedNodes}
                    max={r.totalNodes}
                    label={`Rollout of ${r.form}`}
                  />
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Deletion-guard holds" id="guard">
          {o.guardHolds.length === 0 ? (
            <p class="muted">The deletion guard holds nothing back.</p>
          ) : (
            <ul class="plain">
              {o.guardHolds.map((g) => (
                <li key={g.hub}>
                  <a href={`/hubs/${enc(g.hub)}`}>{g.hub}</a>: {g.message}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
      <Section title="Hubs" id="hubs">
        <Table columns={['Hub', 'Status', 'Source', 'Nodes ready / desired', 'Failed']}>
          {hubs.map((h) => (
            <tr key={h.id}>
              <td>
                <a href={`/hubs/${enc(h.id)}`}>{h.id}</a>
              </td>
              <td>
                <Badge status={h.health} />
              </td>
              <td>
                {h.sourceType} every {h.syncInterval}
              </td>
              <td>
                {h.ready} / {h.desired}
              </td>
              <td>{h.failed}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="Forms" id="forms">
        <Table columns={['Form', 'Status', 'Hub', 'Nodes ready / total', 'Rollout']}>
          {forms.map((f) => (
            <tr key={f.id}>
              <td>
                <a href={`/forms/${enc(f.id)}`}>{f.id}</a>
              </td>
              <td>
                <Badge status={f.health} />
              </td>
              <td>{f.hubId}</td>
              <td>
                {f.readyNodes} / {f.totalNodes}
              </td>
              <td>{f.rollout?.phase ?? '–'}</td>
            </tr>
          ))}
        </Table>
      </Section>
    </div>
  );
}

function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <progress value={value} max={Math.max(max, 1)} aria-label={label}>
      {value}/{max}
    </progress>
  );
}

function Loading() {
  return (
    <p class="page muted" role="status">
      Loading…
    </p>
  );
}

function NotFound({ error }: { error: string }) {
  return (
    <div class="page">
      <h1>Not found</h1>
      <p role="alert">{error}</p>
    </div>
  );
}

/** A list of nodes, as links with status (bounded: the topology has the full, virtualised list). */
function NodeList({ ids, limit = 200 }: { ids: string[]; limit?: number }) {
  const s = useStore();
  if (ids.length === 0) return <p class="muted">No nodes.</p>;
  const nodes = ids
    .map((id) => s.nodes.get(id))
    .filter((n): n is NodeSummary => n !== undefined)
    .sort((a, b) =>
      a.health === 'failed' ? -1 : b.health === 'failed' ? 1 : a.name < b.name ? -1 : 1,
    );
  return (
    <>
      <ul class="node-list">
        {nodes.slice(0, limit).map((n) => (
          <li key={n.id}>
            <Badge status={n.health} /> <a href={`/nodes/${enc(n.id)}`}>{n.name}</a>{' '}
            <span class="muted">
              uid {n.uid} · {n.ready}/{n.desired}
            </span>
            {n.message !== '' ? <div class="problem">{n.message}</div> : null}
          </li>
        ))}
      </ul>
      {nodes.length > limit ? (
        <p class="muted">
          {nodes.length - limit} more in the <a href="/topology">topology</a>.
        </p>
      ) : null}
    </>
  );
}

export function HubPage({ id }: { id: string }) {
  const s = useStore();
  const { data, error } = useDetail<HubDetail>(`/api/v1/hubs/${enc(id)}`, s.version);
  if (error !== undefined && data === undefined) return <NotFound error={error} />;
  if (data === undefined) return <Loading />;
  const h = data.summary;
  return (
    <div class="page">
      <p class="crumbs">
        <a href="/topology">Topology</a> › hub
      </p>
      <h1>
        LynqHub {h.id} <Badge status={h.health} />
      </h1>
      <div class="stats" role="group" aria-label="Node counts">
        <Stat label="desired" value={h.desired} />
        <Stat label="ready" value={h.ready} tone="s-ready" />
        <Stat label="failed" value={h.failed} tone="s-failed" />
        <Stat label="forms" value={h.forms} />
      </div>
      {h.guardHeld !== undefined ? (
        <p class="problem" role="alert">
          Deletion guard: {h.guardHeld}
        </p>
      ) : null}
      <div class="grid2">
        <Section title="Datasource" id="datasource">
          <KeyValues entries={data.datasource} label="Datasource" />
          <p>
            Last sync: {h.health === 'ready' ? 'healthy' : 'failing'}, {h.message}
            {h.healthySince !== undefined ? (
              <>
                {' '}
                (healthy since <Time at={h.healthySince} />)
              </>
            ) : null}
          </p>
        </Section>
        <Section title="Mappings" id="mappings">
          <h3>valueMappings</h3>
          <KeyValues entries={data.valueMappings} label="valueMappings" />
          <h3>extraValueMappings</h3>
          <KeyValues entries={data.extraValueMappings} label="extraValueMappings" />
          {data.deletionGuard !== undefined ? (
            <p>
              Deletion guard: at most {data.deletionGuard.maxDeletePercent}% and{' '}
              {data.deletionGuard.minDeletions} nodes per sync.
            </p>
          ) : null}
        </Section>
      </div>
      <Section title="Conditions" id="conditions">
        <Conditions items={data.conditions} />
      </Section>
      <Section title={`Forms (${data.forms.length})`} id="hub-forms">
        <ul class="plain">
          {data.forms.map((f) => (
            <li key={f}>
              <a href={`/forms/${enc(f)}`}>{f}</a>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={`Nodes (${data.nodes.length})`} id="hub-nodes">
        <NodeList ids={data.nodes} />
      </Section>
      <Section title="Events" id="events">
        <Events items={data.events} />
      </Section>
    </div>
  );
}

function PolicyBadges({ p }: { p: PolicyView }) {
  return (
    <span class="policies">
      <Pill title="creationPolicy">create {p.creationPolicy}</Pill>
      <Pill title="deletionPolicy">delete {p.deletionPolicy}</Pill>
      <Pill title="conflictPolicy">conflict {p.conflictPolicy}</Pill>
      <Pill title="patchStrategy">{p.patchStrategy}</Pill>
      {!p.waitForReady ? <Pill title="waitForReady">no wait</Pill> : null}
      {p.ignoreFields.length > 0 ? (
        <Pill title={p.ignoreFields.join(', ')}>ignore {p.ignoreFields.length}</Pill>
      ) : null}
      {p.readyWhen.length > 0 ? <Pill title={p.readyWhen.join(' && ')}>readyWhen</Pill> : null}
    </span>
  );
}

export function FormPage({ id }: { id: string }) {
  const s = useStore();
  const { data, error } = useDetail<FormDetail>(`/api/v1/forms/${enc(id)}`, s.version);
  if (error !== undefined && data === undefined) return <NotFound error={error} />;
  if (data === undefined) return <Loading />;
  const f = data.summary;
  const r = f.rollout;
  const valid = data.conditions.find((c) => c.type === 'Valid');
  return (
    <div class="page">
      <p class="crumbs">
        <a href="/topology">Topology</a> ›{' '}
        <a href={`/hubs/${enc(`${f.namespace}/${f.hubId}`)}`}>hub {f.hubId}</a> › form
      </p>
      <h1>
        LynqForm {f.id} <Badge status={f.health} />
      </h1>
      <div class="stats" role="group" aria-label="Node counts">
        <Stat label="nodes" value={f.totalNodes} />
        <Stat label="ready" value={f.readyNodes} tone="s-ready" />
        <Stat label="resources" value={f.resources} />
        <Stat label="maxSkew" value={data.maxSkew === 0 ? 'none' : data.maxSkew} />
      </div>
      <Section title="Validation" id="validation">
        <p>
          <Badge status={f.valid ? 'ready' : 'failed'} /> {valid?.reason ?? 'not validated yet'}:{' '}
          {valid?.message ?? ''}
        </p>
        {data.graphErrors.length > 0 ? (
          <ul class="problem">
            {data.graphErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </Section>
      <Section title="Rollout" id="rollout">
        {r === undefined ? (
          <p class="muted">No rollout recorded.</p>
        ) : (
          <div>
            <p>
              <Pill>{r.phase}</Pill> {r.updatedNodes}/{r.totalNodes} updated, {r.updatingNodes}{' '}
              updating, {r.readyUpdatedNodes} ready at the new generation
              {r.startTime !== undefined ? (
                <>
                  , started <Time at={r.startTime} />
                </>
              ) : null}
            </p>
            <Progress value={r.updatedNodes} max={r.totalNodes} label="Rollout progress" />
            {r.message !== undefined ? <p class="muted">{r.message}</p> : null}
          </div>
        )}
      </Section>
      <Section title="Dependency graph" id="graph">
        <DependencyGraph title={`Dependencies of ${f.name}`} nodes={data.resources} />
      </Section>
      <Section title={`Resources (${data.resources.length})`} id="resources">
        <Table columns={['Id', 'Kind', 'Level', 'Depends on', 'Policies']}>
          {data.resources.map((res) => (
            <tr key={res.id}>
              <td>{res.id}</td>
              <td>
                {res.kind} <span class="muted">{res.apiVersion}</span>
              </td>
              <td>{res.level}</td>
              <td>{res.dependIds.join(', ') || '–'}</td>
              <td>
                <PolicyBadges p={res.policies} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="Conditions" id="conditions">
        <Conditions items={data.conditions} />
      </Section>
      <Section title={`Nodes (${data.nodes.length})`} id="form-nodes">
        <NodeList ids={data.nodes} />
      </Section>
      <Section title="Events" id="events">
        <Events items={data.events} />
      </Section>
    </div>
  );
}

export function NodePage({ id }: { id: string }) {
  const s = useStore();
  const { data, error } = useDetail<NodeDetail>(`/api/v1/nodes/${enc(id)}`, s.version, 2000);
  useEffect(() => {
    // A link to one resource (#res-<id>) scrolls to it once the page has data.
    if (data !== undefined && location.hash.startsWith('#res-'))
      document.getElementById(safeDecode(location.hash.slice(1)))?.scrollIntoView();
  }, [data !== undefined]);
  if (error !== undefined && data === undefined) return <NotFound error={error} />;
  if (data === undefined) return <Loading />;
  const n = data.summary;
  const states = new Map(data.resources.map((r) => [r.id, r.state]));
  return (
    <div class="page">
      <p class="crumbs">
        <a href="/topology">Topology</a> ›{' '}
        <a href={`/hubs/${enc(`${n.namespace}/${n.hub}`)}`}>hub {n.hub}</a> ›{' '}
        <a href={`/forms/${enc(`${n.namespace}/${n.form}`)}`}>form {n.form}</a> › node
      </p>
      <h1>
        LynqNode {n.id} <Badge status={n.health} />
      </h1>
      <p class="muted">
        uid {n.uid}
        {n.deleting ? ' · being deleted' : ''}
      </p>
      {n.message !== '' ? (
        <p
          class={n.health === 'failed' ? 'problem' : 'muted'}
          role={n.health === 'failed' ? 'alert' : undefined}
        >
          {n.message}
        </p>
      ) : null}
      <div class="stats" role="group" aria-label="Resource counts">
        <Stat label="desired" value={n.desired} />
        <Stat label="ready" value={n.ready} tone="s-ready" />
        <Stat label="failed" value={n.failed} tone="s-failed" />
        <Stat label="conflicted" value={n.conflicted} tone="s-failed" />
        <Stat label="skipped" value={n.skipped} tone="s-skipped" />
      </div>
      <Section title={`Resources (${data.resources.length})`} id="resources">
        <ul class="resources">
          {data.resources.map((r) => (
            <li key={r.id} id={`res-${r.id}`} class="resource">
              <div class="res-head">
                <Badge status={r.state} />
                <strong>{r.id}</strong>
                <span>
                  {r.kind} {r.namespace !== undefined ? `${r.namespace}/` : ''}
                  {r.name}
                </span>
                <span class={r.ready === false ? 'problem-inline' : 'muted'}>
                  readiness: {r.readiness}
                </span>
              </div>
              <PolicyBadges p={r.policies} />
              {r.conflict !== undefined ? (
                <p class="problem">
                  Conflict: {r.conflict}
                  {r.otherManagers.length > 0
                    ? ` (other field managers: ${r.otherManagers.map((m) => m.manager).join(', ')})`
                    : ''}
                </p>
              ) : r.otherManagers.length > 0 ? (
                <p class="muted">
                  Other field managers:{' '}
                  {r.otherManagers.map((m) => `${m.manager} (${m.operation})`).join(', ')}
                </p>
              ) : null}
              {r.skippedBecause !== undefined ? (
                <p class="muted">Skipped: {r.skippedBecause}</p>
              ) : null}
              {r.yaml !== undefined ? (
                <details>
                  <summary>Live YAML of {r.id}</summary>
                  <pre>{r.yaml}</pre>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Dependency graph" id="graph">
        <DependencyGraph
          title={`Resources of ${n.name} and their states`}
          nodes={data.resources.map((r) => ({
            id: r.id,
            kind: r.kind,
            level: r.level,
            dependIds: r.dependIds,
            state: states.get(r.id) ?? 'pending',
          }))}
        />
      </Section>
      <Section title="Conditions" id="conditions">
        <Conditions items={data.conditions} />
      </Section>
      <Section title="Events" id="events">
        <Events items={data.events} />
      </Section>
      <Section title="LynqNode YAML" id="yaml">
        <details>
          <summary>Show the rendered LynqNode (Secret values redacted)</summary>
          <pre>{data.yaml}</pre>
        </details>
      </Section>
    </div>
  );
}
