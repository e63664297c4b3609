/** Prediction monitoring on the wire: the rows `anirec monitor` writes, as GET /monitoring answers them. */
import Type, { type Static } from 'typebox';
import { Defaulted, Nullable } from './json.js';

/** The most days one request may ask for: a year of daily rows is still a small answer. */
export const MAX_MONITORING_DAYS = 365;

export const MonitoringQuerySchema = Type.Object(
  {
    days: Defaulted(Type.Integer({ minimum: 1, maximum: MAX_MONITORING_DAYS, description: 'How many UTC days back, today included.' }), 30),
  },
  { additionalProperties: false },
);

export const MonitoringDaySchema = Type.Object({
  day: Type.String({ description: 'UTC day the users scored the titles (YYYY-MM-DD).' }),
  modelVersion: Type.String({ description: 'Registry version that was production when the day was monitored.' }),
  count: Type.Integer({ description: 'Scored titles monitored that day.' }),
  scored: Type.Integer({ description: 'Of those, how many had a calibrated score prediction (the MAE/RMSE denominator).' }),
  mae: Nullable(Type.Number({ description: 'Mean absolute error of the predicted score (null when no prediction could be calibrated).' })),
  rmse: Nullable(Type.Number()),
  hitRate: Type.Number({ description: 'Share of the titles the model had in its top k (k = monitor.k in ops.json, 20 by default).' }),
  meanRank: Type.Number({
    description: 'Mean rank of the titles among everything the user had not listed yet (1 = first recommendation).',
  }),
  drift: Type.Boolean({ description: 'The day is clearly worse than the days before it (see docs/operations.md).' }),
  driftReason: Nullable(Type.String()),
  computedAt: Type.String({ description: 'When `anirec monitor` last recomputed this row (ISO time).' }),
});

/** One day of prediction monitoring for one model version. */
export type MonitoringDay = Static<typeof MonitoringDaySchema>;

export const MonitoringSchema = Type.Object({
  days: Type.Array(MonitoringDaySchema, {
    description: 'One row per (day, model version), oldest first. Empty until `anirec monitor` has run.',
  }),
  driftDays: Type.Integer({ description: 'Days in the window with at least one row flagged as drift.' }),
  latest: Type.Union([MonitoringDaySchema, Type.Null()], { description: 'The newest row: on the newest day, the newest model version.' }),
});

export type Monitoring = Static<typeof MonitoringSchema>;
