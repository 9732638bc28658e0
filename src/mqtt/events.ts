declare module '../core/events.js' {
  interface StewardEvents {
    /** The ingest client (re)connected to the broker. */
    'mqtt.connected': { url: string; sessionPresent: boolean };
    /** The broker has been unreachable for mqtt.broker.disconnected_alert_after (once per outage). */
    'mqtt.disconnected': { url: string; since: string; forMs: number };
  }
}

export {};
