#!/usr/bin/env python3
"""Writes the seed corpus of the batch_response fuzz target to corpus-seeds/batch_response/.

Each seed is one fuzz input (see checks/batch_response.rs): a byte with the number of calls,
a byte of flags (calls per request, attempts, what the transport answers, a refreshable
token), then the outer Content-Type, an LF, and the batch body. The bodies are the
decode_response seeds (real vectors and their variants; run seeds/decode_response.py first)
and answers to the fuzz target's own calls: Content-IDs `<response-BASE+N>` for the ids
"1".."N", in order, reversed, duplicated, without Content-IDs, with 401/429/503 parts, cut
short. Run from anywhere; rewrites the files.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DECODE_SEEDS = HERE.parent / "corpus-seeds" / "decode_response"
OUT = HERE.parent / "corpus-seeds" / "batch_response"

BOUNDARY = b"batch_fuzz"
CONTENT_TYPE = b"multipart/mixed; boundary=" + BOUNDARY


def flags(per_request=0, attempts=1, status=0, token=False) -> int:
    """Byte 1: status 0-2 = 200, 3 = 207, 4 = 401, 5 = 429, 6 = 503, 7 = transport error."""
    return (per_request & 3) | ((attempts - 1) << 2) | (status << 4) | (0x80 if token else 0)


def part(content_id, status=b"200 OK", body=b'{"name":"x"}', headers=b"") -> bytes:
    out = b"--" + BOUNDARY + b"\r\nContent-Type: application/http\r\n"
    if content_id is not None:
        out += b"Content-ID: " + content_id + b"\r\n"
    out += b"\r\nHTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n" + headers
    out += b"Content-Length: %d\r\n\r\n" % len(body) + body + b"\r\n"
    return out


def answer(parts, close=True) -> bytes:
    return b"".join(parts) + (b"--" + BOUNDARY + b"--\r\n" if close else b"")


def cid(n) -> bytes:
    return b"<response-AbCdEf0123456789+%d>" % n


def main() -> None:
    seeds = {}
    for path in sorted(DECODE_SEEDS.iterdir()):
        # Three calls (the Farm example's count), one request, one attempt.
        seeds["decode_" + path.name] = bytes([2, flags()]) + path.read_bytes()

    def own(name, calls, parts, close=True, **kw):
        seeds[name] = bytes([calls - 1, flags(**kw)]) + CONTENT_TYPE + b"\n" + answer(parts, close)

    own("in_order", 3, [part(cid(n)) for n in (1, 2, 3)])
    own("reversed", 3, [part(cid(n)) for n in (3, 2, 1)])
    own("no_content_ids", 3, [part(None) for _ in range(3)])
    own("more_parts_than_calls", 2, [part(None) for _ in range(5)])
    own("duplicate_content_id", 3, [part(cid(1)), part(cid(1), body=b'{"second":true}'), part(cid(2)), part(cid(3))])
    own("unknown_content_id", 2, [part(cid(1)), part(cid(9))])
    own("unclosed", 3, [part(cid(n)) for n in (1, 2, 3)], close=False)
    own("cut_in_body", 2, [part(cid(1)), part(cid(2))[:-20]], close=False)
    own("not_json", 2, [part(cid(1), body=b"<html>"), part(cid(2), body=b"")])
    own("not_modified", 2, [part(cid(1), status=b"304 Not Modified", body=b""), part(cid(2))])
    own(
        "retry_parts",
        4,
        [part(cid(1), status=b"401 Unauthorized"), part(cid(2), status=b"429 Too Many Requests",
         headers=b"Retry-After: 30\r\n"), part(cid(3), status=b"503 Service Unavailable"), part(cid(4))],
        attempts=3,
        token=True,
    )
    own("split_requests", 7, [part(cid(n)) for n in range(1, 8)], per_request=3, attempts=2)
    own("outer_503", 3, [part(cid(1))], status=6, attempts=2)
    own("outer_401", 3, [part(cid(1))], status=4, attempts=2, token=True)
    own("transport_error", 3, [], status=7)
    own("status_207", 2, [part(cid(1)), part(cid(2))], status=3)
    seeds["not_multipart"] = bytes([1, flags()]) + b"application/json\n{\"error\":{}}"
    seeds["no_boundary"] = bytes([1, flags()]) + b"multipart/mixed\n" + answer([part(cid(1))])

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
