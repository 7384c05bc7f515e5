"""Parses a batch request body the way google-api-python-client parses batch bodies.

Usage: parse_request.py CONTENT_TYPE < BODY
Feeds "content-type: ..." + body to email.parser.FeedParser (as googleapiclient.http does
for batch responses) and prints, as JSON, each part's Content-ID, the request id in it (the
text after the last "+", unquoted) and the inner request (method, target, headers, body)
split the way BatchHttpRequest._deserialize_response splits an inner message. Exits 1 if the
body is not multipart or a part cannot be read.
"""

import json
import sys
from email.parser import FeedParser
from urllib.parse import unquote


def main():
    content_type = sys.argv[1]
    body = sys.stdin.buffer.read().decode("utf-8")
    parser = FeedParser()
    parser.feed("content-type: %s\r\n\r\n" % content_type + body)
    message = parser.close()
    if not message.is_multipart():
        print("not multipart", file=sys.stderr)
        sys.exit(1)
    parts = []
    for part in message.get_payload():
        payload = part.get_payload()
        request_line, rest = payload.split("\n", 1)
        method, target, _version = request_line.strip().split(" ", 2)
        inner = FeedParser()
        inner.feed(rest)
        inner_message = inner.close()
        content_id = part["Content-ID"]
        parts.append(
            {
                "content_type": part.get_content_type(),
                "content_id": content_id,
                "request_id": unquote(content_id.strip("<> ").rsplit("+", 1)[-1].strip()),
                "transfer_encoding": part["Content-Transfer-Encoding"],
                "method": method,
                "target": target,
                "headers": {k.lower(): v for k, v in inner_message.items()},
                "body": inner_message.get_payload(),
            }
        )
    json.dump(parts, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
