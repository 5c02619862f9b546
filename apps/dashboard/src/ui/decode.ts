/**
 * decodeURIComponent that never throws: a link with a malformed %-escape (typed, truncated or
 * crafted) shows "not found" for that text instead of breaking the whole page.
 */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
