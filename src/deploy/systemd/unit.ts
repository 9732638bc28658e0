import { StewardError } from '../../core/errors.js';
import {
  assertLineSafe,
  escapePathValue,
  escapeSpecifiers,
  quoteListPath,
  unitValueError,
} from './escape.js';
import { renderExecStart } from './exec-start.js';

export interface UnitSpec {
  /** Steward's service name: the unit is steward-<service>.service; also SyslogIdentifier=. */
  service: string;
  description?: string;
  /** The run command with {port} already substituted. */
  execStart: string;
  /** The release's `current` symlink: systemd resolves it at each start, so a restart picks up a switch. */
  workingDirectory: string;
  /** Run as this existing user (and its same-named group); absent → DynamicUser=yes. */
  user?: string;
  envFile?: string;
  readWritePaths?: string[];
  /** Seconds; only for services that send sd_notify WATCHDOG=1, and implies Type=notify. */
  watchdogSec?: number;
  /** The service reports READY=1 via sd_notify. */
  notify?: boolean;
}

const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
// A login name (as useradd takes it) or a numeric id.
const USER_RE = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10})$/;

/** After five failed starts in five minutes systemd stops trying and the unit shows as failed. */
const START_LIMIT_INTERVAL_SEC = 300;
const START_LIMIT_BURST = 5;

/**
 * What a native service gets unless it asks otherwise: no privilege gain, a read-only system
 * (writes only to ReadWritePaths), no home directories, private /tmp and /dev, kernel and cgroup
 * knobs out of reach, no capabilities at all. MemoryDenyWriteExecute is left out on purpose: it
 * breaks JITs (Node.js, the BEAM), which are what these services are usually written in.
 */
const HARDENING: ReadonlyArray<readonly [string, string]> = [
  ['NoNewPrivileges', 'yes'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['PrivateDevices', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectKernelModules', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['RestrictSUIDSGID', 'yes'],
  ['LockPersonality', 'yes'],
  ['RestrictRealtime', 'yes'],
  ['RestrictNamespaces', 'yes'],
  ['SystemCallArchitectures', 'native'],
  ['CapabilityBoundingSet', ''],
  ['UMask', '0077'],
];

export function assertServiceName(service: string): void {
  if (SERVICE_RE.test(service)) return;
  throw new StewardError('E_USAGE', `invalid service name for a systemd unit: ${JSON.stringify(service)}`, {
    hint: 'use up to 128 characters from A-Z a-z 0-9 _ . - starting with a letter or digit',
  });
}

/** steward-<service>.service */
export function unitName(service: string): string {
  assertServiceName(service);
  return `steward-${service}.service`;
}

function timespan(field: string, seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new StewardError('E_USAGE', `invalid ${field}: ${seconds}`, {
      hint: 'use a positive number of seconds',
    });
  }
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function userLines(user: string | undefined): string[] {
  // A transient uid owns nothing on disk: the release stays read-only to the service.
  if (user === undefined) return ['DynamicUser=yes'];
  if (!USER_RE.test(user)) throw unitValueError('user', user, 'is not a valid user name');
  // systemd warns about these too: files they own are shared with every other such service.
  if (user === 'nobody' || user === '65534') {
    throw new StewardError('E_USAGE', `refusing to run a service as ${user}`, {
      hint: 'leave user unset for a DynamicUser, or create a dedicated user',
    });
  }
  return [`User=${user}`, `Group=${user}`];
}

/** The text of steward-<service>.service for a native service, hardened by default. */
export function renderUnit(spec: UnitSpec): string {
  assertServiceName(spec.service);
  // Trimmed first: systemd strips the ends anyway, and a trailing `\` must be seen as the last character.
  const description = spec.description?.trim() || `Steward service ${spec.service}`;
  assertLineSafe('description', description);
  const exec = renderExecStart(spec.execStart);
  const notify = spec.notify === true || spec.watchdogSec !== undefined;

  const unit = [
    '[Unit]',
    `Description=${escapeSpecifiers(description)}`,
    'After=network-online.target',
    'Wants=network-online.target',
    `StartLimitIntervalSec=${START_LIMIT_INTERVAL_SEC}`,
    `StartLimitBurst=${START_LIMIT_BURST}`,
  ];

  const service = ['[Service]', `Type=${notify ? 'notify' : 'simple'}`];
  // Under sh -c the program may be a child of the shell, and the default (main) would drop its READY=1.
  if (notify && exec.viaShell) service.push('NotifyAccess=all');
  service.push(
    `ExecStart=${exec.value}`,
    `WorkingDirectory=${escapePathValue('workingDirectory', spec.workingDirectory)}`,
    ...userLines(spec.user),
  );
  if (spec.envFile !== undefined) service.push(`EnvironmentFile=${escapePathValue('envFile', spec.envFile)}`);
  if (spec.readWritePaths !== undefined && spec.readWritePaths.length > 0) {
    service.push(
      `ReadWritePaths=${spec.readWritePaths.map((p) => quoteListPath('readWritePaths', p)).join(' ')}`,
    );
  }
  service.push(`SyslogIdentifier=${spec.service}`, 'Restart=on-failure', 'RestartSec=5s');
  if (spec.watchdogSec !== undefined)
    service.push(`WatchdogSec=${timespan('watchdogSec', spec.watchdogSec)}`);
  for (const [key, value] of HARDENING) service.push(`${key}=${value}`);

  const install = ['[Install]', 'WantedBy=multi-user.target'];
  return `${[unit, service, install].map((section) => section.join('\n')).join('\n\n')}\n`;
}
