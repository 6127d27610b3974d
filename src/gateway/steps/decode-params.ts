/**
 * Step: the action's parameters, decoded and validated against the spec.
 *
 * TC3 POST carries a JSON object (typed); TC3 GET and v1 carry flat `key=value` pairs that are
 * unflattened here and converted to the schema's types by the validator. Before any of that,
 * the input's shape is bounded (protocol/input-limits.ts): nesting depth, number of values,
 * string lengths, number of flat parameters and segments per key — so a hostile body within
 * SPEC §2's size limits costs one linear scan and gets a clear InvalidParameter.
 */
import { malformedBody } from '../../shared/errors.ts';
import type { Exchange } from '../exchange.ts';
import { parseForm } from '../protocol/form.ts';
import { unflatten } from '../protocol/flatten.ts';
import { INPUT_LIMITS, checkFlatShape, checkJsonShape, checkStringValues } from '../protocol/input-limits.ts';
import { validateInput } from '../protocol/validate.ts';
import { capPairs } from './common-params.ts';

export function decodeParams(ex: Exchange): void {
  if (ex.protocol === 'tc3' || ex.protocol === 'session') { // the console sends TC3's JSON body, unsigned
    if (ex.request.method === 'GET' || ex.request.body.length === 0) {
      capPairs(ex.request.rawQuery, INPUT_LIMITS.maxPairs);
      ex.params = parseForm(ex.request.rawQuery);
      ex.paramsSource = 'flat';
    } else if (ex.request.headers['content-type']?.includes('json')) {
      ex.params = parseJson(ex.request.body);
      ex.paramsSource = 'json';
    } else {
      const text = ex.request.body.toString('utf8');
      capPairs(text, INPUT_LIMITS.maxPairs);
      ex.params = parseForm(text);
      ex.paramsSource = 'flat';
    }
  }
  let raw = ex.params;
  if (ex.paramsSource !== 'json') {
    const pairs = (ex.params ?? []) as Array<[string, string]>;
    if (ex.protocol === 'tc3') checkFlatShape(pairs); // v1: checked before its signature (common-params)
    raw = unflatten(pairs);
  }
  const { input, service } = ex.action!;
  if (ex.paramsSource === 'json') checkStringValues(input, service.spec.objects, raw);
  ex.input = validateInput(input, service.spec.objects, raw, ex.paramsSource ?? 'flat');
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  checkJsonShape(text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformedBody(`it is not valid JSON (${(e as Error).message.slice(0, 120)})`);
  }
}
