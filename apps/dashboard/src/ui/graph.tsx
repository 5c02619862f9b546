// A form's dependency graph as SVG: one column per level (dependencies on the left), an arrow
// from each dependency to its dependent. The tables beside it say the same in words.
import type { Health, ResourceState } from '../view-model.js';

export interface GraphNode {
  id: string;
  kind: string;
  level: number;
  dependIds: string[];
  state?: Health | ResourceState;
}

const W = 170;
const H = 40;
const GAP_X = 70;
const GAP_Y = 18;
const PAD = 10;

export function DependencyGraph({ nodes, title }: { nodes: GraphNode[]; title: string }) {
  if (nodes.length === 0) return <p class="muted">No resources.</p>;
  const columns = new Map<number, GraphNode[]>();
  for (const n of nodes) {
    const col = columns.get(n.level) ?? [];
    col.push(n);
    columns.set(n.level, col);
  }
  const pos = new Map<string, { x: number; y: number }>();
  let maxRows = 0;
  for (const [level, col] of columns) {
    col.forEach((n, i) =>
      pos.set(n.id, { x: PAD + level * (W + GAP_X), y: PAD + i * (H + GAP_Y) }),
    );
    maxRows = Math.max(maxRows, col.length);
  }
  const levels = Math.max(...columns.keys()) + 1;
  const width = PAD * 2 + levels * W + (levels - 1) * GAP_X;
  const height = PAD * 2 + maxRows * H + (maxRows - 1) * GAP_Y;
  const edges = nodes.flatMap((n) =>
    n.dependIds
      .filter((d) => pos.has(d))
      .map((d) => ({ from: pos.get(d)!, to: pos.get(n.id)!, key: `${d}->${n.id}` })),
  );
  const described = nodes
    .map((n) =>
      n.dependIds.length
        ? `${n.id} depends on ${n.dependIds.join(', ')}`
        : `${n.id} has no dependencies`,
    )
    .join('. ');
  return (
    <div class="graph-scroll">
      <svg
        class="graph"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby="graph-title graph-desc"
      >
        <title id="graph-title">{title}</title>
        <desc id="graph-desc">{described}</desc>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {edges.map((e) => {
          const x1 = e.from.x + W;
          const y1 = e.from.y + H / 2;
          const x2 = e.to.x;
          const y2 = e.to.y + H / 2;
          const mx = (x1 + x2) / 2;
          return (
            <path
              key={e.key}
              class="edge"
              d={`M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`}
              marker-end="url(#arrow)"
            />
          );
        })}
        {nodes.map((n) => {
          const p = pos.get(n.id)!;
          return (
            <g
              key={n.id}
              transform={`translate(${p.x},${p.y})`}
              class={`gnode s-${n.state ?? 'none'}`}
            >
              <rect width={W} height={H} rx="6" />
              <text x="10" y="17" class="gid">
                {n.id.length > 22 ? `${n.id.slice(0, 21)}…` : n.id}
              </text>
              <text x="10" y="32" class="gkind">
                {n.kind}
                {n.state !== undefined ? ` · ${n.state}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
