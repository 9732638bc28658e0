/** `cap_add` accepts "sys_admin", "SYS_ADMIN" and "CAP_SYS_ADMIN" alike. */
export function capabilityName(value: string): string {
  const upper = value.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/** Capabilities that amount to (or lead straight to) root on the host. */
export const dangerousCapabilities = new Set([
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'DAC_OVERRIDE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'BPF',
  'PERFMON',
  'SYSLOG',
  'SETFCAP',
  'LINUX_IMMUTABLE',
]);
