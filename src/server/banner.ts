/**
 * What `npm start` prints once the service runs: the endpoint, the data folder, and the demo
 * tenant's and operator's keys. The demo SecretKey is printed only to a terminal; when stdout
 * is a pipe or a file (a service manager collecting logs), the banner names the credential file
 * instead, so no log holds a key. The operator's SecretKey is never printed.
 */
export interface BannerFacts {
  endpoint: string;
  region: string;
  dataDir: string;
  dialect: string;
  /** The lab's Redfish face (`http://127.0.0.1:<port>`), when it runs. */
  labRedfish?: string | undefined;
  demo: { SecretId: string; SecretKey: string };
  operator: { SecretId: string };
  files: { demo: string; operator: string };
  /** Whether stdout is a terminal (`process.stdout.isTTY`). */
  tty: boolean;
  /** The web console: whether its app is built, and the demo root user's sign-in (shown only to a terminal). */
  console?: { built: boolean; account: string; user: string; password: string };
}

export function startupBanner(f: BannerFacts): string {
  return [
    '',
    `BMS is running — API endpoint http://${f.endpoint}/ (service bms, version 2018-08-13, region ${f.region})`,
    ...(f.console ? [
      `  web console   http://${f.endpoint}/console/${f.console.built ? '' : '  (not built: run npm run build)'}`,
      f.tty
        ? `                account ${f.console.account}, user ${f.console.user}, password ${f.console.password}`
        : `                sign in with ConsoleAccount/ConsoleUser/ConsolePassword from ${f.files.demo}`,
    ] : []),
    `  data folder   ${f.dataDir} (${f.dialect})`,
    ...(f.labRedfish ? [`  lab Redfish   ${f.labRedfish}/redfish/v1/ (every simulated BMC; each server's URL in bmsops DescribeServers)`] : []),
    `  demo tenant   SecretId ${f.demo.SecretId}`,
    ...(f.tty
      ? [`                SecretKey ${f.demo.SecretKey}`, `                (also in ${f.files.demo})`]
      : [`                SecretKey in ${f.files.demo} (printed only to a terminal)`]),
    `  operator      SecretId ${f.operator.SecretId}`,
    `                SecretKey in ${f.files.operator}`,
    `  API reference http://${f.endpoint}/docs/`,
    '',
    `Try:  npx bms instance list --output table --credentials-file ${f.files.demo}`,
    `      (npx bms configure --from-file ${f.files.demo} saves it as your default profile; npx bms --help lists the rest)`,
    '',
  ].join('\n');
}
