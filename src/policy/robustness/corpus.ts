/**
 * Realistic compose files the fuzz test mutates: the shapes people write (anchors and merge
 * keys, short and long port/volume syntax, environment as map and list, healthchecks, deploy
 * limits, comments, several documents), so mutations land on code paths that matter.
 */

/** A home server: 12 services, shared defaults through anchors, a little of everything. */
const homelab = `# Home server stack
name: homelab

x-logging: &logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"

x-defaults: &defaults
  restart: unless-stopped
  logging: *logging
  security_opt:
    - no-new-privileges:true
  cap_drop: [ALL]

x-limits: &limits
  deploy:
    resources:
      limits: { memory: 256M, cpus: "0.5", pids: 200 }

services:
  proxy:
    <<: [*defaults, *limits]
    image: traefik:v3.1
    ports:
      - "80:80"
      - target: 443
        published: 443
        protocol: tcp
        mode: host
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ./traefik:/etc/traefik
    healthcheck:
      test: ["CMD", "traefik", "healthcheck"]
      interval: 30s
  db:
    <<: *defaults
    image: postgres:16.4
    user: "999:999"
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: hunter2 # a literal secret, on purpose
      POSTGRES_DB: app
    volumes:
      - type: volume
        source: pgdata
        target: /var/lib/postgresql/data
    healthcheck: { test: ["CMD-SHELL", "pg_isready -U app"], interval: 10s, retries: 5 }
    mem_limit: 1g
  cache:
    <<: *defaults
    image: redis:7
    command: ["redis-server", "--save", ""]
    read_only: true
  app:
    <<: [*defaults, *limits]
    build:
      context: ./app
      args:
        NPM_TOKEN: abc123
    image: ghcr.io/example/app:latest
    environment:
      - DATABASE_URL=postgres://app:hunter2@db:5432/app
      - LOG_LEVEL=info
      - SESSION_SECRET=\${SESSION_SECRET}
    ports: ["127.0.0.1:3000:3000"]
    depends_on:
      db: { condition: service_healthy }
      cache: { condition: service_started }
  worker:
    <<: *defaults
    image: ghcr.io/example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    command: npm run worker
    user: node
    pids_limit: 100
  homeassistant:
    image: ghcr.io/home-assistant/home-assistant:stable
    network_mode: host
    privileged: true
    volumes:
      - ./ha:/config
      - /etc/localtime:/etc/localtime:ro
    devices: [/dev/ttyUSB0]
  mqtt:
    <<: *defaults
    image: eclipse-mosquitto:2.0.18
    ports:
      - 1883:1883
      - "[::]:9001:9001"
    volumes: [mosquitto:/mosquitto/data]
  grafana:
    <<: *defaults
    image: grafana/grafana:11.2.0
    user: "472"
    environment: { GF_SECURITY_ADMIN_PASSWORD__FILE: /run/secrets/gf }
    volumes: [grafana:/var/lib/grafana, ./shared:/shared]
  backup:
    image: restic/restic:0.17.0
    cap_add: [DAC_READ_SEARCH, SYS_ADMIN]
    volumes:
      - /:/host:ro
      - ./shared:/shared
    security_opt: ["seccomp:unconfined", "apparmor=unconfined"]
    pid: host
  dns:
    <<: *defaults
    image: pihole/pihole:2024.07.0
    ports: ["53:53/udp", "0.0.0.0:8053:80/tcp"]
    cap_add: [NET_ADMIN]
  vpn:
    image: qmcgaw/gluetun
    cap_add: [NET_ADMIN]
    sysctls: [net.ipv6.conf.all.disable_ipv6=1]
    restart: "no"
  docs:
    <<: *defaults
    image: nginx:1.27-alpine
    volumes:
      - type: bind
        source: ./docs
        target: /usr/share/nginx/html
        read_only: true
        bind: { propagation: rshared }

volumes:
  pgdata: {}
  mosquitto:
  grafana:
`;

/** Two documents merged in order, as \`-f base -f override\` would (compose publish writes these). */
const multiDocument = `# base
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    environment: [A=1, B=2]
  api:
    image: node:20
    user: node
  queue:
    image: nats:2.10
    command: ["-js"]
  cron:
    image: mcuadros/ofelia:0.3.13
    volumes: [/var/run/docker.sock:/var/run/docker.sock:ro]
---
# override: hardens web, breaks api
services:
  web:
    read_only: true
    cap_drop: [ALL]
    environment:
      B: "3"
      API_TOKEN: s3cr3t
  api:
    privileged: true
    healthcheck:
      disable: true
  extra:
    image: busybox
    command: sleep infinity
    healthcheck:
      test: NONE
`;

/** Every service hardened for the baseline profile: lints to zero findings. */
const hardened = `x-hardened: &hardened
  restart: unless-stopped
  user: "1000:1000"
  read_only: true
  cap_drop: [ALL]
  security_opt: [no-new-privileges:true]
  logging: { driver: json-file, options: { max-size: 10m } }
  deploy:
    resources:
      limits:
        memory: 128M
        cpus: "0.25"
        pids: 100
  healthcheck:
    test: ["CMD", "/healthcheck"]
    interval: 30s

services:
  api:
    <<: *hardened
    image: ghcr.io/example/api:2.4.1
    ports:
      - "127.0.0.1:8080:8080"
  web:
    <<: *hardened
    image: ghcr.io/example/web:2.4.1
    ports:
      - target: 8443
        published: "8443"
        host_ip: 127.0.0.1
    tmpfs: [/tmp]
  jobs:
    <<: *hardened
    image: ghcr.io/example/jobs:2.4.1
    environment:
      QUEUE: default
      DB_PASSWORD_FILE: /run/secrets/db
    secrets: [db]
  metrics:
    <<: *hardened
    image: prom/node-exporter:v1.8.2
    volumes:
      - ./textfile:/textfile:ro
  reports:
    <<: *hardened
    image: ghcr.io/example/reports:2.4.1
    volumes:
      - reports:/data

secrets:
  db:
    file: ./db_password.txt
volumes:
  reports:
`;

/** An app stack with builds, in-file extends, profiles, networks and the long volume syntax. */
const appStack = `version: "3.9" # obsolete, still common
services:
  base:
    image: python:3.12-slim
    environment:
      PYTHONUNBUFFERED: "1"
    profiles: [tools]
  web:
    extends: base
    build: { context: ., dockerfile: Dockerfile }
    ports:
      - "8000:8000"
      - "127.0.0.1:8001:8001"
    networks: [front, back]
    volumes:
      - type: bind
        source: .
        target: /app
      - type: tmpfs
        target: /tmp
  celery:
    extends: { service: web }
    command: celery -A app worker
    ports: []
    environment:
      - BROKER_URL=amqp://guest:guest@rabbit:5672//
  rabbit:
    image: rabbitmq:3.13-management
    ipc: host
    ulimits: { nofile: { soft: 65536, hard: 65536 } }
    healthcheck:
      test: rabbitmq-diagnostics -q ping
  flower:
    extends: celery
    command: celery -A app flower
    ports: ["5555:5555"]
    labels:
      steward.public: "true"
networks:
  front: {}
  back: { internal: true }
`;

export interface CorpusFile {
  name: string;
  text: string;
}

export const corpus: readonly CorpusFile[] = [
  { name: 'homelab', text: homelab },
  { name: 'multi-document', text: multiDocument },
  { name: 'hardened', text: hardened },
  { name: 'app-stack', text: appStack },
];
