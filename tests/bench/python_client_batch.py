"""Anchor of target 1: google-api-python-client's client-side batch work, no network.

Builds N `objects.get` calls of storage.v1 (the discovery document bundled with the pinned
wheel), adds them to a BatchHttpRequest, executes it against HttpMockSequence, which replays a
canned N-part answer (the bytes discogen-bench's `canned::response_body` writes), parses every
part and runs the callbacks. The resource object (`service.objects()`) is made once, outside
the loop, as idiomatic code does.

Usage: python_client_batch.py [RUNS] [CALLS]; prints {"runs_ms": [...], "median_ms": M,
"response_bytes": B} on stdout.
"""

import json
import statistics
import sys
import time

from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest, HttpMock, HttpMockSequence

BOUNDARY = "batch_canned_boundary"


def object_json(i):
    name = f"dir/object-{i:04d}.txt"
    escaped = name.replace("/", "%2F")
    return {
        "kind": "storage#object",
        "name": name,
        "id": f"bucket/{name}/1796002490608866",
        "bucket": "bucket",
        "size": "5",
        "contentType": "text/plain",
        "crc32c": "mnG7TA==",
        "md5Hash": "XUFAKrxLKna5cZ2REBfFkg==",
        "etag": "XUFAKrxLKna5cZ2REBfFkg==",
        "storageClass": "STANDARD",
        "timeCreated": "2026-11-30T01:34:50.608849Z",
        "timeStorageClassUpdated": "2026-11-30T01:34:50.608853Z",
        "updated": "2026-11-30T01:34:50.608853Z",
        "generation": "1796002490608866",
        "metageneration": "1",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/bucket/o/{escaped}",
        "mediaLink": "https://storage.googleapis.com/download/storage/v1/b/bucket/o/"
        f"{escaped}?generation=1796002490608866&alt=media",
    }


def canned_response(calls):
    parts = []
    for i in range(calls):
        parts.append(
            f"--{BOUNDARY}\r\nContent-Type: application/http\r\n"
            f"Content-ID: <response-base + {i + 1}>\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
            f'ETag: "x"\r\n\r\n{json.dumps(object_json(i))}\r\n'
        )
    return "".join(parts) + f"--{BOUNDARY}--\r\n"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    body = canned_response(calls)
    service = build(
        "storage", "v1", http=HttpMock(None, {"status": "200"}), static_discovery=True
    )

    def run():
        names = []

        def callback(request_id, response, exception):
            if exception is None and response["name"] == f"dir/object-{int(request_id) - 1:04d}.txt":
                names.append(response["name"])

        batch = BatchHttpRequest(
            callback=callback, batch_uri="https://storage.googleapis.com/batch/storage/v1"
        )
        objects = service.objects()
        for i in range(calls):
            batch.add(objects.get(bucket="bucket", object=f"dir/object-{i:04d}.txt"))
        http = HttpMockSequence(
            [({"status": "200", "content-type": f"multipart/mixed; boundary={BOUNDARY}"}, body)]
        )
        batch.execute(http=http)
        assert len(names) == calls, len(names)

    run()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    json.dump(
        {"runs_ms": times, "median_ms": statistics.median(times), "response_bytes": len(body.encode())},
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
