// Graph walks without recursion. graphlib's tarjan and topsort recurse once per resource on a
// path, so a LynqForm with a dependency chain of a few thousand resources (untrusted input)
// overflowed the stack; these use explicit stacks and queues instead.
import type { Graph } from '@dagrejs/graphlib';

/** The strongly connected components of `graph` (Tarjan's algorithm, iteratively). */
export function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;

  for (const root of graph.nodes()) {
    if (index.has(root)) continue;
    // Each frame: a node and the position of the next successor to visit.
    const frames: { node: string; successors: string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, next);
      lowlink.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, successors: graph.successors(node) ?? [], at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      if (frame.at < frame.successors.length) {
        const successor = frame.successors[frame.at++] as string;
        if (!index.has(successor)) enter(successor);
        else if (onStack.has(successor))
          lowlink.set(
            frame.node,
            Math.min(lowlink.get(frame.node) as number, index.get(successor) as number),
          );
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined)
        lowlink.set(
          parent.node,
          Math.min(lowlink.get(parent.node) as number, lowlink.get(frame.node) as number),
        );
      if (lowlink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/**
 * The level of every node of an acyclic `graph`: 0 without predecessors, else one more than its
 * deepest predecessor (Kahn's algorithm). Throws on a cycle, which callers rule out first.
 */
export function longestPathLevels(graph: Graph): Map<string, number> {
  const waiting = new Map<string, number>();
  const queue: string[] = [];
  for (const node of graph.nodes()) {
    const count = graph.predecessors(node)?.length ?? 0;
    waiting.set(node, count);
    if (count === 0) queue.push(node);
  }
  const level = new Map<string, number>();
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as string;
    let own = 0;
    for (const dep of graph.predecessors(node) ?? [])
      own = Math.max(own, (level.get(dep) as number) + 1);
    level.set(node, own);
    for (const successor of graph.successors(node) ?? []) {
      const left = (waiting.get(successor) as number) - 1;
      waiting.set(successor, left);
      if (left === 0) queue.push(successor);
    }
  }
  if (level.size !== graph.nodeCount())
    throw new Error('internal: levels asked of a graph with a cycle');
  return level;
}
