declare module '../core/events.js' {
  interface StewardEvents {
    /** A service passed the health gate and is Live. */
    'deploy.succeeded': { service: string; deploymentId: string };
    /** A service failed its gate and went back to its previous Live state. */
    'deploy.rolled_back': { service: string; deploymentId: string; reason: string };
    /** A service failed and could not be (or was not to be) rolled back. */
    'deploy.failed': { service: string; deploymentId: string; reason: string };
    /** A deployment reached its final state. */
    'deploy.finished': { deploymentId: string; state: string; trigger: string; durationMs: number };
  }
}

export {};
