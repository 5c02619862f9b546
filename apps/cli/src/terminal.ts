// What the CLI prints is partly other people's text: names, labels and messages from YAML files
// and from the cluster (a form author, a row writer, an admission webhook). Raw control characters
// in it would be interpreted by the user's terminal: ANSI/OSC sequences can rewrite the screen,
// retitle the window, plant hyperlinks or, on some terminals, write to the clipboard. Every line
// goes through terminalSafe: newline and tab stay, any other control character becomes a visible
// \u escape, as do the bidirectional overrides that make text read differently than it is.

// C0 controls but \t and \n, DEL, C1 controls, and the Unicode bidi embedding/override/isolate marks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
