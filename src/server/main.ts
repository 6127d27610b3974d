/**
 * `npm start`: run BMS from environment variables until SIGINT/SIGTERM.
 */
import { loadConfig } from '../config/config.ts';
import { startBms } from './app.ts';

async function main() {
  const config = loadConfig(process.env);
  const bms = await startBms(config);
  const { demo, operator, files } = bms.credentials;
  process.stdout.write(
    [
      '',
      `BMS is running — API endpoint http://${bms.endpoint}/ (service bms, version 2018-08-13, region ${demo.Region})`,
      `  data folder   ${config.dataDir} (${bms.store.dialect})`,
      `  demo tenant   SecretId ${demo.SecretId}`,
      `                SecretKey ${demo.SecretKey}`,
      `                (also in ${files.demo})`,
      `  operator      SecretId ${operator.SecretId}`,
      `                SecretKey in ${files.operator}`,
      `  API reference http://${bms.endpoint}/docs/`,
      '',
      `Try:  npx bms instance list --output table --credentials-file ${files.demo}`,
      `      (npx bms configure --from-file ${files.demo} saves it as your default profile; npx bms --help lists the rest)`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bms.logger.info({ signal }, 'shutting down');
    bms.close().then(
      () => process.exit(0),
      (err) => {
        bms.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`bms: failed to start: ${err.message}\n`);
  process.exit(1);
});
