/**
 * Benchmark: what hostile requests cost the server — CPU to refuse them, memory while they
 * arrive and after (issue 9 part 6).
 *
 * 1. CPU per request, measured in the server process (process.cpuUsage, user + system, so a
 *    busy neighbour on the shared machine hardly disturbs it), for v1 POST bodies of 1 MB:
 *      valid       signed correctly, 8,800 pairs of ~110 bytes: the signature is verified, the
 *                  pairs decoded, unflattened and validated — the baseline a refusal must not exceed;
 *      wrong-sig   the same bytes, a known SecretId and a wrong signature;
 *      many-pairs  255,000 pairs `a=1`, a known SecretId and a wrong signature (the request
 *                  that cost 311–561 ms before the pair count was capped on the raw text);
 *      unknown-id  the same 255,000 pairs with a SecretId that does not exist.
 *    Target: every refusal ≤ the valid request's cost (median of BENCH_ROUNDS rounds).
 *
 * 2. Resident memory of the server process: idle, sampled every 200 ms during a hostile burst
 *    of BENCH_SECONDS seconds from `wrk` (16 connections cycling through a 1 MB v1 body with a
 *    wrong signature, 255,000 pairs, a 10 MB JSON body of nesting, a 10 MB junk body and a
 *    body bigger than any limit), and after 5 s of quiet. Target: after ≤ 1.2 × idle.
 *
 * Run: `npm run bench:hostile` (or `npx tsx bench/hostile-input.ts`). A measurement, not a
 * test: it exits 0 whether the targets are met or not. Needs `wrk` (Debian package).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v1Signature, v1StringToSign } from '../src/gateway/signing/v1.ts';
import { ask, serveParent, startChild, stopChild, runBench, type Child } from './support/child.ts';
import { startBenchBms } from './support/bms-servers.ts';
import type { Credentials, Target } from './support/signed-api.ts';
import { fmt, mb, median, positiveInt, sleep, verdict } from './support/stats.ts';

const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const SECONDS = positiveInt('BENCH_SECONDS', 5);
const PER_KIND = positiveInt('BENCH_REQUESTS', 10);

async function serveBms(): Promise<void> {
  const { bms, stop, orphaned } = await startBenchBms();
  const { SecretId, SecretKey, Region } = bms.credentials.demo;
  serveParent({ ...bms.edge.address, credentials: { SecretId, SecretKey, Region } }, {
    cpu: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    },
    rss: () => process.memoryUsage().rss,
  }, { stop, orphaned });
}

/** One connection per request: a keep-alive connection the loaded server times out meanwhile would be a client error, not a figure. */
const agent = false;

function post(target: Target, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<string> {
  return new Promise((done, fail) => {
    const req = http.request({ ...target, method: 'POST', path: '/', agent, headers: {
      Host: `${target.host}:${target.port}`, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body),
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', (e) => fail(new Error(`${e.message} (body of ${body.length} bytes starting ${body.slice(0, 40)})`)));
    req.end(body);
  });
}

const enc = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** A v1 DescribeZones body of `count` filler pairs of `valueLength` bytes, signed (or not) with `creds`. */
function v1Body(target: Target, creds: Credentials, count: number, valueLength: number, sign: boolean, secretId = creds.SecretId): string {
  const pairs: Array<[string, string]> = Array.from({ length: count }, (_, i) => [valueLength === 1 ? 'a' : `P${i}`, 'v'.repeat(valueLength)]);
  pairs.push(['Action', 'DescribeZones'], ['Version', '2018-08-13'], ['Region', creds.Region], ['Nonce', '1'],
    ['Timestamp', String(Math.floor(Date.now() / 1000))], ['SecretId', secretId], ['SignatureMethod', 'HmacSHA256']);
  const signature = sign ? v1Signature(creds.SecretKey, 'HmacSHA256', v1StringToSign('POST', `${target.host}:${target.port}`, pairs)) : 'd3Jvbmc=';
  pairs.push(['Signature', signature]);
  return enc(pairs);
}

async function cpuPerRequest(child: Child, target: Target, body: () => string): Promise<{ ms: number; answer: string }> {
  const bodies = Array.from({ length: PER_KIND }, body);
  const answer = await post(target, bodies[0]!); // warm
  const before = await ask<number>(child, 'cpu');
  for (const b of bodies) await post(target, b);
  const after = await ask<number>(child, 'cpu');
  return { ms: (after - before) / PER_KIND, answer };
}

function wrkScript(target: Target, creds: Credentials): string {
  const host = `${target.host}:${target.port}`;
  const wrongSig = v1Body(target, creds, 8_800, 110, false);
  const manyPairs = v1Body(target, creds, 255_000, 1, false);
  const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string here (ASCII only)
  return `
local form = { ["Host"] = "${host}", ["Content-Type"] = "application/x-www-form-urlencoded" }
local json = { ["Host"] = "${host}", ["Content-Type"] = "application/json",
  ["Authorization"] = "TC3-HMAC-SHA256 Credential=${creds.SecretId}/2026-01-01/bms/tc3_request, SignedHeaders=content-type;host, Signature=${'0'.repeat(64)}",
  ["X-TC-Action"] = "DescribeInstances", ["X-TC-Version"] = "2018-08-13", ["X-TC-Region"] = "${creds.Region}", ["X-TC-Timestamp"] = "1" }
local bodies = {
  { form, ${lua(wrongSig)} },
  { form, ${lua(manyPairs)} },
  { json, string.rep("[", 5 * 1024 * 1024) .. string.rep("]", 5 * 1024 * 1024) },
  { json, string.rep("x", 10 * 1024 * 1024) },
  { form, string.rep("a=b&", 3 * 1024 * 1024) },
}
local requests = {}
for i, b in ipairs(bodies) do requests[i] = wrk.format("POST", "/", b[1], b[2]) end
local n = 0
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
`;
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (apt-get install wrk)');
  const child = await startChild(fileURLToPath(import.meta.url), 'bms');
  const target = { host: child.ready.host, port: child.ready.port };
  const creds = child.ready.credentials!;
  const dir = mkdtempSync(join(tmpdir(), 'bms-bench-hostile-'));
  try {
    console.log(`1. CPU per 1 MB v1 request (server process, ms; ${PER_KIND} requests per kind, median of ${ROUNDS} rounds)`);
    const kinds: Record<string, () => string> = {
      valid: () => v1Body(target, creds, 8_800, 110, true),
      'wrong-sig': () => v1Body(target, creds, 8_800, 110, false),
      'many-pairs': () => v1Body(target, creds, 255_000, 1, false),
      'unknown-id': () => v1Body(target, creds, 255_000, 1, false, 'AKIDunknownUnknownUnknown000000000'),
    };
    const figures: Record<string, number[]> = {};
    const answers: Record<string, string> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, body] of Object.entries(kinds)) {
        const { ms, answer } = await cpuPerRequest(child, target, body);
        (figures[kind] ??= []).push(ms);
        answers[kind] = (JSON.parse(answer) as { Response: { Error?: { Code: string } } }).Response.Error?.Code ?? 'Success';
      }
    }
    const valid = median(figures.valid!);
    for (const [kind, values] of Object.entries(figures)) {
      const m = median(values);
      const ratio = kind === 'valid' ? '' : `  ${fmt(m / valid, 2)} × valid  ${verdict(m <= valid)}`;
      console.log(`   ${kind.padEnd(11)} ${fmt(m, 2).padStart(8)} ms  (answer ${answers[kind]}; rounds ${values.map((v) => fmt(v, 1)).join(', ')})${ratio}`);
    }

    console.log(`\n2. Resident memory of the server around a ${SECONDS} s hostile burst (wrk, 16 connections)`);
    const script = join(dir, 'hostile.lua');
    writeFileSync(script, wrkScript(target, creds));
    await sleep(1_000);
    const idle = await ask<number>(child, 'rss');
    const during: number[] = [];
    const wrk = spawn('wrk', ['-t2', '-c16', `-d${SECONDS}s`, '--timeout', '10s', '-s', script, `http://${target.host}:${target.port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let wrkOut = '';
    wrk.stdout.on('data', (d: Buffer) => (wrkOut += d));
    const finished = new Promise<void>((done) => wrk.on('exit', () => done()));
    let running = true;
    void finished.then(() => (running = false));
    while (running) {
      during.push(await ask<number>(child, 'rss'));
      await sleep(200);
    }
    const requests = /(\d+) requests in/.exec(wrkOut)?.[1] ?? '?';
    const errors = /Socket errors:[^\n]*/.exec(wrkOut)?.[0] ?? 'no socket errors';
    await sleep(5_000);
    const after = await ask<number>(child, 'rss');
    console.log(`   idle    ${mb(idle)}`);
    console.log(`   during  median ${mb(median(during))}, max ${mb(Math.max(...during))} (${during.length} samples; wrk: ${requests} requests, ${errors})`);
    console.log(`   after   ${mb(after)}  ${fmt(after / idle, 2)} × idle  ${verdict(after <= idle * 1.2)} (target ≤ 1.2 × idle)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await stopChild(child);
  }
}

await runBench({ bms: serveBms }, main);
