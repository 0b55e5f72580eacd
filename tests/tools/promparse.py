#!/usr/bin/python3
"""tests/tools/promparse.py - reads a /metrics reply on stdin and parses it with the
Prometheus project's own parser (Debian python3-prometheus-client,
prometheus_client.parser.text_string_to_metric_families). Exit 1 when it does not parse.
Prints one line per family ("family NAME TYPE") and per sample ("NAME{k=v,...} VALUE",
labels sorted), so a shell test can grep for what it expects."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # any parser complaint is a failure of the format
        print("parse error: %s" % e, file=sys.stderr)
        return 1
    for fam in families:
        print("family %s %s" % (fam.name, fam.type))
        for s in fam.samples:
            labels = ",".join("%s=%s" % (k, s.labels[k]) for k in sorted(s.labels))
            value = s.value
            if value == int(value):
                value = int(value)
            print("%s{%s} %s" % (s.name, labels, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
