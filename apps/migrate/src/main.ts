import { existsSync } from 'node:fs';
import { runMigrateCli } from './cli';

if (existsSync('.env')) process.loadEnvFile('.env');
runMigrateCli(process.argv.slice(2), process.env, (line) => console.log(line))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
