"""Runs a batch plan with Google's own client (google-api-python-client) and prints outcomes.

Usage: python_batch.py ROOT_URL < PLAN_JSON
  ROOT_URL   the peer's root, e.g. http://127.0.0.1:4443/
  PLAN_JSON  on stdin: [{"id": "...", "method": "objects.get", "params": {...}, "body": {...}}]
Prints one JSON object, {"outcomes": {id: {"status": 200, "body": ...}}}, on stdout: the
inner response's status and its decoded body (null for errors).

The batch goes through BatchHttpRequest(batch_uri=...) because new_batch_http_request()
ignores a custom endpoint.
"""

import json
import sys

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest


def main():
    root = sys.argv[1]
    plan = json.load(sys.stdin)
    # static_discovery: the storage.v1 document bundled with the pinned wheel, the same one
    # discovery-docs/storage.v1.json copies.
    service = build(
        "storage",
        "v1",
        http=httplib2.Http(),
        static_discovery=True,
        client_options={"api_endpoint": root + "storage/v1/"},
    )
    outcomes = {}
    statuses = {}

    def callback(request_id, response, exception):
        if exception is None:
            if isinstance(response, bytes):
                # Methods without a response schema hand back the raw body (fake-gcs-server
                # answers DELETE with `null`).
                response = json.loads(response) if response.strip() else None
            outcomes[request_id] = {"status": statuses[request_id], "body": response}
        elif isinstance(exception, HttpError):
            outcomes[request_id] = {"status": exception.resp.status, "body": None}
        else:
            outcomes[request_id] = {"status": None, "error": repr(exception)}

    def recording_status(request_id, postproc):
        # The callback gets only the decoded body; the status is seen on the way there.
        def wrapped(resp, content):
            statuses[request_id] = resp.status
            return postproc(resp, content)

        return wrapped

    batch = BatchHttpRequest(callback=callback, batch_uri=root + "batch/storage/v1")
    for call in plan:
        resource_name, method_name = call["method"].split(".")
        method = getattr(getattr(service, resource_name)(), method_name)
        params = dict(call.get("params", {}))
        if "body" in call:
            params["body"] = call["body"]
        request = method(**params)
        request.postproc = recording_status(call["id"], request.postproc)
        batch.add(request, request_id=call["id"])
    batch.execute()
    json.dump({"outcomes": outcomes}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
