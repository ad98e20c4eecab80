/// What `conflictwatch config example` prints: every setting, commented.
public enum ConfigExample {
    public static let text = """
        # conflictwatch daemon configuration (`conflictwatch run --config FILE`).
        # Every key is optional except `sources`. Paths are absolute.

        # Log files (or quoted globs) to follow, each with its format: combined, common, json,
        # auto (detect), or an nginx log_format string given verbatim; and interfaces to capture.
        sources:
          - path: /var/log/nginx/access.log
            format: combined
          # - path: "/var/log/app/*.json.log"
          #   format: json
          # Live capture (needs CAP_NET_RAW; see deploy/conflictwatch.service), same model:
          # - interface: eth0
          #   filter: tcp port 80      # BPF, tcpdump syntax
          #   snaplen: 262144
          #   buffer_mb: 64
          #   promisc: false

        # Where the store (SQLite, WAL) and checkpoints live. Default: $XDG_STATE_HOME/conflictwatch,
        # else ~/.local/state/conflictwatch; the systemd unit uses /var/lib/conflictwatch.
        state_dir: /var/lib/conflictwatch

        # Days of alerts, rollups and hot-spot snapshots kept (default 30).
        retention_days: 30

        # Model parameters file, e.g. one written by `conflictwatch train` (default: built-in).
        # model: /etc/conflictwatch/model.json

        # OpenAPI 3 or Swagger 2 document (JSON or YAML) whose paths group requests into routes,
        # e.g. /orders/{orderId}, under its servers' base path (docs/routes.md).
        # openapi: /etc/conflictwatch/openapi.yaml

        # Read files seen for the first time from their start instead of their end.
        from_start: false

        # Lines longer than this many bytes are counted as malformed.
        max_line_length: 65536

        # trace, debug, info, notice, warning, error or critical.
        log_level: info

        # Receivers of alerts: each opened and closed alert is POSTed as JSON (the alert as
        # `alerts --format json` prints it, plus "event": "opened"|"closed"), in order per
        # receiver, retried with back-off (1 s doubling to 60 s, 8 tries) while the receiver is
        # down or answers 5xx/429. A URL, or `url:` with `min_severity:` to send fewer.
        # webhooks:
        #   - https://hooks.example.com/conflictwatch
        #   - url: http://127.0.0.1:8080/pager
        #     min_severity: high

        # The query API, Prometheus metrics (/metrics) and a live dashboard (/), on loopback
        # so the installed service has them; remove the line to run without. Off loopback a
        # token is required (or set CONFLICTWATCH_API_TOKEN); clients send it as a bearer token.
        listen: 127.0.0.1:9409
        # api_token: put-a-long-random-string-here   # e.g. `openssl rand -hex 24`
        # Limits that keep clients from starving the daemon: a keep-alive connection with no
        # request is closed after api_idle_timeout_seconds (1-3600), one that has not sent a
        # complete request head within api_request_timeout_seconds (1-600) gets a 408, and
        # connections beyond api_max_connections (1-65536) are answered 503 and closed. The cap
        # is lowered, with a warning, to the open file limit minus 128 for sources and store.
        api_idle_timeout_seconds: 60
        api_request_timeout_seconds: 10
        api_max_connections: 256

        # A fleet (several web servers behind a load balancer, docs/fleet.md): every host runs
        # this daemon with the same PostgreSQL; one of them at a time merges all hosts' traffic
        # and runs the model on the whole. The URL can come from CONFLICTWATCH_DATABASE_URL
        # instead (keeps a password out of this file). `agent` names this host in alerts
        # (default: the host name); an agent silent for agent_timeout_seconds (1-3600) no
        # longer holds the others back. Across hosts, check the server's certificate:
        # ?sslmode=verify-full&sslrootcert=/etc/conflictwatch/db-ca.pem (docs/fleet.md).
        # database_url: postgres://conflictwatch@db.internal:5432/conflictwatch
        # agent: web-01
        # agent_timeout_seconds: 30

        """
}
