declare module '../core/events.js' {
  interface StewardEvents {
    /** A compliance pass recorded new or resolved findings (the deploy gate and alerting listen). */
    'policy.changed': { opened: number; resolved: number; open: number };
  }
}

export {};
