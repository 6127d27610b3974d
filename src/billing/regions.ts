/**
 * Tencent Cloud's numeric region ids (bill APIs name regions by number as well as by name).
 * A region not in the table is reported as 0.
 */
export const REGION_IDS: Readonly<Record<string, number>> = {
  'ap-guangzhou': 1, 'ap-shanghai': 4, 'ap-hongkong': 5, 'na-toronto': 6, 'ap-shanghai-fsi': 7, 'ap-beijing': 8, 'ap-singapore': 9,
  'ap-shenzhen-fsi': 11, 'ap-guangzhou-open': 12, 'na-siliconvalley': 15, 'ap-chengdu': 16, 'eu-frankfurt': 17, 'ap-seoul': 18,
  'ap-chongqing': 19, 'ap-mumbai': 21, 'na-ashburn': 22, 'ap-bangkok': 23, 'eu-moscow': 24, 'ap-tokyo': 25, 'ap-nanjing': 33,
};

export const regionId = (region: string): number => REGION_IDS[region] ?? 0;
