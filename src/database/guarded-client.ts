import pg from 'pg';

/**
 * A pg client that always has an 'error' listener. The pool hands a new client over and its taker (TypeORM's
 * query runner) adds its own listener a moment later; when Postgres ends the connection in that moment
 * (pg_terminate_backend, a restart), its error arrives in the same network read as the "ready" before it,
 * finds no listener, and Node ends the process. The error still fails the client's queries and keeps the pool
 * from reusing it; this listener only keeps it from taking the process down.
 */
export class GuardedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}
