/**
 * `npm start`: run BMS from environment variables until SIGINT/SIGTERM, then stop gracefully:
 * no new connections, every request already received answered, idle keep-alive connections
 * closed, running task steps finished or handed back — within BMS_STOP_TIMEOUT_MS.
 */
import { loadConfig } from '../config/config.ts';
import { startBms } from './app.ts';
import { startupBanner } from './banner.ts';

async function main() {
  const config = loadConfig(process.env);
  const bms = await startBms(config);
  const { demo, operator, files, demoConsole } = bms.credentials;
  process.stdout.write(startupBanner({
    endpoint: bms.endpoint, region: demo.Region, dataDir: config.dataDir, dialect: bms.store.dialect, labRedfish: bms.face?.address,
    demo, operator, files, tty: process.stdout.isTTY === true,
    console: { built: Boolean(bms.console.staticDir), account: demoConsole.ConsoleAccount, user: demoConsole.ConsoleUser, password: demoConsole.ConsolePassword },
  }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bms.logger.info({ signal, timeoutMs: config.stopTimeoutMs }, 'shutting down');
    // Bounded: whatever still holds the process after the timeout (and a second's margin) is cut.
    setTimeout(() => {
      bms.logger.error({ timeoutMs: config.stopTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.stopTimeoutMs + 1_000).unref();
    bms.close(config.stopTimeoutMs).then(
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
