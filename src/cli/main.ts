#!/usr/bin/env node
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2));
// A command may have set its own exit code (130 after Ctrl-C); an error code wins over it.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
