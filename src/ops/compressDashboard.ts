// The last step of `npm run web:build`: a .br and a .gz beside each of the built dashboard's text files,
// which the server sends to browsers that accept them (src/http/dashboard.ts). Once per build, not per start.
import { DASHBOARD_DIR } from '../config.ts';
import { precompressDashboard } from '../http/dashboard.ts';

try {
  await precompressDashboard(process.argv[2] ?? DASHBOARD_DIR);
} catch (error) {
  console.error(`Could not compress the built dashboard: ${(error as Error).message}`);
  process.exitCode = 1;
}
