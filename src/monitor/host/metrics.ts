import type { HostSample } from './types.js';

export interface MetricDef {
  name: string;
  kind: HostSample['kind'];
  help: string;
}

function gauge(name: string, help: string): MetricDef {
  return { name: `steward_host_${name}`, kind: 'gauge', help };
}

function counter(name: string, help: string): MetricDef {
  return { name: `steward_host_${name}`, kind: 'counter', help };
}

/** Every metric the host collector can emit. Names follow Prometheus conventions (base units, _total). */
export const HOST_METRICS = {
  cpuUsage: gauge('cpu_usage_ratio', 'Share of CPU time spent busy since the previous collection (0..1).'),
  load1: gauge('load1', 'Load average over 1 minute.'),
  load5: gauge('load5', 'Load average over 5 minutes.'),
  load15: gauge('load15', 'Load average over 15 minutes.'),
  memoryTotal: gauge('memory_total_bytes', 'Total usable RAM in bytes.'),
  memoryAvailable: gauge('memory_available_bytes', 'RAM available for new work without swapping, in bytes.'),
  swapTotal: gauge('swap_total_bytes', 'Total swap space in bytes.'),
  swapFree: gauge('swap_free_bytes', 'Unused swap space in bytes.'),
  fsSize: gauge('filesystem_size_bytes', 'Filesystem size in bytes.'),
  fsAvail: gauge('filesystem_avail_bytes', 'Filesystem space available to unprivileged users in bytes.'),
  fsAvailRatio: gauge(
    'filesystem_avail_ratio',
    'Share of the filesystem available to unprivileged users (0..1): what alert rules compare.',
  ),
  fsFree: gauge('filesystem_free_bytes', 'Filesystem free space in bytes, including the root reserve.'),
  fsFiles: gauge('filesystem_files', 'Filesystem inode count.'),
  fsFilesFree: gauge('filesystem_files_free', 'Filesystem free inode count.'),
  diskRead: counter('disk_read_bytes_total', 'Bytes read from the disk since boot.'),
  diskWritten: counter('disk_written_bytes_total', 'Bytes written to the disk since boot.'),
  netRx: counter('network_receive_bytes_total', 'Bytes received on the interface since boot.'),
  netTx: counter('network_transmit_bytes_total', 'Bytes transmitted on the interface since boot.'),
  netRxErrors: counter('network_receive_errors_total', 'Receive errors on the interface since boot.'),
  netTxErrors: counter('network_transmit_errors_total', 'Transmit errors on the interface since boot.'),
  temperature: gauge('temperature_celsius', 'Thermal zone temperature in degrees Celsius.'),
  uptime: gauge('uptime_seconds', 'Seconds since the host booted.'),
} as const satisfies Record<string, MetricDef>;

export const HOST_METRIC_NAMES: readonly string[] = Object.values(HOST_METRICS).map((m) => m.name);

export function sample(def: MetricDef, value: number, labels: Record<string, string> = {}): HostSample {
  return { name: def.name, labels, value, kind: def.kind, help: def.help };
}
