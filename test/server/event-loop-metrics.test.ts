import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { registerMetrics, ServerMetrics } from '../../src/server/metrics.js';

function gauge(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  assert.ok(line, `${name}${labels} is in /metrics`);
  return Number(line.split(' ')[1]);
}

describe('event-loop metrics', () => {
  it('/metrics reports event-loop delay by quantile and utilisation, and a blocked loop shows', async () => {
    const app = Fastify();
    const metrics = new ServerMetrics();
    registerMetrics(app, metrics);
    try {
      await sleep(50);
      // Hold the event loop the way a synchronous build or a long request would.
      const until = Date.now() + 150;
      while (Date.now() < until);
      await sleep(30);
      const text = (await app.inject('/metrics')).body;
      for (const q of ['0.5', '0.9', '0.99', '0.999', '1'])
        assert.ok(gauge(text, 'anirec_event_loop_delay_seconds', `{quantile="${q}"}`) >= 0);
      assert.ok(gauge(text, 'anirec_event_loop_delay_seconds', '{quantile="1"}') >= 0.1, 'the longest delay covers the 150 ms block');
      assert.ok(gauge(text, 'anirec_event_loop_delay_seconds', '{quantile="0.5"}') < 0.1, 'a typical tick was not blocked');
      const utilization = gauge(text, 'anirec_event_loop_utilization_ratio');
      assert.ok(utilization > 0 && utilization <= 1);
    } finally {
      await app.close(); // also stops the monitors (registerMetrics' onClose hook)
    }
  });
});
