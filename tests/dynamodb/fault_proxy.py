"""A fault-injecting HTTP proxy in front of DynamoDB Local, for tests of
retries and of what must not be lost: every request is forwarded unchanged
unless `fault(operation, n, body)` answers for it. `operation` is the
X-Amz-Target's operation ("Scan", "GetRecords", ...), `n` counts that
operation's requests from 0, `body` is the parsed JSON request. The answer
is None (forward), (status, aws_error_type) (reply with that AWS error),
("delay", seconds) (wait, then forward), or ("rewrite", body) (forward that
JSON body instead, e.g. a smaller GetRecords Limit: DynamoDB Local does not
check the signature over the payload).

Thread-safety: the proxy serves each request on its own thread; `fault` must
be thread-safe. Counters are read under the proxy's lock (counts())."""

import collections
import http.server
import json
import threading
import time
import urllib.error
import urllib.request


class FaultProxy:
    def __init__(self, upstream, fault=None):
        self.fault = fault or (lambda operation, n, body: None)
        self._lock = threading.Lock()
        self._requests = collections.Counter()
        self._faults = collections.Counter()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
                with proxy._lock:
                    n = proxy._requests[operation]
                    proxy._requests[operation] += 1
                try:
                    parsed = json.loads(body or b"{}")
                except ValueError:
                    parsed = {}
                answer = proxy.fault(operation, n, parsed)
                headers = dict(self.headers)
                if answer and answer[0] == "delay":
                    time.sleep(answer[1])
                    answer = None
                elif answer and answer[0] == "rewrite":
                    body = json.dumps(answer[1]).encode()
                    headers = {k: v for k, v in headers.items()
                               if k.lower() != "content-length"}
                    headers["Content-Length"] = str(len(body))
                    answer = None
                if answer:
                    with proxy._lock:
                        proxy._faults[operation] += 1
                    status, error_type = answer
                    self.reply(status, json.dumps(
                        {"__type": "com.amazonaws.dynamodb.v20120810#" + error_type,
                         "message": "injected by the test"}).encode())
                    return
                request = urllib.request.Request(upstream, data=body, method="POST",
                                                 headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        self.reply(response.status, response.read())
                except urllib.error.HTTPError as e:
                    self.reply(e.code, e.read())
                except (urllib.error.URLError, OSError):
                    self.reply(502, b'{"message": "upstream unreachable"}')

            def reply(self, status, payload):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout, or it was killed)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def counts(self):
        """(requests, faults): Counters by operation."""
        with self._lock:
            return collections.Counter(self._requests), collections.Counter(self._faults)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
