/**
 * Running the anirec CLI in tests: in-process against a given ANIREC_HOME (fast, what most tests
 * use), or as a child process through the real `main` (exit code and stderr exactly as a person
 * sees them, for the "no stack trace" checks).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { resolvePaths } from '../../src/config.js';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';

export interface CliOutput {
  out: string[];
  err: string[];
  text: string;
}

/** `anirec ...args` in this process with ANIREC_HOME = home; rejects with the command's error. */
export async function anirec(home: string, ...args: string[]): Promise<CliOutput> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    ...createContext(),
    paths: resolvePaths({ ANIREC_HOME: home }),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return { out, err, text: out.join('\n') };
}

/** `anirec --json ...`: the printed JSON, parsed. */
export async function anirecJson(home: string, ...args: string[]): Promise<any> {
  return JSON.parse((await anirec(home, ...args, '--json')).text);
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CHILD = join(import.meta.dirname, '..', 'ops', 'cli-child.ts');

/** `anirec ...args` in a child process, with ANIREC_HOME = home and ANIREC_DEBUG unset. */
export function anirecChild(home: string, ...args: string[]): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ANIREC_HOME: home };
  delete env.ANIREC_DEBUG;
  delete env.ANIREC_DB;
  delete env.ANIREC_MODELS;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
