import type { Pool, PoolConnection } from 'mysql2';

/**
 * Closes each pooled connection that stays idle for `idleTimeoutMs`, down to none, so a quiet
 * hub holds no server sessions. mysql2's own reaping runs only when `maxIdle` is below
 * `connectionLimit` and then closes connections beyond `maxIdle` at once, so it cannot do this.
 * The pool must be created with `gracefulEnd: true`: `end()` then takes the connection out of
 * the pool and says goodbye to the server (COM_QUIT).
 */
export function closeIdleConnections(pool: Pool, idleTimeoutMs: number): void {
  const timers = new Map<PoolConnection, NodeJS.Timeout>();
  const forget = (connection: PoolConnection) => {
    clearTimeout(timers.get(connection));
    timers.delete(connection);
  };
  pool.on('connection', (connection) => {
    // A connection that breaks while idle leaves the pool by itself.
    connection.once('end', () => forget(connection));
    connection.once('error', () => forget(connection));
  });
  pool.on('acquire', forget);
  pool.on('release', (connection) => {
    forget(connection);
    const timer = setTimeout(() => {
      timers.delete(connection);
      connection.end();
    }, idleTimeoutMs);
    timer.unref(); // an idle pool must not keep the process alive
    timers.set(connection, timer);
  });
}
