import fs from 'node:fs';
import path from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { ObservedFinding, Store } from '../store/index.js';
import './events.js';
import type { Finding, LintResult } from './findings.js';
import { lintTargets } from './run-lint.js';
import { configuredTargets, type LintTarget, serviceNameMap } from './targets.js';

export interface ComplianceDeps {
  config: () => ResolvedConfig;
  store: Store;
  events: EventBus;
  logger: Logger;
  registry: Registry;
}

export interface Compliance {
  /** Lints the configured compose files now and records the result. */
  runNow(): LintResult | null;
  reload(): void;
  stop(): void;
}

const DEBOUNCE_MS = 300;
// A safety net for missed file events (network filesystems, editors that swap directories).
const RESWEEP_MS = 10 * 60_000;

/** Turns findings into stable records: the same finding keeps its id while its line moves. */
export function observe(result: LintResult, config: ResolvedConfig): ObservedFinding[] {
  const names = serviceNameMap(config);
  const seen = new Map<string, number>();
  const rel = (file: string) =>
    path.relative(config.source.dir, path.resolve(config.source.dir, file)) || file;
  const one = (f: Finding, excepted: boolean, reason?: string): ObservedFinding => {
    const service = f.service ? (names.get(f.service) ?? f.service) : '';
    const base = [f.ruleId, service, rel(f.file), f.aspect ?? '', f.message].join('\u0000');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      fingerprint: `${base}\u0000${n}`,
      rule: f.ruleId,
      service,
      severity: f.severity,
      excepted,
      reason,
      message: f.message,
      file: rel(f.file),
      line: f.line,
      column: f.column,
    };
  };
  return [
    ...result.findings.map((f) => one(f, false)),
    ...result.suppressed.map((f) => one(f, true, f.suppression.reason)),
  ];
}

/** The daemon's compliance records: lint on start, on every change of a compose file, and every ten minutes. */
export function startCompliance(deps: ComplianceDeps): Compliance {
  const { store, events, logger } = deps;
  let watchers: fs.FSWatcher[] = [];
  let debounce: NodeJS.Timeout | undefined;
  let stopped = false;

  new Gauge({
    name: 'steward_policy_findings',
    help: 'Open compose policy findings (not excepted) by service and severity.',
    labelNames: ['service', 'severity'],
    registers: [deps.registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const f of store.policyFindings.list()) {
        if (f.state !== 'open') continue;
        const key = `${f.service}\u0000${f.severity}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, n] of counts) {
        const [service = '', severity = ''] = key.split('\u0000');
        this.set({ service, severity }, n);
      }
    },
  });

  const targets = (): LintTarget[] => configuredTargets(deps.config());

  const watch = (files: string[]) => {
    for (const w of watchers) w.close();
    watchers = [];
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const dir = path.dirname(path.resolve(file));
      const names = byDir.get(dir) ?? new Set<string>(['.env']);
      names.add(path.basename(file));
      byDir.set(dir, names);
    }
    for (const [dir, names] of byDir) {
      try {
        // The directory, not the file: editors save by writing a new file and renaming it.
        const watcher = fs.watch(dir, (_event, name) => {
          if (name && names.has(name.toString())) schedule();
        });
        watcher.on('error', (err) => logger.debug({ err, dir }, 'compose file watcher failed'));
        watchers.push(watcher);
      } catch (err) {
        logger.debug({ err, dir }, 'cannot watch the compose directory');
      }
    }
  };

  const runNow = (): LintResult | null => {
    const config = deps.config();
    const list = targets();
    if (list.length === 0) {
      watch([]);
      return null;
    }
    let result: LintResult;
    try {
      result = lintTargets(list, { policy: config.policy });
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'compose policy check failed');
      return null;
    }
    watch(result.files.length ? result.files : list.flatMap((t) => t.files));
    const problems = result.findings
      .filter((f) => f.ruleId === 'invalid-compose')
      .map((f) => ({ file: f.file, message: f.message }));
    const outcome = store.policyFindings.record(observe(result, config), {
      files: result.files.length,
      services: result.services,
      problems,
    });
    const open = result.findings.length;
    if (outcome.opened.length || outcome.resolved.length || outcome.changed.length) {
      store.audit.append({
        actor: 'system',
        action: 'policy.findings_changed',
        target: 'policy',
        details: {
          opened: outcome.opened.map((f) => `${f.service || f.file}: ${f.rule}`),
          resolved: outcome.resolved.map((f) => `${f.service || f.file}: ${f.rule}`),
          changed: outcome.changed.map((f) => `${f.service || f.file}: ${f.rule} → ${f.state}`),
        },
      });
      events.publish('policy.changed', {
        opened: outcome.opened.length,
        resolved: outcome.resolved.length,
        open,
      });
    }
    for (const p of problems)
      logger.warn({ file: p.file, problem: p.message }, 'compose file cannot be checked');
    logger.info(
      {
        files: result.files.length,
        services: result.services,
        open,
        opened: outcome.opened.length,
        resolved: outcome.resolved.length,
      },
      'compose policy checked',
    );
    return result;
  };

  function schedule(): void {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(runNow, DEBOUNCE_MS);
    debounce.unref();
  }

  const sweep = setInterval(schedule, RESWEEP_MS);
  sweep.unref();
  runNow();

  return {
    runNow,
    reload: schedule,
    stop() {
      stopped = true;
      clearTimeout(debounce);
      clearInterval(sweep);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}
