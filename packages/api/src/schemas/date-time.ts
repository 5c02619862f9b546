/**
 * Whether the API server accepts `value` for a field declared `format: date-time`, by the rule its
 * OpenAPI validator applies (checked against a real server in crd-acceptance.int.test.ts): the
 * value, lower-cased and split at each `t`, must have a valid `yyyy-mm-dd` first part and a second
 * part `hh:mm:ss`, an optional fraction (any one character, then digits) and `z` or `±hh:mm`,
 * with hours ≤ 23, minutes and seconds ≤ 59. Anything after a further `t` is not looked at.
 */
export function isApiDateTime(value: string): boolean {
  const [date, time] = value.toLowerCase().split('t');
  if (date === undefined || time === undefined || !isFullDate(date)) return false;
  const match = TIME.exec(time);
  if (!match) return false;
  const [, hour, minute, second] = match.map(Number) as number[];
  return hour! <= 23 && minute! <= 59 && second! <= 59;
}

// `[^\n]` with the u flag is Go's `.`: any one code point but a newline.
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:[^\n]\d+)?(?:z|[+-]\d{2}:\d{2})$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isFullDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
