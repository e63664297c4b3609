import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseOpsConfig } from '../../src/ops/config.js';
import { composeProblems, haproxyProblems, k8sPostgresProblems, PLACEHOLDER, type ComposeFile } from './postgres-checks.js';
import { loadManifests, loadValidators, parseYamlFile, ROOT, validateObject, validateWith, type K8sObject } from './validate.js';

const K8S = join(ROOT, 'deploy', 'k8s-postgres');
const COMPOSE = join(ROOT, 'deploy', 'compose');
const validators = loadValidators();
const manifests = loadManifests(K8S);
const objects = manifests.map((m) => m.obj);
const clone = <T>(v: T): T => structuredClone(v);
const named = (list: K8sObject[], kind: string, name: string): K8sObject => list.find((o) => o.kind === kind && o.metadata.name === name)!;
type Pod = { containers: Array<Record<string, unknown> & { env: Array<Record<string, unknown>> }>; volumes: Array<Record<string, unknown>> };
const podOf = (d: K8sObject): Pod => (d.spec as { template: { spec: Pod } }).template.spec;

describe('Kubernetes manifests, PostgreSQL mode (deploy/k8s-postgres)', () => {
  it('every document parses and validates against its kind schema', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name ?? ''}`).sort();
    for (const expected of ['Deployment/anirec-api', 'Deployment/anirec-worker', 'Service/anirec-api', 'HorizontalPodAutoscaler/anirec-api', 'PodDisruptionBudget/anirec-api', 'ConfigMap/anirec-config', 'ConfigMap/anirec-ops', 'Secret/anirec-secrets', 'Namespace/anirec']) {
      assert.ok(kinds.includes(expected), `missing ${expected} (have ${kinds.join(', ')})`);
    }
    for (const { file, obj } of manifests) assert.deepEqual(validateObject(validators, obj), [], `${file}: ${obj.kind}/${obj.metadata?.name}`);
  });

  it('API replicas without volumes, one worker, the database URL from the Secret', () => {
    assert.deepEqual(k8sPostgresProblems(objects), []);
    const api = podOf(named(objects, 'Deployment', 'anirec-api'));
    assert.ok(api.volumes.every((v) => 'emptyDir' in v), 'only scratch space');
    assert.ok((named(objects, 'Deployment', 'anirec-api').spec as { replicas: number }).replicas >= 3, 'three replicas by default');
  });

  it('the cross-checks catch each broken variant (so the check above can fail)', () => {
    const broken = (change: (list: K8sObject[]) => void, expected: RegExp): void => {
      const list = clone(objects);
      change(list);
      const problems = k8sPostgresProblems(list);
      assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got: ${problems.join(' | ') || 'none'}`);
    };
    const api = (list: K8sObject[]) => named(list, 'Deployment', 'anirec-api');
    const worker = (list: K8sObject[]) => named(list, 'Deployment', 'anirec-worker');
    broken((l) => podOf(api(l)).volumes.push({ name: 'data', persistentVolumeClaim: { claimName: 'anirec-data' } }), /PersistentVolumeClaim; replicas keep no state/);
    broken((l) => ((worker(l).spec as { replicas: number }).replicas = 2), /one worker/);
    broken((l) => ((api(l).spec as { replicas: number }).replicas = 1), /several replicas/);
    broken((l) => (podOf(api(l)).containers[0]!.env = [{ name: 'ANIREC_STORE', value: 'postgres://anirec:pw@db/anirec' }]), /ANIREC_STORE must come from a Secret/);
    broken((l) => ((podOf(worker(l)).containers[0]!.env[1]!.valueFrom as { secretKeyRef: { key: string } }).secretKeyRef.key = 'url'), /anirec-secrets\/url, which the example Secret does not have/);
    broken((l) => ((named(l, 'Secret', 'anirec-secrets').stringData as Record<string, string>)['store-url'] = 'postgres://anirec:hunter2@db.internal/anirec'), /other than the placeholder/);
    broken((l) => ((named(l, 'Secret', 'anirec-secrets').stringData as Record<string, string>)['api-key'] = 'k3y-from-prod'), /api-key holds a value other than the placeholder/);
    broken((l) => (podOf(api(l)).containers[0]!.readinessProbe = { httpGet: { path: '/health/live', port: 'http' } }), /readiness must be \/health\/ready/);
    broken((l) => ((named(l, 'Service', 'anirec-api').spec as { selector: Record<string, string> }).selector = { 'app.kubernetes.io/name': 'anirec' }), /also selects the worker/);
    broken((l) => ((named(l, 'HorizontalPodAutoscaler', 'anirec-api').spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'anirec-worker'), /not the API/);
    broken((l) => l.push({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'anirec-ingest', namespace: 'anirec' } }), /no CronJobs/);
    broken((l) => ((worker(l).spec as { strategy: { type: string } }).strategy.type = 'RollingUpdate'), /Recreate/);
    broken((l) => (named(l, 'ConfigMap', 'anirec-ops').data = { 'other.json': '{}' }), /ANIREC_OPS_CONFIG .* is not a key/);
    // And the schemas reject what a typo would make of them.
    const env = clone(named(objects, 'Deployment', 'anirec-api'));
    podOf(env).containers[0]!.env[0] = { name: 'ANIREC_STORE', valueFrom: { secretKeyRef: { name: 'anirec-secrets' } } };
    assert.ok(validateObject(validators, env).some((e) => /key/.test(e)), 'a secretKeyRef without a key');
    podOf(env).containers[0]!.env[0] = { name: 'ANIREC_STORE', value: 'x', valueFrom: { secretKeyRef: { name: 'anirec-secrets', key: 'store-url' } } };
    assert.notDeepEqual(validateObject(validators, env), [], 'a value and a valueFrom');
    const noProbe = clone(named(objects, 'Deployment', 'anirec-api'));
    delete podOf(noProbe).containers[0]!.readinessProbe;
    assert.ok(validateObject(validators, noProbe).some((e) => /readinessProbe/.test(e)), 'an API pod without readiness');
    const pdb = clone(named(objects, 'PodDisruptionBudget', 'anirec-api')) as K8sObject & { spec: Record<string, unknown> };
    pdb.spec.minAvailable = 2;
    assert.notDeepEqual(validateObject(validators, pdb), [], 'minAvailable and maxUnavailable together');
  });

  it('the jobs settings in the ConfigMap are a valid ops.json', () => {
    const ops = (named(objects, 'ConfigMap', 'anirec-ops').data as Record<string, string>)['ops.json']!;
    const config = parseOpsConfig(JSON.parse(ops), 'anirec-ops/ops.json');
    assert.equal(config.schedule.timezone, 'Etc/UTC');
  });

  it('kustomization lists every manifest except the example Secret (applying it would overwrite the real one)', () => {
    const k = objects.find((o) => o.kind === 'Kustomization') as unknown as { resources: string[] };
    const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !f.includes('.example.')).sort();
    assert.deepEqual([...k.resources].sort(), files);
    assert.ok(existsSync(join(K8S, 'secret.example.yaml')));
  });
});

describe('Compose file, PostgreSQL mode (deploy/compose)', () => {
  const [compose] = parseYamlFile(join(COMPOSE, 'compose.yaml'), { merge: true }) as [ComposeFile];
  const files = Object.fromEntries(readdirSync(COMPOSE).map((f) => [f, readFileSync(join(COMPOSE, f), 'utf8')]));

  it('parses (merge keys resolved as Compose does) and validates against the compose schema', () => {
    assert.deepEqual(validateWith(validators, 'compose', compose), []);
    assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'cli', 'lb', 'postgres', 'worker']);
    assert.equal(compose.services.api!.environment?.ANIREC_HOME, '/tmp/anirec', 'the x-store anchor was merged');
  });

  it('PostgreSQL + API replicas + one worker + a load balancer, wired to each other, nothing secret in the files', () => {
    assert.deepEqual(composeProblems(compose, files), []);
    assert.equal(parseOpsConfig(JSON.parse(files['ops.json']!), 'deploy/compose/ops.json').schedule.retrain, '0 5 * * 0');
    const example = files['env.example']!.split('\n').filter((l) => /^[A-Z_]+=/.test(l));
    assert.deepEqual(example, [`POSTGRES_PASSWORD=${PLACEHOLDER}`, `ANIREC_API_KEY=${PLACEHOLDER}`]);
    assert.match(files['.gitignore']!, /^\.env$/m, 'a filled-in .env is never committed');
  });

  it('the compose checks and schema catch broken variants', () => {
    const broken = (change: (c: ComposeFile) => void, expected: RegExp): void => {
      const c = clone(compose);
      change(c);
      const problems = [...composeProblems(c, files), ...validateWith(validators, 'compose', c)];
      assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got: ${problems.join(' | ') || 'none'}`);
    };
    broken((c) => (c.services.api!.environment!.ANIREC_STORE = 'postgres://anirec:secret@postgres:5432/anirec'), /password must be \$\{POSTGRES_PASSWORD\}/);
    broken((c) => (c.services.worker!.environment!.ANIREC_STORE = 'postgres://anirec:${POSTGRES_PASSWORD}@db:5432/anirec'), /not the postgres service/);
    broken((c) => (c.services.postgres!.environment!.POSTGRES_PASSWORD = 'postgres'), /never a literal/);
    broken((c) => (c.services.api!.volumes = ['data:/var/lib/anirec']), /no volumes/);
    broken((c) => (c.services.worker!.deploy = { replicas: 2 }), /one replica/);
    broken((c) => (c.services.api!.depends_on = { postgres: { condition: 'service_started' } }), /service_healthy/);
    broken((c) => (c.services.lb!.depends_on = ['apii']), /apii, which is not a service/);
    broken((c) => (c.services.api!.environment!.ANIREC_API_KEY = '${ANIREC_API_KEY'), /malformed|ANIREC_API_KEY must be/);
    broken((c) => ((c.services.api as unknown as Record<string, unknown>).replicas = 3), /must NOT have additional properties \(replicas\)/);
    broken((c) => ((c.services.api as unknown as Record<string, unknown>).restart = 'sometimes'), /allowed values/);
  });

  it('HAProxy balances round robin over ready replicas and never resends a write that reached one', () => {
    assert.deepEqual(haproxyProblems(files['haproxy.cfg']!, 'api', 8080), []);
    const cfg = files['haproxy.cfg']!;
    assert.match(haproxyProblems(cfg.replace('retry-on conn-failure', 'retry-on conn-failure empty-response response-timeout'), 'api', 8080).join('\n'), /applied twice/);
    assert.match(haproxyProblems(cfg.replace('GET /health/ready', 'GET /health/live'), 'api', 8080).join('\n'), /\/health\/ready/);
    assert.match(haproxyProblems(cfg.replace('api:8080', 'api:80'), 'api', 8080).join('\n'), /does not point at api:8080/);
    assert.match(haproxyProblems(cfg.replace('balance roundrobin', 'balance source'), 'api', 8080).join('\n'), /roundrobin/);
  });
});
