import mysql, { type ConnectionOptions } from 'mysql2';

/**
 * Runs `KILL QUERY <threadId>` on a connection of its own, opened with `options` (the pool's
 * options: same server, user and TLS; a user may always kill its own statements) and closed
 * afterwards. A pooled connection cannot do it: the pool may be full of the statements to kill.
 * The statement then fails on its own connection with ER_QUERY_INTERRUPTED.
 */
export function killQuery(options: ConnectionOptions, threadId: number): Promise<void> {
  if (!Number.isSafeInteger(threadId) || threadId < 0) {
    return Promise.reject(new Error(`cannot kill the statement of MySQL thread ${threadId}`));
  }
  return new Promise<void>((resolve, reject) => {
    const connection = mysql.createConnection({ ...options, database: undefined });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err === null) {
        connection.end(); // a clean COM_QUIT, not an "aborted connection" in the server's log
        resolve();
      } else {
        connection.destroy();
        reject(err);
      }
    };
    // A failure to connect arrives through the query's callback; a failure outside any command
    // (the server closing this connection) only as an event. The listener stays: an error after
    // the kill is settled concerns a connection that is being closed anyway.
    connection.on('error', settle);
    connection.query(`KILL QUERY ${threadId}`, (err) => settle(err));
  });
}
