import { missingServices } from '../helpers/service-env.js';

/** Once per run: say which real servers are missing, so skipped scale-out suites are never a surprise. */
export default function setup(): void {
  const missing = missingServices(['postgres', 'redis', 's3']);
  if (missing.length > 0) {
    process.stdout.write(
      `\nScale-out suites (PostgreSQL, Redis, S3) are skipped: ${missing.join(', ')} not set. ` +
        'Start the servers with `scripts/services.sh start` and `source .tmp/services/env` to run them.\n\n',
    );
  }
}
