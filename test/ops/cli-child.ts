/** Runs the anirec CLI from source in a child process (for signal tests): args are the CLI's. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
