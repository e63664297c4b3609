/**
 * Helper process for the dead-worker test: a QueueWorker on the database in argv[2] whose job
 * runner announces the run on stdout and then never finishes, so the parent can SIGKILL it while
 * the run is active. It queues one ingest run itself once started.
 */
import { DEFAULT_OPS_CONFIG, QueueWorker } from '../../src/ops/index.js';
import { tempPaths } from './helpers.js';

const [url, lease] = process.argv.slice(2) as [string, string];
const config = structuredClone(DEFAULT_OPS_CONFIG);
config.deadlineSeconds.ingest = Number(lease) - 1;
const never = '0 0 1 1 *';
const worker = new QueueWorker(
  { paths: tempPaths('anirec-queue-child-'), config, openStore: () => Promise.reject(new Error('not used')), log: () => {} },
  { ...config.schedule, ingest: never, monitor: never, retrain: never },
  {
    url,
    pollingIntervalSeconds: 0.5,
    maintenanceIntervalSeconds: 1,
    leaseGraceSeconds: 1,
    runner: async (_job, _env, run) => {
      process.stdout.write(`${JSON.stringify({ started: run.id, retryCount: run.retryCount, at: Date.now() })}\n`);
      return new Promise(() => {});
    },
  },
);
await worker.start();
const id = await worker.enqueue('ingest');
process.stdout.write(`${JSON.stringify({ queued: id })}\n`);
