import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { RuntimeMetrics } from './metrics.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';

describe('RuntimeMetrics', () => {
  it('is created once per registry', () => {
    const registry = new Registry();
    expect(RuntimeMetrics.for(registry)).toBe(RuntimeMetrics.for(registry));
    expect(RuntimeMetrics.for(new Registry())).not.toBe(RuntimeMetrics.for(registry));
  });

  it('exposes workqueue metrics with client-go names and the name label', async () => {
    const registry = new Registry();
    const clock = new FakeClock();
    const q = new RateLimitingQueue({
      name: 'demo',
      clock,
      metrics: RuntimeMetrics.for(registry).queue('demo'),
    });
    q.add('a');
    q.add('b');
    q.addRateLimited('c');
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="demo"} 2');
    expect(text).toContain('workqueue_depth{name="demo"} 2');
    expect(text).toContain('workqueue_retries_total{name="demo"} 1');
    clock.advance(2000);
    q.done((await q.get()) as string);
    const after = await registry.metrics();
    expect(after).toContain('workqueue_queue_duration_seconds_count{name="demo"} 1');
    expect(after).toContain('workqueue_queue_duration_seconds_sum{name="demo"} 2');
    expect(after).toContain('workqueue_work_duration_seconds_count{name="demo"} 1');
  });

  it('counts reconciles by controller and result', async () => {
    const registry = new Registry();
    const m = RuntimeMetrics.for(registry).controller('widgets');
    m.reconciled('success', 10);
    m.reconciled('error', 20);
    m.reconciled('requeue_after', 5);
    const text = await registry.metrics();
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widgets",result="success"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widgets",result="error"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widgets",result="requeue"} 0',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widgets",result="requeue_after"} 1',
    );
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="widgets"} 1');
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_count{controller="widgets"} 3',
    );
  });
});
