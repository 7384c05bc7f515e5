"""Python contender of the end-to-end comparison (target 3): google-api-python-client.

Usage: python_client_e2e.py ROOT_URL BUCKET CALLS RUNS MODE
  MODE  batch (all calls in one BatchHttpRequest) or sequential (one execute() per call)
Each run builds the calls, sends them to the server at ROOT_URL and parses every answer; a
warm-up run comes first. The resource object is made once per run, outside the loop.
Prints {"runs_ms": [...]} on stdout.
"""

import json
import sys
import time

import httplib2
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest


def main():
    root, bucket, calls, runs, mode = sys.argv[1:6]
    calls, runs = int(calls), int(runs)
    http = httplib2.Http()
    service = build(
        "storage",
        "v1",
        http=http,
        static_discovery=True,
        client_options={"api_endpoint": root + "storage/v1/"},
    )
    names = [f"dir/object-{i:04d}.txt" for i in range(calls)]

    def run():
        got = []
        objects = service.objects()
        if mode == "batch":

            def callback(request_id, response, exception):
                if exception is None and response["name"] == names[int(request_id) - 1]:
                    got.append(response["name"])

            # BatchHttpRequest(batch_uri=...): new_batch_http_request() ignores a custom endpoint.
            batch = BatchHttpRequest(callback=callback, batch_uri=root + "batch/storage/v1")
            for name in names:
                batch.add(objects.get(bucket=bucket, object=name))
            batch.execute(http=http)
        elif mode == "sequential":
            for name in names:
                response = objects.get(bucket=bucket, object=name).execute()
                if response["name"] == name:
                    got.append(name)
        else:
            sys.exit(f"unknown mode {mode}")
        assert len(got) == calls, f"{len(got)} of {calls} calls got their object"

    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    json.dump({"runs_ms": times}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
