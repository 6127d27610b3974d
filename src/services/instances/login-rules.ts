/**
 * Login settings rules (SPEC §5, the reference's RunInstances table).
 *
 * Password: 8–16 characters from at least two of: letters, digits, specials
 * ()`~!@#$%^&*-+=|{}[]:;'<>,.?/ — and nothing else. HostName: Windows 2–15 characters of
 * letters, digits and '-', no dots, not all digits; Linux 2–30, dot-separated segments of
 * letters, digits and '-'; neither '.' nor '-' may start, end or repeat.
 */
import { randomInt } from 'node:crypto';
import { encrypt } from 'unixcrypt';
import { invalidParameterValue } from '../../shared/errors.ts';

const SPECIALS = "()`~!@#$%^&*-+=|{}[]:;'<>,.?/";

export function checkPassword(path: string, password: string): void {
  const classes = [/[A-Za-z]/, /[0-9]/, /[()`~!@#$%^&*\-+=|{}[\]:;'<>,.?/]/].filter((re) => re.test(password)).length;
  const foreign = [...password].find((c) => !/[A-Za-z0-9]/.test(c) && !SPECIALS.includes(c));
  if (password.length < 8 || password.length > 16) {
    throw invalidParameterValue(path, 'the password must be 8 to 16 characters long', '密码长度须为 8 到 16 位');
  }
  if (foreign !== undefined) {
    throw invalidParameterValue(path, `the password may not contain "${foreign}"; allowed specials are ${SPECIALS}`, `密码不能包含字符 "${foreign}"，允许的特殊字符为 ${SPECIALS}`);
  }
  if (classes < 2) {
    throw invalidParameterValue(path, 'the password must mix at least two of: letters, digits, special characters', '密码须至少包含字母、数字、特殊字符中的两类');
  }
}

/** SHA-512 crypt ($6$), as Linux installers and cloud-init take it. */
export function shadowPasswordHash(password: string): string {
  return encrypt(password);
}

export function checkHostName(path: string, hostName: string, osType: string): void {
  const fail = (en: string, zh: string) => invalidParameterValue(path, en, zh);
  if (/^[.-]|[.-]$/.test(hostName)) throw fail("it may not start or end with '.' or '-'", "不能以 '.' 或 '-' 开头或结尾");
  if (/[.-]{2}/.test(hostName)) throw fail("'.' and '-' may not be repeated", "不能连续使用 '.' 或 '-'");
  if (osType === 'Windows') {
    if (hostName.length < 2 || hostName.length > 15) throw fail('a Windows host name has 2 to 15 characters', 'Windows 主机名长度须为 2 到 15 位');
    if (!/^[A-Za-z0-9-]+$/.test(hostName)) throw fail('a Windows host name has only letters, digits and -', 'Windows 主机名只能包含字母、数字和 -');
    if (/^\d+$/.test(hostName)) throw fail('a Windows host name may not be all digits', 'Windows 主机名不能全为数字');
    return;
  }
  if (hostName.length < 2 || hostName.length > 30) throw fail('a host name has 2 to 30 characters', '主机名长度须为 2 到 30 位');
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(hostName)) {
    throw fail('a host name is dot-separated segments of letters, digits and -', '主机名须由点分隔的字母、数字和 - 组成');
  }
}

export function randomHostName(): string {
  let s = 'bms-';
  for (let i = 0; i < 8; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)];
  return s;
}
