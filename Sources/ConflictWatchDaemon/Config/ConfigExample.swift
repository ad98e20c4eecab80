/// What `conflictwatch config example` prints: every setting, commented.
public enum ConfigExample {
    public static let text = """
        # conflictwatch daemon configuration (`conflictwatch run --config FILE`).
        # Every key is optional except `sources`. Paths are absolute.

        # Log files (or quoted globs) to follow, each with its format: combined, common, json,
        # auto (detect), or an nginx log_format string given verbatim.
        sources:
          - path: /var/log/nginx/access.log
            format: combined
          # - path: "/var/log/app/*.json.log"
          #   format: json

        # Where the store (SQLite, WAL) and checkpoints live. Default: $XDG_STATE_HOME/conflictwatch,
        # else ~/.local/state/conflictwatch; the systemd unit uses /var/lib/conflictwatch.
        state_dir: /var/lib/conflictwatch

        # Days of alerts, rollups and hot-spot snapshots kept (default 30).
        retention_days: 30

        # Model parameters file, e.g. one written by `conflictwatch train` (default: built-in).
        # model: /etc/conflictwatch/model.json

        # Read files seen for the first time from their start instead of their end.
        from_start: false

        # Lines longer than this many bytes are counted as malformed.
        max_line_length: 65536

        # trace, debug, info, notice, warning, error or critical.
        log_level: info

        # Not built yet (accepted, logged and ignored): the query API and webhooks.
        # listen: 127.0.0.1:9409
        # webhooks:
        #   - https://hooks.example.com/conflictwatch

        """
}
