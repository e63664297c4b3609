import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { monitoringHistory } from '../../ops/monitor.js';
import type { RouteDeps } from '../context.js';
import { responses } from '../../wire/errors.js';
import { MonitoringQuerySchema, MonitoringSchema, type Monitoring } from '../../wire/monitoring.js';

/** The history that `anirec monitor` writes, for dashboards and the page's "Model health" chart. */
export const monitoringRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/monitoring',
    {
      config: { access: 'read', metricsMode: 'monitoring' },
      schema: {
        tags: ['operations'],
        summary: 'Daily prediction-monitoring rows (MAE, RMSE, hit-rate, drift) written by `anirec monitor`, oldest first',
        querystring: MonitoringQuerySchema,
        response: responses(MonitoringSchema),
      },
    },
    async (request): Promise<Monitoring> => {
      // Reads the store, not the loaded model: monitoring history is there even while no model is.
      const days = await monitoringHistory(deps.store, { days: request.query.days });
      // Rows come sorted by (day, model version) and version ids start with their sequence
      // number (v0002 > v0001), so the last row is the newest version on the newest day.
      return { days, driftDays: new Set(days.filter((d) => d.drift).map((d) => d.day)).size, latest: days.at(-1) ?? null };
    },
  );
};
