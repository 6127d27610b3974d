// A first call with the official Tencent Cloud SDK, using the demo tenant's keys that
// `npm start` wrote to the data folder. Run: node examples/describe-zones.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';

const dataDir = process.env.BMS_DATA_DIR ?? './data';
const creds = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));

const client = new CommonClient(creds.Endpoint, '2018-08-13', {
  credential: { secretId: creds.SecretId, secretKey: creds.SecretKey },
  region: creds.Region,
  profile: { httpProfile: { protocol: 'http://', endpoint: creds.Endpoint } },
});

try {
  console.log(JSON.stringify(await client.request('DescribeZones', {}), null, 2));
} catch (e) {
  console.error(`${e.code}: ${e.message} (RequestId ${e.requestId})`);
  process.exitCode = 1;
}
