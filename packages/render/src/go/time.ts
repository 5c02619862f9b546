// time.Time formatting with Go layouts (`2006-01-02T15:04:05Z07:00`), for Sprig's date functions.
import type { GoTime } from './values.js';

interface Parts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yday: number;
  offsetSeconds: number;
  abbrev: string;
  nanos: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `zone` is UTC, Local (treated as UTC: the operator runs in UTC) or a known IANA zone. */
export function isKnownZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function partsOf(t: GoTime): Parts {
  const ms = t.epochMs;
  const nanos = (((ms % 1000) + 1000) % 1000) * 1e6;
  let offsetSeconds = 0;
  let abbrev = 'UTC';
  if (t.zone !== 'UTC' && t.zone !== 'Local' && t.zone !== '') {
    let f = formatters.get(t.zone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: t.zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        timeZoneName: 'short',
      });
      formatters.set(t.zone, f);
    }
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const local = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour),
      Number(p.minute),
      Number(p.second),
    );
    offsetSeconds = Math.round((local - (ms - (((ms % 1000) + 1000) % 1000))) / 1000);
    abbrev = p.timeZoneName ?? '';
    // Intl names zones without an abbreviation "GMT+9"; Go prints the numeric offset ("+09").
    if (/^GMT[+-]/.test(abbrev) || abbrev === 'GMT') {
      const sign = offsetSeconds < 0 ? '-' : '+';
      const abs = Math.abs(offsetSeconds);
      const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
      const mm = Math.floor((abs % 3600) / 60);
      abbrev =
        abbrev === 'GMT' && offsetSeconds === 0
          ? 'GMT'
          : `${sign}${hh}${mm ? String(mm).padStart(2, '0') : ''}`;
    }
  }
  const d = new Date(ms + offsetSeconds * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    yday:
      Math.floor(
        (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - start) / 86400000,
      ) + 1,
    offsetSeconds,
    abbrev,
    nanos,
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');

function zoneOffset(p: Parts, style: string): string {
  if (style.startsWith('Z') && p.offsetSeconds === 0) return 'Z';
  const sign = p.offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetSeconds);
  const hh = p2(Math.floor(abs / 3600));
  const mm = p2(Math.floor((abs % 3600) / 60));
  const ss = p2(abs % 60);
  switch (style.replace(/^Z/, '-')) {
    case '-07':
      return sign + hh;
    case '-0700':
      return sign + hh + mm;
    case '-07:00':
      return `${sign}${hh}:${mm}`;
    case '-070000':
      return sign + hh + mm + ss;
    case '-07:00:00':
      return `${sign}${hh}:${mm}:${ss}`;
    default:
      return '';
  }
}

// Longest first, so `2006` wins over `2` and `January` over `Jan`.
const TOKENS = [
  'January',
  'Monday',
  'Z07:00:00',
  '-07:00:00',
  'Z070000',
  '-070000',
  'Z07:00',
  '-07:00',
  'Z0700',
  '-0700',
  'Z07',
  '-07',
  '2006',
  '__2',
  '002',
  'Jan',
  'Mon',
  'MST',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

/** time.Time.Format(layout). */
export function formatGoTime(t: GoTime, layout: string): string {
  const p = partsOf(t);
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    // Fractional seconds: .000 / ,000 (fixed) and .999 (trailing zeros trimmed).
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac && (i === 0 || true)) {
      const digits = frac[1]!;
      let s = String(p.nanos).padStart(9, '0').slice(0, digits.length);
      if (digits[0] === '9') {
        s = s.replace(/0+$/, '');
        out += s ? `${layout[i]}${s}` : '';
      } else out += layout[i]! + s;
      i += frac[0].length;
      continue;
    }
    for (const tok of TOKENS) {
      if (!layout.startsWith(tok, i)) continue;
      // Go does not treat `Mon`/`Jan` followed by a lower-case letter as tokens (e.g. "Month").
      const next = layout[i + tok.length] ?? '';
      if ((tok === 'Jan' || tok === 'Mon') && /[a-z]/.test(next)) continue;
      switch (tok) {
        case 'January':
          out += MONTHS[p.month - 1];
          break;
        case 'Jan':
          out += MONTHS[p.month - 1]!.slice(0, 3);
          break;
        case 'Monday':
          out += DAYS[p.weekday];
          break;
        case 'Mon':
          out += DAYS[p.weekday]!.slice(0, 3);
          break;
        case 'MST':
          out += p.abbrev;
          break;
        case '2006':
          out += String(p.year).padStart(4, '0');
          break;
        case '06':
          out += p2(p.year % 100);
          break;
        case '01':
          out += p2(p.month);
          break;
        case '1':
          out += String(p.month);
          break;
        case '02':
          out += p2(p.day);
          break;
        case '_2':
          out += String(p.day).padStart(2, ' ');
          break;
        case '2':
          out += String(p.day);
          break;
        case '002':
          out += String(p.yday).padStart(3, '0');
          break;
        case '__2':
          out += String(p.yday).padStart(3, ' ');
          break;
        case '15':
          out += p2(p.hour);
          break;
        case '03':
          out += p2(p.hour % 12 === 0 ? 12 : p.hour % 12);
          break;
        case '3':
          out += String(p.hour % 12 === 0 ? 12 : p.hour % 12);
          break;
        case '04':
          out += p2(p.minute);
          break;
        case '4':
          out += String(p.minute);
          break;
        case '05':
          out += p2(p.second);
          break;
        case '5':
          out += String(p.second);
          break;
        case 'PM':
          out += p.hour >= 12 ? 'PM' : 'AM';
          break;
        case 'pm':
          out += p.hour >= 12 ? 'pm' : 'am';
          break;
        default:
          out += zoneOffset(p, tok);
      }
      i += tok.length;
      continue outer;
    }
    out += layout[i];
    i++;
  }
  return out;
}
