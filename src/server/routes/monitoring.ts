import type { FastifyPluginAsync } from 'fastify';
import { monitoringHistory } from '../../ops/monitor.js';
import type { MonitoringDay } from '../../store/index.js';
import type { RouteDeps } from '../context.js';
import { responses } from '../schemas.js';

/** The most days one request may ask for: a year of daily rows is still a small answer. */
export const MAX_MONITORING_DAYS = 365;

const monitoringDaySchema = {
  type: 'object',
  required: ['day', 'modelVersion', 'count', 'scored', 'mae', 'rmse', 'hitRate', 'meanRank', 'drift', 'driftReason', 'computedAt'],
  properties: {
    day: { type: 'string', description: 'UTC day the users scored the titles (YYYY-MM-DD).' },
    modelVersion: { type: 'string', description: 'Registry version that was production when the day was monitored.' },
    count: { type: 'integer', description: 'Scored titles monitored that day.' },
    scored: { type: 'integer', description: 'Of those, how many had a calibrated score prediction (the MAE/RMSE denominator).' },
    mae: {
      type: ['number', 'null'],
      description: 'Mean absolute error of the predicted score (null when no prediction could be calibrated).',
    },
    rmse: { type: ['number', 'null'] },
    hitRate: { type: 'number', description: 'Share of the titles the model had in its top k (k = monitor.k in ops.json, 20 by default).' },
    meanRank: {
      type: 'number',
      description: 'Mean rank of the titles among everything the user had not listed yet (1 = first recommendation).',
    },
    drift: { type: 'boolean', description: 'The day is clearly worse than the days before it (see docs/operations.md).' },
    driftReason: { type: ['string', 'null'] },
    computedAt: { type: 'string', description: 'When `anirec monitor` last recomputed this row (ISO time).' },
  },
} as const;

export interface MonitoringResponse {
  days: MonitoringDay[];
  driftDays: number;
  latest: MonitoringDay | null;
}

/** The history that `anirec monitor` writes, for dashboards and the page's "Model health" chart. */
export const monitoringRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.get<{ Querystring: { days: number } }>(
    '/monitoring',
    {
      config: { access: 'read', metricsMode: 'monitoring' },
      schema: {
        tags: ['operations'],
        summary: 'Daily prediction-monitoring rows (MAE, RMSE, hit-rate, drift) written by `anirec monitor`, oldest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            days: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_MONITORING_DAYS,
              default: 30,
              description: 'How many UTC days back, today included.',
            },
          },
        },
        response: responses({
          type: 'object',
          required: ['days', 'driftDays', 'latest'],
          properties: {
            days: {
              type: 'array',
              items: monitoringDaySchema,
              description: 'One row per (day, model version), oldest first. Empty until `anirec monitor` has run.',
            },
            driftDays: { type: 'integer', description: 'Days in the window with at least one row flagged as drift.' },
            latest: {
              anyOf: [monitoringDaySchema, { type: 'null' }],
              description: 'The newest row: on the newest day, the newest model version.',
            },
          },
        }),
      },
    },
    async (request): Promise<MonitoringResponse> => {
      // Reads the store, not the loaded model: monitoring history is there even while no model is.
      const days = await monitoringHistory(deps.store, { days: request.query.days });
      // Rows come sorted by (day, model version) and version ids start with their sequence
      // number (v0002 > v0001), so the last row is the newest version on the newest day.
      return { days, driftDays: new Set(days.filter((d) => d.drift).map((d) => d.day)).size, latest: days.at(-1) ?? null };
    },
  );
};
