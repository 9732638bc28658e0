export { startIngestClient } from './ingest-client.js';
export { defaults as ingestDefaults } from './options.js';
export type {
  BatchSink,
  IncomingMessage,
  IngestClient,
  IngestClientOptions,
  IngestEventName,
  IngestEvents,
  IngestLogger,
  IngestStats,
} from './types.js';
