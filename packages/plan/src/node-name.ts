// Names of LynqNodes and the lynq.sh/uid label (Lynq quirk 17: Lynq uses the uid unchecked).
import { shortHash } from './short-hash.js';

/** Longest Kubernetes object name (a DNS-1123 subdomain). */
export const MAX_NAME_LENGTH = 253;
/** Longest label value. */
export const MAX_LABEL_VALUE_LENGTH = 63;
/** Hex digits of the hash suffix of a sanitised name or label value. */
export const HASH_LENGTH = 10;

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Whether `s` is a valid object name: a DNS-1123 subdomain of at most 253 characters. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length > 0 && s.length <= MAX_NAME_LENGTH && SUBDOMAIN.test(s);
}

/** Whether `s` is a valid label value: empty, or ≤ 63 of `[-A-Za-z0-9_.]` starting and ending alphanumeric. */
export function isLabelValue(s: string): boolean {
  return s.length <= MAX_LABEL_VALUE_LENGTH && LABEL_VALUE.test(s);
}

/** Lower-cases, turns runs of other characters into '-', and trims each dot-separated part. */
function sanitizeSubdomain(s: string, max: number): string {
  const parts = s
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .split('.')
    .map((part) => part.replace(/^-+|-+$/g, ''))
    .filter((part) => part !== '');
  return parts
    .join('.')
    .slice(0, max)
    .replace(/[-.]+$/, '');
}

function sanitizeLabelValue(s: string, max: number): string {
  return s
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .replace(/^[-_.]+/, '')
    .slice(0, max)
    .replace(/[-_.]+$/, '');
}

function withHash(sanitized: string, hash: string): string {
  return sanitized === '' ? hash : `${sanitized}-${hash}`;
}

/**
 * The sanitised form of a node name: `{uid}-{formName}` lower-cased, with characters a name may
 * not hold replaced by '-', cut to leave room for `-` and a 10-hex-digit hash of uid and form
 * name. Used when Lynq's name would be invalid, or when two rows would get the same name.
 */
export function hashedNodeName(uid: string, formName: string): string {
  const room = MAX_NAME_LENGTH - HASH_LENGTH - 1;
  return withHash(
    sanitizeSubdomain(`${uid}-${formName}`, room),
    shortHash([uid, formName], HASH_LENGTH),
  );
}

/**
 * The LynqNode name for a row and a form. Lynq's `{uid}-{formName}` whenever that is a valid
 * object name (so nodes the Go operator created keep their names); otherwise the sanitised name
 * with a hash suffix (see hashedNodeName), so two different uids never share a name.
 */
export function nodeName(uid: string, formName: string): string {
  const lynq = `${uid}-${formName}`;
  return isDns1123Subdomain(lynq) ? lynq : hashedNodeName(uid, formName);
}

/**
 * A label value for any string: the string itself when it is a valid label value (as Lynq
 * writes it), else the sanitised value cut to 52 characters plus `-` and a 10-hex-digit hash of
 * the whole string. Distinct strings give distinct values.
 */
export function labelValue(value: string): string {
  if (isLabelValue(value)) return value;
  const room = MAX_LABEL_VALUE_LENGTH - HASH_LENGTH - 1;
  return withHash(sanitizeLabelValue(value, room), shortHash([value], HASH_LENGTH));
}

/** The `lynq.sh/uid` label value of a node (see labelValue). */
export function uidLabelValue(uid: string): string {
  return labelValue(uid);
}

/**
 * The `lynq.sh/hub` label value of a hub's nodes (see labelValue): hub names may be up to 253
 * characters, label values only 63. List a hub's nodes with this value.
 */
export function hubLabelValue(hubName: string): string {
  return labelValue(hubName);
}
