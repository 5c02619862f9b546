/** RFC 3339 in UTC with whole seconds, as Go's time.RFC3339 and metav1.Time write it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
