import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../core/logger.js';
import { terminateGroup } from '../../../core/proc.js';
import { type SwitchProxy, startSwitchProxy } from '../../proxy/index.js';
import { type Supervised, type SupervisedSpec, startSupervised } from '../../runner/index.js';

interface ServiceRuntime {
  processes: Map<number, Supervised>;
  proxy: SwitchProxy | null;
}

/**
 * What the daemon itself runs for native services: supervised processes (one per port, so two
 * colours can run at once) and the blue/green proxies. Each process's pid is written to a file,
 * so a daemon killed with -9 can find and stop the orphans it left before starting again.
 */
export class NativeRuntime {
  readonly #services = new Map<string, ServiceRuntime>();
  readonly #stateDir: string;
  readonly #logger: Logger;

  constructor(opts: { stateDir: string; logger: Logger }) {
    this.#stateDir = opts.stateDir;
    this.#logger = opts.logger;
  }

  #of(service: string): ServiceRuntime {
    let rt = this.#services.get(service);
    if (!rt) {
      rt = { processes: new Map(), proxy: null };
      this.#services.set(service, rt);
    }
    return rt;
  }

  logDir(service: string): string {
    return path.join(this.#stateDir, service, 'logs');
  }

  #pidFile(service: string, port: number): string {
    return path.join(this.#stateDir, service, `port-${port}.pid`);
  }

  /** Whether Steward runs any process of the service now. */
  running(service: string): boolean {
    return (this.#services.get(service)?.processes.size ?? 0) > 0;
  }

  process(service: string, port: number): Supervised | undefined {
    return this.#services.get(service)?.processes.get(port);
  }

  async startProcess(
    service: string,
    port: number,
    spec: Omit<SupervisedSpec, 'name' | 'logDir'>,
  ): Promise<Supervised> {
    await this.stopProcess(service, port);
    await this.#killOrphan(service, port);
    fs.mkdirSync(path.join(this.#stateDir, service), { recursive: true, mode: 0o700 });
    const proc = startSupervised({
      ...spec,
      name: service,
      logDir: this.logDir(service),
      env: { ...spec.env, STEWARD_SERVICE: service, STEWARD_PORT: String(port) },
    });
    const pidFile = this.#pidFile(service, port);
    proc.on('state', (state) => {
      if (state === 'running' && proc.pid) fs.writeFileSync(pidFile, `${proc.pid}\n`, { mode: 0o600 });
      if (state === 'stopped') fs.rmSync(pidFile, { force: true });
    });
    this.#of(service).processes.set(port, proc);
    return proc;
  }

  async stopProcess(service: string, port: number): Promise<void> {
    const rt = this.#services.get(service);
    const proc = rt?.processes.get(port);
    if (!proc) return;
    rt?.processes.delete(port);
    await proc.stop();
    fs.rmSync(this.#pidFile(service, port), { force: true });
  }

  /** A group left by an earlier daemon: stopped only if it is still Steward's process for this service and port. */
  async #killOrphan(service: string, port: number): Promise<void> {
    const file = this.#pidFile(service, port);
    let pid: number;
    try {
      pid = Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      return;
    }
    fs.rmSync(file, { force: true });
    if (!Number.isInteger(pid) || pid <= 1 || !isOurs(pid, service, port)) return;
    this.#logger.warn({ service, port, pid }, 'stopping a process an earlier daemon left running');
    await terminateGroup(pid, 5000);
  }

  async ensureProxy(
    service: string,
    listen: { host: string; port: number },
    drainTimeoutMs: number,
  ): Promise<SwitchProxy> {
    const rt = this.#of(service);
    rt.proxy ??= await startSwitchProxy({ listen, upstream: null, drainTimeoutMs, logger: this.#logger });
    return rt.proxy;
  }

  proxy(service: string): SwitchProxy | null {
    return this.#services.get(service)?.proxy ?? null;
  }

  async stopService(service: string): Promise<void> {
    const rt = this.#services.get(service);
    if (!rt) return;
    for (const port of [...rt.processes.keys()]) await this.stopProcess(service, port);
    await rt.proxy?.close();
    this.#services.delete(service);
  }

  async shutdown(): Promise<void> {
    for (const service of [...this.#services.keys()]) {
      try {
        await this.stopService(service);
      } catch (err) {
        this.#logger.error({ err, service }, 'could not stop a native service');
      }
    }
  }
}

function isOurs(pid: number, service: string, port: number): boolean {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.includes(`STEWARD_SERVICE=${service}`) && env.includes(`STEWARD_PORT=${port}`);
  } catch {
    return false;
  }
}
