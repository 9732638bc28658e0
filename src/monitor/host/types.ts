/** One metric value, ready for the Prometheus exporter. */
export interface HostSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** 'gauge' | 'counter' for the Prometheus exporter */
  kind: 'gauge' | 'counter';
  help: string;
}

/** Result of one collection: whatever could be read, plus one line per source that could not. */
export interface HostCollection {
  samples: HostSample[];
  problems: string[];
}
