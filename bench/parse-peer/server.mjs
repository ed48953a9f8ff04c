// The Parse Server under test, run by run.mjs as a child process (fork, with an IPC channel) so that
// the load generator (autocannon) and the server do not share one event loop: the same arrangement
// as the service's own bench, where the API runs in its own process.
//
// Env: PARSE_PEER_DB_URI (postgres URI of the bench database), PARSE_PEER_APP_ID, PARSE_PEER_MASTER_KEY.
// Listens on a free loopback port and sends {type:'ready', port} to the parent. Exits when the parent
// goes away (IPC disconnect) or on SIGTERM/SIGINT.
import http from 'node:http';
import express from 'express';
import { ParseServer } from 'parse-server';

const dbUri = process.env.PARSE_PEER_DB_URI;
const appId = process.env.PARSE_PEER_APP_ID ?? 'bench';
const masterKey = process.env.PARSE_PEER_MASTER_KEY ?? 'bench-master-key';
if (!dbUri) {
  console.error('parse-peer server: PARSE_PEER_DB_URI is required');
  process.exit(2);
}

let httpServer;
let parseServer;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  const hardExit = setTimeout(() => process.exit(code), 3000);
  hardExit.unref();
  try {
    httpServer?.closeAllConnections?.();
    if (parseServer) {
      // Closes the HTTP server given to it and the pg-promise pool.
      await parseServer.handleShutdown();
    } else {
      httpServer?.close();
    }
  } catch (err) {
    console.error('parse-peer server: shutdown error', err);
  }
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.on('disconnect', () => void stop(0));

async function main() {
  const app = express();
  app.disable('x-powered-by');
  httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', resolve);
  });
  const { port } = httpServer.address();

  parseServer = new ParseServer({
    appId,
    masterKey,
    // Only the loopback client of this bench uses the master key (seeding).
    masterKeyIps: ['127.0.0.1', '::1'],
    databaseURI: dbUri,
    serverURL: `http://127.0.0.1:${port}/parse`,
    // Quiet: no request logging, no log files; errors still reach stderr.
    logLevel: 'error',
    logsFolder: null,
    verbose: false,
    // No client-side schema changes: the classes are made by run.mjs with the master key.
    allowClientClassCreation: false,
    enableAnonymousUsers: false,
    // Defaults kept on purpose (they are what a Parse deployment runs with): in-memory cache
    // (cacheTTL 5 s for sessions/roles), schema cache, directAccess.
  });
  await parseServer.start();
  parseServer.server = httpServer; // handleShutdown closes this server.
  app.use('/parse', parseServer.app);

  if (process.send) process.send({ type: 'ready', port });
  else console.log(`parse-peer server listening on http://127.0.0.1:${port}/parse`);
}

main().catch((err) => {
  console.error('parse-peer server: failed to start', err);
  void stop(1);
});
