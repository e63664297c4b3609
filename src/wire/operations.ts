/**
 * What the operator-facing routes answer: the health probes (read by load balancers and
 * orchestrators, so they say only which state the replica is in and why, never a path or an error
 * text) and the admin routes that show and reload the model in use.
 */
import Type, { type Static } from 'typebox';
import { Nullable } from './json.js';
import { ModelRefSchema } from './recommendations.js';

export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });

export const ReadinessSchema = Type.Object({
  status: Type.Enum(['ready', 'not_ready'], { type: 'string' }),
  reason: Type.Optional(Type.String({ description: 'Why the replica is not ready (no model loaded yet, the store does not answer).' })),
  store: Type.Object({ kind: Type.Enum(['sqlite', 'postgres'], { type: 'string' }), reachable: Type.Boolean() }),
  model: Nullable(Type.Object({ version: Type.String() })),
});

export type Readiness = Static<typeof ReadinessSchema>;

export const AdminModelSchema = Type.Object({
  model: Nullable(Type.Object({ ...ModelRefSchema.properties, loadedAt: Type.String({ description: 'ISO 8601.' }) })),
  lastModelError: Nullable(Type.String({ description: 'Why the last attempt to load a model failed; null once one loads.' })),
});

export const AdminReloadSchema = Type.Object({ status: Type.Literal('reloaded'), model: Nullable(ModelRefSchema) });
