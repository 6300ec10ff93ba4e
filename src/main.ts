#!/usr/bin/env node
import { failureOf } from './cli/failure.js';
import { cli } from './cli/program.js';

async function main(): Promise<void> {
  try {
    await cli().parseAsync(process.argv);
  } catch (err) {
    const { status, message } = failureOf(err);
    if (message !== undefined) process.stderr.write(`lingo-server: ${message}\n`);
    process.exit(status);
  }
}

void main();
