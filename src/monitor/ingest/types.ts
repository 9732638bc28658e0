/** One metric sample in the shape every ingest parser produces. */
export interface IngestSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since epoch, undefined = "now" (caller fills) */
  ts?: number;
}

export interface IngestError {
  /** 1-based line number (line protocol) or 0-based item index (JSON) */
  at: number;
  message: string;
}

export interface IngestResult {
  samples: IngestSample[];
  errors: IngestError[];
}
