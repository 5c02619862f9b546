// Shows successive renderings of the table: redrawn in place on a terminal, appended when piped.

const ESC = '\u001b[';

export class Screen {
  private drawnLines = 0;
  private last: string | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  /**
   * Draws `text`: a terminal gets it in place of the previous drawing, with the time; a pipe gets
   * it appended, only when it changed.
   */
  show(text: string): void {
    if (this.live) {
      // The clock shows the drawing is live even when nothing else changes.
      const clock = `${new Date().toTimeString().slice(0, 8)}  (refreshed every second; Ctrl-C to stop)`;
      const lines = fit(`${text}\n\n${clock}`, this.out.columns, this.out.rows);
      const erase = this.drawnLines > 0 ? `${ESC}${this.drawnLines}F${ESC}J` : '';
      this.out.write(`${erase}${lines.join('\n')}\n`);
      this.drawnLines = lines.length;
    } else if (text !== this.last) {
      this.out.write(`${new Date().toISOString()}\n${text}\n\n`);
    }
    this.last = text;
  }

  /** Ends live drawing: whatever is written next goes below the last drawing. */
  release(): void {
    this.drawnLines = 0;
  }
}

/**
 * Cuts lines to the terminal's width and the drawing to its height: a line that wraps or a
 * drawing taller than the screen would leave the cursor-up redraw out of step.
 */
function fit(text: string, columns = 80, rows = 24): string[] {
  const lines = text
    .split('\n')
    .map((l) => (l.length > columns ? `${l.slice(0, columns - 1)}…` : l));
  const room = Math.max(rows - 1, 3);
  if (lines.length <= room) return lines;
  return [
    ...lines.slice(0, room - 1),
    `… ${lines.length - room + 1} more lines (enlarge the terminal)`,
  ];
}
