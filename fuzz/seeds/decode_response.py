#!/usr/bin/env python3
"""Writes the seed corpus of the decode_response fuzz target to corpus-seeds/decode_response/.

Each seed is one fuzz input: the outer Content-Type, an LF, then the batch body. The seeds
are the real vectors (the Farm example from Google's batch documentation, in
runtime/tests/data/), the shape fake-gcs-server answers with (Go's mime/multipart writer:
`Content-Id`, no inner Content-Length, JSON bodies ending in LF), our own encoder's shape, and
bare-LF, truncated and oddly typed variants of them. Run from anywhere; rewrites the files.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "runtime" / "tests" / "data"
OUT = HERE.parent / "corpus-seeds" / "decode_response"

FARM_TYPE = b"multipart/mixed; boundary=batch_foobarbaz"
GCS_TYPE = b"multipart/mixed; boundary=batch_response"


def crlf(body: bytes) -> bytes:
    return body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def lf(body: bytes) -> bytes:
    return body.replace(b"\r\n", b"\n")


def fake_gcs_response() -> bytes:
    """Two objects, a 404 and a delete, as fake-gcs-server's batch handler writes them."""
    objects = [
        b'{"kind":"storage#object","name":"a.txt","id":"bucket/a.txt","bucket":"bucket",'
        b'"size":"5","contentType":"text/plain","crc32c":"mnG7TA==","md5Hash":"XUFAKrxLKna5cZ2REBfFkg==",'
        b'"generation":"1700000000000000","metageneration":"1"}\n',
        b'{"kind":"storage#object","name":"dir/b.json","id":"bucket/dir/b.json","bucket":"bucket",'
        b'"size":"2","contentType":"application/json","generation":"1700000000000001"}\n',
    ]
    parts = []
    for i, obj in enumerate(objects):
        parts.append(
            b"Content-Id: <response-batch_fuzz+%d>\r\nContent-Type: application/http\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" % i + obj
        )
    parts.append(
        b"Content-Id: <response-batch_fuzz+2>\r\nContent-Type: application/http\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\n"
        b"X-Content-Type-Options: nosniff\r\n\r\n"
        b'{"error":{"code":404,"message":"Not Found","errors":[{"domain":"global",'
        b'"message":"Not Found","reason":"notFound"}]}}\n'
    )
    parts.append(
        b"Content-Id: <response-batch_fuzz+3>\r\nContent-Type: application/http\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\nnull\n"
    )
    # Go's writer: the first delimiter without a leading CRLF, the others after one.
    body = b"--batch_response\r\n" + b"\r\n--batch_response\r\n".join(parts)
    return body + b"\r\n--batch_response--\r\n"


def encoded_request() -> bytes:
    """What discogen's encode_request writes: CRLF, Content-Length, binary bodies."""
    head = b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    body = b'{"animalName":"sheep","peltColor":"green"}'
    return (
        b"--batch_Qx7\r\n" + head + b"Content-ID: <b1+pony>\r\n\r\n"
        b"GET /farm/v1/animals/pony?fields=kind HTTP/1.1\r\n\r\n\r\n"
        b"--batch_Qx7\r\n" + head + b"Content-ID: <b1+a%2Bb%20c>\r\n\r\n"
        b"PUT /farm/v1/animals/sheep HTTP/1.1\r\ncontent-type: application/json\r\n"
        b'if-match: "etag/sheep"\r\nContent-Length: ' + str(len(body)).encode() + b"\r\n\r\n"
        + body + b"\r\n--batch_Qx7--\r\n"
    )


def google_style_response() -> bytes:
    """Preamble, quoted boundary, inner Content-Length, binary body, epilogue."""
    body = b"\x00\xff\r\n--batch not a delimiter\r\n"
    return (
        b"This is a preamble.\r\n--batch x\r\nContent-Type: application/http\r\n"
        b"Content-ID: <response-b+1>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Length: %d\r\nVary: Origin\r\nVary: X-Origin\r\n\r\n" % len(body) + body + b"\r\n"
        b"--batch x\r\nContent-Type: application/http\r\nContent-ID: <response-b+2>\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\nETag: \"etag/animals\"\r\n\r\n\r\n"
        b"--batch x--\r\nepilogue\r\n"
    )


def main() -> None:
    farm_response = (DATA / "farm_batch_response.txt").read_bytes()
    farm_request = (DATA / "farm_batch_request.txt").read_bytes()
    gcs = fake_gcs_response()
    seeds = {
        "farm_response": (FARM_TYPE, farm_response),
        "farm_response_crlf": (FARM_TYPE, crlf(farm_response)),
        "farm_response_cut_in_part_2": (FARM_TYPE, farm_response[:400]),
        "farm_response_crlf_no_close": (FARM_TYPE, crlf(farm_response).rsplit(b"--batch_foobarbaz--", 1)[0]),
        "farm_request": (FARM_TYPE, farm_request),
        "farm_request_crlf": (FARM_TYPE, crlf(farm_request)),
        "farm_request_cut": (FARM_TYPE, farm_request[:300]),
        "fake_gcs_response": (GCS_TYPE, gcs),
        "fake_gcs_response_lf": (GCS_TYPE, lf(gcs)),
        "fake_gcs_response_cut_in_status_line": (GCS_TYPE, gcs[: gcs.index(b"HTTP/1.1 404") + 10]),
        "fake_gcs_response_cut_in_body": (GCS_TYPE, gcs[: gcs.index(b"null") + 2]),
        "encoded_request": (b"multipart/mixed; boundary=batch_Qx7", encoded_request()),
        "google_style_response": (b'Multipart/Mixed; charset=UTF-8; BOUNDARY="batch x"', google_style_response()),
        "empty_parts": (b"multipart/mixed; boundary=b", b"--b\r\n--b\n--b\r\n\r\n--b--"),
        "no_boundary_parameter": (b"multipart/mixed", gcs),
        "not_multipart": (b"application/json", b'{"error":{"code":400}}'),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, (content_type, body) in seeds.items():
        (OUT / name).write_bytes(content_type + b"\n" + body)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
