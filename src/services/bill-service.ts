/**
 * The `bill` service (2018-10-25, Tencent Billing's action and field names; SPEC §6 and §8): a
 * tenant reads its own balance, account water and bills, downloads a month's detail as CSV and
 * sets a budget warning. Its spec is src/spec/bill.json; the handlers live in ./bill/. The
 * operator reads every account's balance and arrears, recharges and sets prices with bmsops.
 */
import billSpec from '../spec/bill.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { Store } from '../store/store.ts';
import { createWarning, describeAccountWater, describeUserAccount, describeWarning } from './bill/account.ts';
import { describeBillDownloadList } from './bill/download.ts';
import {
  describeBillDetailByResource, describeBillFeeTrend, describeBillSummaryByProduct, describeBillSummaryByRegion, describeBillSummaryByResource,
  describeBillSummaryByTag,
} from './bill/summaries.ts';
import type { ServiceDefinition } from './types.ts';

export const BILL_SPEC = serviceSpecSchema.parse(billSpec);

export function billService(deps: { store: Store }): ServiceDefinition {
  return {
    spec: BILL_SPEC,
    audience: 'tenant',
    handlers: {
      DescribeUserAccount: describeUserAccount(deps),
      DescribeAccountWater: describeAccountWater(deps),
      DescribeBillDetailByResource: describeBillDetailByResource(deps),
      DescribeBillSummaryByProduct: describeBillSummaryByProduct(deps),
      DescribeBillSummaryByResource: describeBillSummaryByResource(deps),
      DescribeBillSummaryByRegion: describeBillSummaryByRegion(deps),
      DescribeBillSummaryByTag: describeBillSummaryByTag(deps),
      DescribeBillFeeTrend: describeBillFeeTrend(deps),
      DescribeBillDownloadList: describeBillDownloadList(deps),
      CreateWarning: createWarning(deps),
      DescribeWarning: describeWarning(deps),
    },
  };
}
