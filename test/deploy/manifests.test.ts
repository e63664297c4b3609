import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  analysePromql,
  cronProblem,
  EXPORTED_METRICS,
  loadValidators,
  metricFamily,
  loadManifests,
  parseYamlFile,
  ROOT,
  validateObject,
  type K8sObject,
} from './validate.js';

const K8S = join(ROOT, 'deploy', 'k8s');
const validators = loadValidators();

const objects = loadManifests(K8S);
const ofKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
const clone = <T>(v: T): T => structuredClone(v);

// Typed views of the parts the cross-checks read.
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}
const deploymentPod = (d: K8sObject) => (d.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } }).template;
const cronPod = (c: K8sObject) => (c.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec;

describe('Kubernetes manifests, SQLite mode (deploy/k8s)', () => {
  it('every document parses and validates against its kind schema', () => {
    assert.ok(objects.length >= 8, `expected the full set of objects, found ${objects.length}`);
    for (const { file, obj } of objects) {
      assert.deepEqual(validateObject(validators, obj), [], `${file}: ${obj.kind}/${obj.metadata?.name}`);
    }
  });

  it('has the objects issue 6 asks for', () => {
    const kinds = objects.map((o) => `${o.obj.kind}/${o.obj.metadata?.name ?? ''}`).sort();
    for (const expected of ['Deployment/anirec-api', 'Service/anirec-api', 'PersistentVolumeClaim/anirec-data', 'CronJob/anirec-ingest', 'CronJob/anirec-monitor', 'CronJob/anirec-retrain']) {
      assert.ok(kinds.includes(expected), `missing ${expected} (have ${kinds.join(', ')})`);
    }
  });

  it('runs one API pod: SQLite is one file that only one host may write (issue 14)', () => {
    const spec = ofKind('Deployment')[0]!.spec as { replicas: number; strategy: { type: string } };
    assert.equal(spec.replicas, 1);
    assert.equal(spec.strategy.type, 'Recreate', 'a rolling update would run two pods on the file');
    assert.deepEqual(ofKind('HorizontalPodAutoscaler'), [], 'nothing scales it out');
    const claim = ofKind('PersistentVolumeClaim')[0]!.spec as { accessModes: string[] };
    assert.deepEqual(claim.accessModes, ['ReadWriteOnce'], 'not a network (RWX) volume');
    for (const cron of ofKind('CronJob')) {
      const affinity = (cronPod(cron) as PodSpec & { affinity?: { podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ labelSelector: { matchLabels: Record<string, string> } }> } } }).affinity;
      const terms = affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      const api = deploymentPod(ofKind('Deployment')[0]!).metadata.labels;
      assert.ok(terms.length > 0 && terms.every((t) => Object.entries(t.labelSelector.matchLabels).every(([k, v]) => api[k] === v)), `${cron.metadata.name} runs beside the API pod (the volume is ReadWriteOnce)`);
    }
  });

  it('the validator rejects broken manifests (so the checks above can fail)', () => {
    const deployment = ofKind('Deployment')[0]!;
    const noImage = clone(deployment);
    delete (deploymentPod(noImage).spec.containers[0] as Partial<Container>).image;
    assert.ok(validateObject(validators, noImage).some((e) => /image/.test(e)), 'a container without an image');

    const typo = clone(deployment) as K8sObject & { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    const c = typo.spec.template.spec.containers[0]!;
    c.readinessprobe = c.readinessProbe;
    delete c.readinessProbe;
    const typoErrors = validateObject(validators, typo);
    assert.ok(typoErrors.some((e) => /readinessprobe/.test(e)) && typoErrors.some((e) => /readinessProbe/.test(e)), typoErrors.join('\n'));

    const noPath = clone(deployment);
    delete (deploymentPod(noPath).spec.containers[0]!.livenessProbe!.httpGet as Partial<{ path: string }>).path;
    assert.ok(validateObject(validators, noPath).some((e) => /path/.test(e)), 'a probe without a path');

    const hpa = clone(loadManifests(join(ROOT, 'deploy', 'k8s-postgres')).find((o) => o.obj.kind === 'HorizontalPodAutoscaler')!.obj) as K8sObject & { spec: { metrics: Array<Record<string, unknown>> } };
    hpa.spec.metrics[0] = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } };
    assert.notDeepEqual(validateObject(validators, hpa), [], 'a Utilization target without averageUtilization');
    assert.notDeepEqual(validateObject(validators, { ...clone(hpa), apiVersion: 'autoscaling/v1' }), [], 'an HPA of the old API version');

    const cron = clone(ofKind('CronJob')[0]!) as K8sObject & { spec: { schedule: string } };
    cron.spec.schedule = '0 3 * *';
    assert.ok(validateObject(validators, cron).some((e) => /cron5/.test(e)), 'a 4-field schedule');
    cron.spec.schedule = '61 3 * * *';
    assert.notDeepEqual(validateObject(validators, cron), []);
    assert.deepEqual(validateObject(validators, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), ['no schema for v1/Pod; add one under test/deploy/schemas/ or fix apiVersion/kind']);
    const badYaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   namespace: y\n';
    assert.throws(() => parseYaml(badYaml), 'mis-indented YAML does not parse');
  });

  it('cron expressions are checked field by field', () => {
    assert.equal(cronProblem('15 2 * * *'), null);
    assert.equal(cronProblem('*/15 0-6,22-23 1 1-12/2 0'), null);
    assert.match(cronProblem('0 24 * * *')!, /hour 24 is outside 0-23/);
    assert.match(cronProblem('0 3 * * MON')!, /day of week "MON"/);
    assert.match(cronProblem('@daily')!, /1 fields, expected 5/);
    assert.match(cronProblem('0 5-3 * * *')!, /backwards/);
  });

  it('the API Deployment: non-root, probes on the named port, the Service points at it', () => {
    const deployment = ofKind('Deployment')[0]!;
    const pod = deploymentPod(deployment);
    assert.equal(pod.spec.securityContext?.runAsNonRoot, true);
    assert.equal(pod.spec.securityContext?.runAsUser, 10001, 'matches the image USER');
    const api = pod.spec.containers[0]!;
    assert.deepEqual(api.args, ['serve', '--host', '0.0.0.0', '--port', '8080']);
    assert.equal(api.readinessProbe!.httpGet.path, '/health/ready');
    assert.equal(api.livenessProbe!.httpGet.path, '/health/live');
    const portNames = (api.ports ?? []).map((p) => p.name);
    for (const probe of [api.readinessProbe!, api.livenessProbe!]) {
      const port = probe.httpGet.port;
      assert.ok(typeof port === 'number' ? api.ports!.some((p) => p.containerPort === port) : portNames.includes(port), `probe port ${port} is declared`);
    }
    const service = ofKind('Service')[0]!;
    const selector = (service.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> }).selector;
    for (const [k, v] of Object.entries(selector)) assert.equal(pod.metadata.labels[k], v, `Service selector ${k}=${v} matches the pods`);
    for (const p of (service.spec as { ports: Array<{ targetPort: string | number }> }).ports) assert.ok(portNames.includes(String(p.targetPort)));
    const matchLabels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    for (const [k, v] of Object.entries(matchLabels)) assert.equal(pod.metadata.labels[k], v, 'Deployment selector matches its template');
  });

  it('CronJobs run ingest daily, monitor daily, retrain weekly, once at a time, on the shared volume', () => {
    const byName = new Map(ofKind('CronJob').map((c) => [c.metadata.name, c]));
    const expectations: Array<[string, string, RegExp]> = [
      ['anirec-ingest', 'ingest', /^\d+ \d+ \* \* \*$/],
      ['anirec-monitor', 'monitor', /^\d+ \d+ \* \* \*$/],
      ['anirec-retrain', 'retrain', /^\d+ \d+ \* \* [0-7]$/],
    ];
    const claims = new Set(ofKind('PersistentVolumeClaim').map((p) => p.metadata.name));
    const apiImage = deploymentPod(ofKind('Deployment')[0]!).spec.containers[0]!.image;
    for (const [name, command, schedule] of expectations) {
      const cron = byName.get(name)!;
      const spec = cron.spec as { schedule: string; concurrencyPolicy: string };
      assert.match(spec.schedule, schedule, `${name} schedule`);
      assert.equal(spec.concurrencyPolicy, 'Forbid', `${name} must not run twice at once`);
      const pod = cronPod(cron);
      assert.deepEqual(pod.containers[0]!.args, [command]);
      assert.equal(pod.containers[0]!.image, apiImage, 'jobs run the same image as the API');
      assert.equal(pod.securityContext?.runAsNonRoot, true);
    }
    // Every pod that mounts a claim mounts one that exists, at the image's ANIREC_HOME.
    const pods = [deploymentPod(ofKind('Deployment')[0]!).spec, ...ofKind('CronJob').map(cronPod)];
    for (const pod of pods) {
      const volumes = pod.volumes ?? [];
      for (const v of volumes) if (v.persistentVolumeClaim) assert.ok(claims.has(v.persistentVolumeClaim.claimName), `claim ${v.persistentVolumeClaim.claimName} exists`);
      for (const c of pod.containers) {
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.some((v) => v.name === m.name), `volume ${m.name} is declared`);
        assert.ok((c.volumeMounts ?? []).some((m) => m.mountPath === '/var/lib/anirec'), `${c.name} mounts the data volume`);
      }
    }
  });

  it('kustomization lists every manifest file', () => {
    const k = ofKind('Kustomization')[0] as unknown as { resources: string[] };
    const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
    assert.deepEqual([...k.resources].sort(), files);
  });
});

describe('Prometheus config and alert rules (deploy/prometheus)', () => {
  const dir = join(ROOT, 'deploy', 'prometheus');

  it('prometheus.yml parses, scrapes /metrics and loads the alert rules file', () => {
    const [config] = parseYamlFile(join(dir, 'prometheus.yml')) as Array<{ rule_files: string[]; scrape_configs: Array<{ job_name: string }> }>;
    assert.ok(config!.scrape_configs.length > 0 && config!.scrape_configs.every((s) => typeof s.job_name === 'string'));
    for (const file of config!.rule_files) assert.ok(existsSync(join(dir, file)), `rule file ${file} exists`);
  });

  it('alert rules parse as PromQL and read only metrics the API exports', () => {
    const [rules] = parseYamlFile(join(dir, 'alerts.yml')) as Array<{ groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> }>;
    const alerts = rules!.groups.flatMap((g) => g.rules);
    const names = alerts.map((r) => r.alert);
    for (const expected of ['AnirecHighP99Latency', 'AnirecHighErrorRate', 'AnirecModelStale', 'AnirecPredictionDrift']) assert.ok(names.includes(expected), `alert ${expected}`);
    const used = new Set<string>();
    for (const rule of alerts) {
      assert.equal(typeof rule.alert, 'string');
      assert.ok(typeof rule.expr === 'string', `${String(rule.alert)} has an expr`);
      assert.match(String(rule.for ?? '0s'), /^\d+[smhd]$/, `${String(rule.alert)} for`);
      assert.ok((rule.labels as { severity?: string })?.severity, `${String(rule.alert)} has a severity`);
      assert.ok((rule.annotations as { summary?: string })?.summary, `${String(rule.alert)} has a summary`);
      const { errors, metrics } = analysePromql(rule.expr as string);
      assert.deepEqual(errors, [], `${String(rule.alert)}: ${rule.expr as string}`);
      assert.ok(metrics.length > 0);
      for (const m of metrics) {
        const family = metricFamily(m);
        assert.ok(family, `${String(rule.alert)} reads ${m}, which the API does not export`);
        used.add(family);
      }
    }
    for (const m of ['anirec_http_request_duration_seconds', 'anirec_http_errors_total', 'anirec_model_loaded_timestamp_seconds', 'anirec_drift_flag']) assert.ok(used.has(m), `some alert watches ${m}`);
  });

  it('the metric check catches a misspelt metric and a PromQL syntax error', () => {
    assert.equal(metricFamily('anirec_http_request_duration_bucket'), null);
    assert.equal(metricFamily('anirec_drift_flag_count'), null, 'only histograms have _count series');
    assert.equal(metricFamily('anirec_http_request_duration_seconds_count'), 'anirec_http_request_duration_seconds');
    assert.notDeepEqual(analysePromql('sum(rate(anirec_http_errors_total[5m]) >').errors, []);
  });
});

describe('Grafana dashboard (deploy/grafana)', () => {
  it('parses, and every panel query is valid PromQL over exported metrics', () => {
    const dash = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'anirec-dashboard.json'), 'utf8')) as {
      title: string;
      uid: string;
      panels: Array<{ id: number; title: string; type: string; gridPos: object; targets: Array<{ expr: string; refId: string }> }>;
    };
    assert.ok(dash.title && dash.uid);
    assert.equal(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length, 'panel ids are unique');
    const used = new Set<string>();
    for (const panel of dash.panels) {
      assert.ok(panel.title && panel.type && panel.gridPos, `panel ${panel.id}`);
      assert.ok(panel.targets.length > 0, `${panel.title} has queries`);
      for (const target of panel.targets) {
        const { errors, metrics } = analysePromql(target.expr);
        assert.deepEqual(errors, [], `${panel.title}: ${target.expr}`);
        for (const m of metrics) {
          const family = metricFamily(m);
          assert.ok(family, `${panel.title} queries ${m}, which the API does not export`);
          used.add(family);
        }
      }
    }
    assert.deepEqual([...used].sort(), Object.keys(EXPORTED_METRICS).sort(), 'the dashboard shows every exported metric');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  // Join continuation lines so each instruction is one logical line.
  const instructions = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const named = (word: string) => instructions.filter((l) => l.toUpperCase().startsWith(`${word} `));

  it('is multi-stage on node:20-bookworm-slim, with build tools only in the build stage', () => {
    const froms = named('FROM');
    assert.ok(froms.length >= 2, 'at least two FROM stages');
    assert.ok(instructions.some((l) => /^ARG NODE_IMAGE=node:20-bookworm-slim$/.test(l)) || froms.every((l) => l.includes('node:20-bookworm-slim')));
    const runtimeStart = instructions.indexOf(froms.at(-1)!);
    const buildPart = instructions.slice(0, runtimeStart).join('\n');
    const runtimePart = instructions.slice(runtimeStart).join('\n');
    assert.match(buildPart, /python3/);
    assert.match(buildPart, /g\+\+/);
    assert.doesNotMatch(runtimePart, /g\+\+|python3/, 'the runtime image carries no compilers');
    assert.match(runtimePart, /COPY --from=build/);
  });

  it('runs as a non-root USER with a HEALTHCHECK on /health/live and serves on 0.0.0.0:8080', () => {
    const users = named('USER');
    assert.ok(users.length > 0, 'has a USER');
    const user = users.at(-1)!.slice(5).trim().split(':')[0]!;
    assert.ok(user !== 'root' && user !== '0', `final USER is ${user}`);
    const health = named('HEALTHCHECK');
    assert.equal(health.length, 1);
    assert.match(health[0]!, /\/health\/live/);
    assert.match(health[0]!, /8080/);
    assert.match(named('CMD').at(-1)!, /"serve", "--host", "0.0.0.0"/);
    assert.match(named('EXPOSE')[0]!, /8080/);
  });

  it('.dockerignore keeps local state and build output out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.anirec', '.git']) assert.ok(ignored.includes(entry), entry);
  });
});
