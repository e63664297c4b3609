// Cross-checks of the PostgreSQL mode's deployment files (deploy/k8s-postgres, deploy/compose)
// that a JSON schema cannot express: which process gets which secret, that no API pod keeps
// state on a volume, that one worker runs, that the load balancer never resends a write. Each
// returns a list of problems (empty = fine), so the tests can also feed them broken copies.
import type { K8sObject } from './validate.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; persistentVolumeClaim?: unknown; emptyDir?: unknown; configMap?: { name: string } }>;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}
interface DeploymentSpec {
  replicas?: number;
  strategy?: { type: string };
  selector: { matchLabels: Record<string, string> };
  template: PodTemplate;
}

const COMPONENT = 'app.kubernetes.io/component';
/** The placeholder the example Secret and env.example carry instead of a password or key. */
export const PLACEHOLDER = 'CHANGE_ME';

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

function deployment(objects: K8sObject[], component: string): (K8sObject & { spec: DeploymentSpec }) | undefined {
  return objects.find((o) => o.kind === 'Deployment' && (o.spec as unknown as DeploymentSpec | undefined)?.template.metadata.labels[COMPONENT] === component) as (K8sObject & { spec: DeploymentSpec }) | undefined;
}

/** The Secret key an env var of `container` comes from, e.g. "anirec-secrets/store-url". */
function secretOf(container: Container, variable: string): string | null {
  const ref = container.env?.find((e) => e.name === variable)?.valueFrom?.secretKeyRef;
  return ref ? `${ref.name}/${ref.key}` : null;
}

/** Problems of the PostgreSQL-mode Kubernetes objects taken together (the kustomization's and the example Secret). */
export function k8sPostgresProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const api = deployment(objects, 'api');
  const worker = deployment(objects, 'worker');
  if (!api || !worker) return [`needs an API and a worker Deployment (component labels api and worker); found ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`];
  const secrets = new Map<string, Record<string, string>>();
  for (const s of objects.filter((o) => o.kind === 'Secret')) secrets.set(s.metadata.name, (s.stringData ?? {}) as Record<string, string>);
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((c) => [c.metadata.name, (c.data ?? {}) as Record<string, string>]));

  if (objects.some((o) => o.kind === 'PersistentVolumeClaim')) problems.push('the PostgreSQL mode keeps no state in the cluster: no PersistentVolumeClaim');
  if (objects.some((o) => o.kind === 'CronJob')) problems.push('no CronJobs: the worker schedules the jobs through the queue in PostgreSQL');

  const apiSpec = api.spec;
  if ((apiSpec.replicas ?? 1) < 2) problems.push(`the API runs several replicas (replicas: ${apiSpec.replicas ?? 1})`);
  if (worker.spec.replicas !== 1) problems.push(`one worker (replicas: ${worker.spec.replicas ?? 'unset'})`);
  if (worker.spec.strategy?.type !== 'Recreate') problems.push('the worker is replaced with Recreate, so a rollout does not start a second scheduler beside the first');

  for (const [what, d] of [['API', api], ['worker', worker]] as const) {
    const pod = d.spec.template.spec;
    if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)) problems.push(`${what}: the selector does not match its pod labels`);
    for (const v of pod.volumes ?? []) {
      if (v.persistentVolumeClaim !== undefined) problems.push(`${what}: volume ${v.name} is a PersistentVolumeClaim; replicas keep no state (emptyDir or configMap only)`);
      if (v.configMap && !configMaps.has(v.configMap.name)) problems.push(`${what}: volume ${v.name} names ConfigMap ${v.configMap.name}, which is not defined`);
    }
    for (const c of pod.containers) {
      const store = secretOf(c, 'ANIREC_STORE');
      if (store === null) problems.push(`${what}/${c.name}: ANIREC_STORE must come from a Secret (env valueFrom.secretKeyRef), not a literal`);
      else {
        const [name, key] = store.split('/') as [string, string];
        const url = secrets.get(name)?.[key];
        if (url === undefined) problems.push(`${what}/${c.name}: ANIREC_STORE comes from ${store}, which the example Secret does not have`);
        else if (!/^postgres(ql)?:\/\//.test(url)) problems.push(`${store} is not a postgres:// URL`);
      }
      if (c.image !== api.spec.template.spec.containers[0]!.image) problems.push(`${what}/${c.name} runs ${c.image}, not the API's image`);
      for (const m of c.volumeMounts ?? []) if (!(pod.volumes ?? []).some((v) => v.name === m.name)) problems.push(`${what}/${c.name}: mount ${m.name} has no volume`);
    }
  }

  const apiContainer = apiSpec.template.spec.containers[0]!;
  if (apiContainer.readinessProbe?.httpGet.path !== '/health/ready') problems.push('API readiness must be /health/ready (it fails while the database is unreachable)');
  if (apiContainer.livenessProbe?.httpGet.path !== '/health/live') problems.push('API liveness must be /health/live (a database outage must not restart every replica)');
  if (secretOf(apiContainer, 'ANIREC_API_KEY') === null) problems.push('the API binds 0.0.0.0, so its key (ANIREC_API_KEY) must come from a Secret or feedback writes are refused');
  const workerContainer = worker.spec.template.spec.containers[0]!;
  if (JSON.stringify(workerContainer.args) !== '["worker"]') problems.push(`the worker runs \`anirec worker\` (args ${JSON.stringify(workerContainer.args)})`);
  if (secretOf(workerContainer, 'ANIREC_API_KEY') !== null) problems.push('the worker serves no HTTP and does not get the API key');
  const opsPath = workerContainer.env?.find((e) => e.name === 'ANIREC_OPS_CONFIG')?.value;
  if (opsPath !== undefined) {
    const mount = (workerContainer.volumeMounts ?? []).find((m) => opsPath.startsWith(`${m.mountPath}/`));
    const volume = mount && worker.spec.template.spec.volumes?.find((v) => v.name === mount.name);
    const key = opsPath.slice((mount?.mountPath.length ?? 0) + 1);
    if (!volume?.configMap || configMaps.get(volume.configMap.name)?.[key] === undefined) problems.push(`ANIREC_OPS_CONFIG ${opsPath} is not a key of a ConfigMap mounted there`);
  }

  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const selector = (service.spec as { selector: Record<string, string> }).selector;
    if (!matches(selector, apiSpec.template.metadata.labels)) problems.push(`Service ${service.metadata.name} does not select the API pods`);
    if (matches(selector, worker.spec.template.metadata.labels)) problems.push(`Service ${service.metadata.name} also selects the worker, which serves no HTTP`);
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const spec = hpa.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas?: number };
    if (spec.scaleTargetRef.name !== api.metadata.name) problems.push(`HPA ${hpa.metadata.name} scales ${spec.scaleTargetRef.name}, not the API (the worker must stay at one)`);
    if ((spec.minReplicas ?? 1) < 2) problems.push(`HPA ${hpa.metadata.name} may scale the API down to one replica`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (!matches((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, apiSpec.template.metadata.labels)) problems.push(`PodDisruptionBudget ${pdb.metadata.name} does not select the API pods`);
  }
  for (const [name, data] of secrets) {
    for (const [key, value] of Object.entries(data)) {
      const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/.exec(value)?.[1];
      const secretPart = password ?? (/^postgres/.test(value) ? null : value);
      if (secretPart !== null && secretPart !== PLACEHOLDER) problems.push(`Secret ${name}/${key} holds a value other than the placeholder ${PLACEHOLDER}: an example never carries a real password or key`);
    }
  }
  return problems;
}

interface ComposeService {
  image: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `${VAR}`, `${VAR:?message}`, `${VAR:-default}` and their unset-only forms: Compose's interpolation. */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)((:?[?-])[^}]*)?\}/g;

/** Problems of the compose file together with the files it mounts (`files`: name → text, relative to the compose file). */
export function composeProblems(compose: ComposeFile, files: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const names = new Set(Object.keys(services));
  for (const [name, s] of Object.entries(services)) {
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) if (!names.has(d)) problems.push(`${name} depends on ${d}, which is not a service`);
    for (const [key, value] of Object.entries(s.environment ?? {})) {
      const stripped = value.replace(INTERPOLATION, '');
      if (/\$\{/.test(stripped) || /\$[A-Za-z_]/.test(stripped)) problems.push(`${name}: ${key} has a malformed \${…} interpolation`);
    }
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!;
      if (source.startsWith('./') && files[source.slice(2)] === undefined) problems.push(`${name} mounts ${source}, which does not exist beside the compose file`);
      if (!source.startsWith('.') && !source.startsWith('/') && !(compose.volumes ?? {})[source]) problems.push(`${name} mounts the named volume ${source}, which is not declared`);
    }
  }
  const postgres = services.postgres;
  const anirec = Object.entries(services).filter(([, s]) => s.image.startsWith('anirec:'));
  const api = services.api;
  const worker = services.worker;
  if (!postgres || !api || !worker) return [...problems, 'needs the services postgres, api and worker'];

  const pgEnv = postgres.environment ?? {};
  if (!/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/.test(pgEnv.POSTGRES_PASSWORD ?? '')) problems.push('postgres: POSTGRES_PASSWORD must be ${POSTGRES_PASSWORD:?…} (from .env, required), never a literal');
  for (const [name, s] of anirec) {
    const url = s.environment?.ANIREC_STORE;
    if (url === undefined) {
      problems.push(`${name}: no ANIREC_STORE`);
      continue;
    }
    const m = /^postgres:\/\/([^:@]+):(.*)@([^:/]+):(\d+)\/([^?]+)/.exec(url);
    if (!m) {
      problems.push(`${name}: ANIREC_STORE ${url} is not postgres://USER:PASSWORD@HOST:PORT/DB`);
      continue;
    }
    const [, user, password, host, port, db] = m;
    if (host !== 'postgres' || port !== '5432') problems.push(`${name}: ANIREC_STORE points at ${host}:${port}, not the postgres service`);
    if (user !== pgEnv.POSTGRES_USER || db !== pgEnv.POSTGRES_DB) problems.push(`${name}: ANIREC_STORE's user/database ${user}/${db} are not the postgres service's ${pgEnv.POSTGRES_USER}/${pgEnv.POSTGRES_DB}`);
    if (!/^\$\{POSTGRES_PASSWORD(:\?[^}]*)?\}$/.test(password!)) problems.push(`${name}: ANIREC_STORE's password must be \${POSTGRES_PASSWORD}, not a literal`);
    const deps = Array.isArray(s.depends_on) ? null : s.depends_on?.postgres;
    if (deps?.condition !== 'service_healthy') problems.push(`${name} starts before PostgreSQL accepts connections (depends_on postgres: service_healthy)`);
  }
  if ((api.volumes ?? []).length > 0) problems.push('api: replicas keep no state, so no volumes (tmpfs /tmp only)');
  if ((api.deploy?.replicas ?? 1) < 2) problems.push(`api: several replicas (deploy.replicas ${api.deploy?.replicas ?? 1})`);
  if (JSON.stringify(api.command) !== '["serve","--host","0.0.0.0","--port","8080"]') problems.push(`api: runs serve on 0.0.0.0:8080 (command ${JSON.stringify(api.command)})`);
  if (!/^\$\{ANIREC_API_KEY:\?[^}]+\}$/.test(api.environment?.ANIREC_API_KEY ?? '')) problems.push('api: ANIREC_API_KEY must be ${ANIREC_API_KEY:?…} (writes need a key off loopback)');
  if ((worker.deploy?.replicas ?? 1) !== 1) problems.push(`worker: one replica (deploy.replicas ${worker.deploy?.replicas})`);
  if (JSON.stringify(worker.command) !== '["worker"]') problems.push(`worker: runs \`anirec worker\` (command ${JSON.stringify(worker.command)})`);

  const lb = Object.entries(services).find(([, s]) => (s.volumes ?? []).some((v) => v.includes('haproxy.cfg')));
  const cfg = files['haproxy.cfg'];
  if (!lb || cfg === undefined) return [...problems, 'a load balancer service mounting haproxy.cfg'];
  problems.push(...haproxyProblems(cfg, 'api', 8080));
  return problems;
}

/** Problems of the HAProxy config: round robin over `service:port`, readiness checks, retries only of requests that never reached a replica. */
export function haproxyProblems(cfg: string, service: string, port: number): string[] {
  const problems: string[] = [];
  const lines = cfg.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');
  const backendAt = lines.findIndex((l) => /^backend\s/.test(l));
  if (backendAt < 0) return ['haproxy.cfg has no backend'];
  const backend: string[] = [];
  for (const l of lines.slice(backendAt + 1)) {
    if (/^(frontend|backend|defaults|global|resolvers|listen)\b/.test(l)) break;
    backend.push(l);
  }
  const servers = backend.filter((l) => /^server(-template)?\s/.test(l));
  if (servers.length === 0) problems.push('haproxy.cfg: the backend has no server');
  for (const s of servers) {
    if (!s.includes(` ${service}:${port}`)) problems.push(`haproxy.cfg: "${s}" does not point at ${service}:${port}`);
    if (!/\scheck(\s|$)/.test(s)) problems.push(`haproxy.cfg: "${s}" is not health-checked`);
  }
  if (!backend.includes('balance roundrobin')) problems.push('haproxy.cfg: balance roundrobin');
  if (!backend.some((l) => /^option httpchk GET \/health\/ready$/.test(l))) problems.push('haproxy.cfg: health checks GET /health/ready (not /health/live: an unready replica must get no traffic)');
  const retryOn = lines.filter((l) => l.startsWith('retry-on '));
  for (const r of retryOn) {
    const conditions = r.split(/\s+/).slice(1);
    if (conditions.some((c) => c !== 'conn-failure' && c !== 'none')) problems.push(`haproxy.cfg: "${r}" may resend a request a replica already received (a feedback write applied twice); retry only on conn-failure`);
  }
  if (lines.some((l) => /^option\s+(allbackups|http-retry|retry-nonidempotent)/.test(l))) problems.push('haproxy.cfg: no option that resends non-idempotent requests');
  return problems;
}
