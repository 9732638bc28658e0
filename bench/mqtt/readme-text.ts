/** The fixed prose of the MQTT benchmark's README section: what it measures, and the notes. */

export const ABOUT = `## MQTT ingestion (\`bench/mqtt.ts\`)

What it measures, in one run against a local Mosquitto (issue #8):

* **the broker**: Mosquitto from the system (\`/usr/sbin/mosquitto\`), loopback listener, anonymous, with
  \`persistence false\`, \`max_inflight_messages 0\`, \`max_queued_messages 0\`, \`max_queued_bytes 0\`: no limit on
  unacked or queued messages per client. With the defaults (20 in flight, 1,000 queued) a 3.1.1 subscriber such
  as mosquitto_sub is held to 20 unacked QoS 1 messages while Steward, an MQTT 5 client, advertises its own
  Receive Maximum of 10,000 and is not; and a subscriber that falls behind has QoS 0 messages dropped. No log
  line per message (\`log_type\` without debug);
* **the publisher**, a separate process (\`bench/mqtt/publisher.mjs\`): a minimal MQTT 3.1.1 client on
  \`node:net\`, no library: CONNECT, then pipelined PUBLISH packets, up to 200 per write, payload
  \`{"seq":k,"t":<base+k>,"v":k%100}\` to \`bench/<phase>/telemetry\`; at QoS 1 at most \`--window\` unacked
  packet ids (default 1,000), each freed by its PUBACK; DISCONNECT after the last PUBACK. It records the send
  time of every 100th message. (\`mosquitto_pub -l\` is not used: at QoS 1 this Mosquitto disconnects it after
  3,397 of 200,000 lines, "disconnected due to out of memory" in the broker's log, with the default limits and
  with these alike, and it still exits 0);
* **two subscribers of the same stream, at once**: a bare \`mosquitto_sub -t 'bench/#' -q 1 -C N > /dev/null\`
  (the broker's delivery ceiling; it exits after N messages) and \`steward daemon\` (built CLI, host metrics
  off, subscribed at QoS 1 with its fixed client id) with one ingest rule \`{ topic: "bench/+dev/telemetry",
  format: json, fields: { value: "$.v" }, metric: "bench_{field}", timestamp: "$.t", sequence: "$.seq",
  device: "{dev}" }\`. Both are subscribed (seen in the broker's log) before the publisher starts;
* three phases of N = 200,000 messages, each with its own series: QoS 0, then QoS 1 (both side by side with a
  fresh mosquitto_sub: the issue's targets are read from these two), then QoS 1 with Steward alone on the stream
  (no mosquitto_sub: what Steward does when it does not share the machine with a second subscriber;
  \`--no-alone\` leaves it out);
* t0 = the publisher's first send. Bare: completion = mosquitto_sub's exit. Steward: completion = the first
  probe (every 10 ms) that sees N messages stored; messages/s = N ÷ (completion − t0); the ratio is Steward's ÷
  the bare subscriber's. Sustained = the slope of Steward's stored curve between 10 % and 90 % of N. The probe
  reads \`max(ts)\` of the phase's series from the SQLite file (read-only, WAL, through the primary key: the
  daemon does no work for it); messages are stored in publish order with ts = base + k, so that is the count
  stored. \`/metrics\` is scraped every 250 ms only (\`steward_mqtt_messages_total\` stored, duplicate,
  quarantined; \`steward_mqtt_ingest_lag_seconds\`): a scrape costs the daemon about 3 ms of CPU, so scraping
  it every 10 ms would take about a third of a core from the process measured (\`--probe-metrics\` does that);
* end-to-end lag of message k = (stored count reached k + 1, interpolated between probes) − (its send time),
  for every 100th message: Steward keeps the publisher's order, so the k-th stored is message k;
* lost = N − rows in \`samples\` for the phase's series (each message carries a unique timestamp, base + k ms,
  and \`samples\` is keyed by (series, ts)), counted read-only in the SQLite file after the phase; the stored,
  duplicate and quarantined counters are shown too. The bare subscriber's loss is unknown if it does not reach N;
* CPU = utime + stime from \`/proc/<pid>/stat\` over the phase (in brackets: cores, CPU s ÷ the phase's
  window), also per message; peak RSS = \`VmHWM\` after the phase (the daemon is one process; its figure is the
  peak since it started, so later phases include earlier ones); of mosquitto_sub, its last reading before it
  exits.

The targets (QoS 0: ≥ 0.8× the bare subscriber; QoS 1: ≥ 20,000 messages/s persisted; zero loss) are reported
as met or not met, never asserted.

Run it:

\`\`\`sh
npm run bench:mqtt                        # about a minute
npm run bench:mqtt -- --quick             # smoke test: 20,000 messages a phase, nothing written
npm run bench:mqtt -- --profile --no-save # where the daemon's CPU goes (V8 profile; slows the daemon)
npm run bench:mqtt -- --help              # every flag
\`\`\`

Raw figures (the stored curves, every phase, the config used, the machine): [results/mqtt.json](results/mqtt.json).`;

export const NOTES = [
  'One run, side by side: the publisher, the broker, mosquitto_sub and the daemon share the 2 cores with this process (the probes) and with whatever else ran on the machine ("others"), so every figure is what each got while the rest ran; "machine busy" near 2.0 means the CPU was the limit, not any one of them.',
  'The bare subscriber and Steward receive the same stream at the same time, so the broker sends every message twice; at QoS 1 the publisher is paced by the broker\'s PUBACKs, so all four move at the pace of the shared CPU. The ratio compares the two subscribers on that one stream; the "Steward alone" phase shows Steward\'s rate without mosquitto_sub taking its share.',
  'At QoS 0 nothing paces the publisher but TCP back-pressure: it hands the stream to the kernel faster than the broker delivers it, so the lag of later messages is mostly time queued in the broker (and in Steward\'s socket); "receive → commit" is the part spent inside Steward, from its MQTT client receiving a message to the commit of its batch (steward_mqtt_ingest_lag_seconds).',
  'Steward acks a QoS 1 batch to the broker only after its SQLite transaction (up to 500 messages or 5 ms a batch, at most 10,000 unacked); the broker PUBACKs the publisher on receipt, not on delivery, so messages queue in the broker when Steward is the slower subscriber.',
  "Steward's completion is seen by a probe, so it is late by up to one probe interval (shown; the probes run in this process, which shares the CPU); the lag of each message is interpolated between the two probes around it. Lag uses one clock: the publisher stamps sends with performance.timeOrigin + performance.now(), as this process stamps its probes.",
];
